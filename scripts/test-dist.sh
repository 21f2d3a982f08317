#!/usr/bin/env bash
# Checks the artefacts of scripts/dist.sh (in dist/ or $CADENYA_DIST_DIR) and installs them where
# there is no Rust: every install and run below has a PATH without cargo, rustc or a C compiler.
#
#   artefacts  auditwheel reports the wheel manylinux2014 (glibc 2.17) compliant; twine check
#              passes; the wheels and npm tarballs hold only the intended files.
#   Python     fresh virtualenv, `pip install --no-index` of the cadenya and cadenya-server
#              wheels; the demo against dist/cadenya-server; mypy --strict on the typed example;
#              import time measured in a second process.
#   Node       scratch npm project, `npm install` of the main and linux-x64-gnu tarballs; the
#              demo against dist/cadenya-server; tsc --strict on the typed examples; the loader's
#              tests (node/test/loader.test.mjs); import time measured in a second process.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "test-dist: $*" >&2; exit 1; }

target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
cache=${CADENYA_CACHE:-$target_dir}
dist=${CADENYA_DIST_DIR:-$root/dist}
version=$(python3 scripts/check-package-metadata.py --version)
pip_q=(-q --disable-pip-version-check)

one() { # the single file matching a glob in dist/
  local matches=("$dist"/$1)
  [ "${#matches[@]}" = 1 ] && [ -f "${matches[0]}" ] || fail "expected one $1 in $dist (run scripts/dist.sh)"
  echo "${matches[0]}"
}
wheel=$(one "cadenya-$version-cp39-abi3-*manylinux*_x86_64.whl")
server_wheel=$(one "cadenya_server-$version-py3-none-*manylinux*_x86_64.whl")
sdist=$(one "cadenya-$version.tar.gz")
main_tgz=$(one "cadenya-$version.tgz")
platform_tgz=$(one "cadenya-linux-x64-gnu-$version.tgz")
server_bin=$(one cadenya-server)
cli_wheel=$(one "cadenya_cli-$version-py3-none-*manylinux*_x86_64.whl")
cli_bin=$(one cadenya-cli)

step "check tools (auditwheel, twine, mypy)"
tools="$cache/dist-check"
[ -x "$tools/bin/python" ] || python3 -m venv "$tools"
"$tools/bin/pip" install "${pip_q[@]}" "auditwheel>=6" "twine>=5" "mypy>=1.10"

# A bin directory with everything on this PATH but compilers and Rust: the installs and runs
# below see no cargo, rustc, cc, gcc, clang or zig.
no_rust="$cache/no-rust-bin"
rm -rf "$no_rust" && mkdir -p "$no_rust"
IFS=: read -r -a path_dirs <<< "$PATH"
for d in "${path_dirs[@]}"; do
  case "$d" in *.cargo*|*rustup*|"$no_rust") continue ;; esac
  [ -d "$d" ] || continue
  for f in "$d"/*; do
    name=${f##*/}
    case "$name" in
      cargo*|rustc*|rustup*|rustdoc*|rust-*|cc|c++|cpp|gcc*|g++*|clang*|*-gcc|*-gcc-*|*-g++*|*-cc|tcc|zig|ld|ld.*|*-ld) continue ;;
    esac
    [ -x "$f" ] && [ ! -e "$no_rust/$name" ] && ln -s "$f" "$no_rust/$name"
  done
done
for tool in cargo rustc cc gcc clang; do
  if PATH="$no_rust" command -v "$tool" >/dev/null; then fail "$tool is still on the no-Rust PATH"; fi
done
# Runs "$2..." with "$1" first on that PATH (the virtualenv's or node's bin directory).
no_rust_env() { env -u CC -u CXX -u RUSTC -u CARGO PATH="$1:$no_rust" "${@:2}"; }

step "auditwheel show (manylinux2014 = manylinux_2_17)"
audit=$("$tools/bin/auditwheel" show "$wheel")
echo "$audit"
grep -q 'manylinux_2_17_x86_64' <<< "$audit" || fail "the wheel is not manylinux2014 compliant"
"$tools/bin/auditwheel" show "$server_wheel" | grep -q 'manylinux_2_17_x86_64' || fail "the server wheel is not manylinux2014 compliant"
"$tools/bin/auditwheel" show "$cli_wheel" | grep -q 'manylinux_2_17_x86_64' || fail "the CLI wheel is not manylinux2014 compliant"

step "twine check"
"$tools/bin/twine" check --strict "$wheel" "$server_wheel" "$cli_wheel" "$sdist"

step "package contents: only intended files"
"$tools/bin/python" - "$wheel" "$server_wheel" "$cli_wheel" "$sdist" "$main_tgz" "$platform_tgz" "$version" <<'PY'
import re, sys, tarfile, zipfile
wheel, server_wheel, cli_wheel, sdist, main_tgz, platform_tgz, version = sys.argv[1:]
# dist-info: metadata, licence, and the CycloneDX SBOM of the Rust dependencies maturin adds.
dist_info = rf"cadenya-{re.escape(version)}\.dist-info/(METADATA|WHEEL|RECORD|licenses/LICENSE|sboms/[\w.-]+\.cyclonedx\.json)"
rules = {
    wheel: [r"cadenya/[a-z_]+\.py", r"cadenya/_native\.pyi", r"cadenya/_exceptions\.pyi", r"cadenya/py\.typed",
            r"cadenya/_native\.abi3\.so", dist_info],
    server_wheel: [rf"cadenya_server-{re.escape(version)}\.data/scripts/cadenya-server",
                   dist_info.replace("cadenya-", "cadenya_server-")],
    cli_wheel: [rf"cadenya_cli-{re.escape(version)}\.data/scripts/cadenya",
                dist_info.replace("cadenya-", "cadenya_cli-")],
    main_tgz: [r"package/(package\.json|README\.md|LICENSE|index\.(js|mjs|d\.ts|d\.mts))",
               r"package/lib/[a-z]+\.(js|d\.ts)"],
    platform_tgz: [r"package/(package\.json|README\.md|LICENSE|cadenya\.linux-x64-gnu\.node)"],
}
def names(path):
    if path.endswith(".whl"):
        return zipfile.ZipFile(path).namelist()
    return [m.name for m in tarfile.open(path) if m.isfile()]
bad = 0
for path, allowed in rules.items():
    files = names(path)
    extra = [f for f in files if not any(re.fullmatch(p, f) for p in allowed)]
    missing = [p for p in allowed if not any(re.fullmatch(p, f) for f in files)]
    if extra or missing:
        bad = 1
        print(f"{path}: unexpected {extra}, missing {missing}", file=sys.stderr)
    else:
        print(f"{path.rsplit('/', 1)[-1]}: {len(files)} files, as intended")
# The sdist builds the wheel from source: it must carry the Rust workspace, not tests or caches.
sd = names(sdist)
root = f"cadenya-{version}/"
for need in ["pyproject.toml", "PKG-INFO", "cadenya/__init__.py", "bindings/python/Cargo.toml", "core/Cargo.toml", "Cargo.lock"]:
    if not any(f == root + need or f.endswith("/" + need) for f in sd):
        bad = 1
        print(f"sdist: missing {need}", file=sys.stderr)
junk = [f for f in sd if re.search(r"(__pycache__|\.pyc$|/target/|node_modules|\.so$|\.node$)", f)]
if junk:
    bad = 1
    print(f"sdist: unexpected {junk[:10]}", file=sys.stderr)
print(f"sdist: {len(sd)} files")
sys.exit(bad)
PY

step "the sdist is a Cargo workspace that resolves offline (what pip builds from source)"
sdist_dir=$(mktemp -d)
tar xzf "$sdist" -C "$sdist_dir"
(cd "$sdist_dir/cadenya-$version" && cargo metadata --format-version 1 --offline --manifest-path bindings/python/Cargo.toml >/dev/null)
rm -rf "$sdist_dir"
echo "sdist: cargo metadata ok"

step "Python: fresh virtualenv, pip install --no-index (no cargo, rustc or cc on PATH)"
venv="$cache/dist-venv-test"
rm -rf "$venv"
python3 -m venv "$venv"
no_rust_env "$venv/bin" pip install "${pip_q[@]}" --no-index "$wheel" "$server_wheel" "$cli_wheel"
[ "$(no_rust_env "$venv/bin" sh -c 'command -v cadenya-server')" = "$venv/bin/cadenya-server" ] \
  || fail "the cadenya-server wheel did not put cadenya-server on PATH"
[ "$(no_rust_env "$venv/bin" sh -c 'command -v cadenya')" = "$venv/bin/cadenya" ] \
  || fail "the cadenya-cli wheel did not put cadenya on PATH"
py_scratch=$(mktemp -d)
trap 'rm -rf "$py_scratch" "${node_scratch:-}"' EXIT
cp python/examples/demo.py python/examples/typed_example.py "$py_scratch/"
(
  cd "$py_scratch"
  no_rust_env "$venv/bin" python -c 'import cadenya, sys; assert cadenya.__version__ == sys.argv[1], cadenya.__version__; print("cadenya", cadenya.__version__, "API", cadenya.API_VERSION, "from", cadenya.__file__)' "$version"
  # The wheel's server: starts and prints its JSON line.
  no_rust_env "$venv/bin" python - <<'PY'
import json, subprocess
p = subprocess.Popen(["cadenya-server", "--exit-on-stdin-close"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
assert p.stdout is not None
info = json.loads(p.stdout.readline())
p.stdin.close() if p.stdin else None
p.wait(timeout=10)
print("cadenya-server from the wheel served", info["base_url"])
PY
  echo "--- demo against dist/cadenya-server"
  no_rust_env "$venv/bin" env CADENYA_SERVER_BIN="$server_bin" python demo.py > demo.out
  tail -n 3 demo.out
  echo "--- mypy --strict (typed example, against the installed wheel)"
  "$tools/bin/mypy" --strict --no-incremental --python-executable "$venv/bin/python" typed_example.py demo.py
  echo "--- import time (fresh process, best of 5)"
  no_rust_env "$venv/bin" python - <<'PY'
import subprocess, sys
code = "import time; t = time.perf_counter(); import cadenya; print((time.perf_counter() - t) * 1000)"
runs = [float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(5)]
print(f"python: import cadenya (installed wheel): {min(runs):.1f} ms (best of 5; median {sorted(runs)[2]:.1f} ms)")
PY
)

step "Node: scratch npm project, npm install of the two tarballs (no cargo, rustc or cc on PATH)"
node_scratch=$(mktemp -d)
node_bin_dir=$(dirname "$(command -v node)")
(
  cd "$node_scratch"
  printf '{"name":"cadenya-dist-test","private":true}\n' > package.json
  no_rust_env "$node_bin_dir" npm install --no-audit --no-fund --loglevel=error "$main_tgz" "$platform_tgz" typescript@5 @types/node@20
  [ -f node_modules/cadenya-linux-x64-gnu/cadenya.linux-x64-gnu.node ] || fail "the platform package was not installed"
  [ -z "$(ls node_modules/cadenya/*.node 2>/dev/null)" ] || fail "the main package carries a .node file"
  cp -r "$root/node/examples" "$root/node/test" .
  echo "--- demo against dist/cadenya-server"
  no_rust_env "$node_bin_dir" env CADENYA_SERVER_BIN="$server_bin" node examples/demo.mjs > demo.out
  tail -n 3 demo.out
  echo "--- tsc --noEmit --strict (typed examples, against the installed package)"
  cat > examples/tsconfig.json <<'JSON'
{ "compilerOptions": { "strict": true, "noEmit": true, "target": "es2022", "module": "nodenext",
    "moduleResolution": "nodenext", "types": ["node"], "skipLibCheck": false },
  "include": ["*.ts", "*.mts"] }
JSON
  no_rust_env "$node_bin_dir" ./node_modules/.bin/tsc -p examples/tsconfig.json
  echo "tsc: ok"
  echo "--- loader: platform package, unsupported platform, missing or corrupt addon"
  no_rust_env "$node_bin_dir" node --test test/loader.test.mjs
  echo "--- import time (fresh process, best of 5)"
  no_rust_env "$node_bin_dir" node -e '
    const { execFileSync } = require("node:child_process");
    const code = "const t = performance.now(); require(\"cadenya\"); console.log(performance.now() - t)";
    const runs = Array.from({ length: 5 }, () => Number(execFileSync(process.execPath, ["-e", code], { encoding: "utf8" })));
    runs.sort((a, b) => a - b);
    console.log(`node: require("cadenya") (installed tarballs): ${runs[0].toFixed(1)} ms (best of 5; median ${runs[2].toFixed(1)} ms)`);'
)

step "CLI: the wheel's cadenya and the standalone binary, against cadenya serve (no cargo on PATH)"
no_rust_env "$venv/bin" python - "$cli_bin" <<'PY'
import json, os, subprocess, sys
standalone = sys.argv[1]
serve = subprocess.Popen(["cadenya", "serve"], stdout=subprocess.PIPE, text=True)
try:
    assert serve.stdout is not None
    info = json.loads(serve.stdout.readline())
    env = dict(os.environ, CADENYA_BASE_URL=info["base_url"], CADENYA_API_KEY=info["api_key"],
               CADENYA_WORKSPACE_ID=info["workspace_id"])
    def cli(*args, exe="cadenya", check=True):
        r = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            sys.exit(f"{exe} {' '.join(args)} exited {r.returncode}: {r.stderr}")
        return r
    agent = json.loads(cli("agents", "create", "--metadata", '{"name":"dist"}', "--spec",
                           '{"status":"AGENT_STATUS_PUBLISHED","variationSelectionMode":"VARIATION_SELECTION_MODE_RANDOM"}').stdout)
    table = cli("agents", "list", "--display", "table", exe=standalone).stdout
    assert agent["metadata"]["id"] in table, table
    missing = cli("agents", "retrieve", "agt_missing", check=False)
    assert missing.returncode != 0 and "NotFoundError" in missing.stdout + missing.stderr, missing
    commands = cli("schema", exe=standalone).stdout.splitlines()
    assert len(commands) >= 97, len(commands)
    print(f"cadenya (wheel and standalone): create, list as a table, a 404 exits {missing.returncode}; schema lists {len(commands)} commands")
finally:
    serve.terminate()
    serve.wait(timeout=10)
PY

step "dist artefacts install and work without Rust"
