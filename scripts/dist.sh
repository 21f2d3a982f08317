#!/usr/bin/env bash
# Builds every artefact a user installs into dist/ (or $CADENYA_DIST_DIR) and prints them with
# their sizes. On a Linux x86_64 machine:
#
#   cadenya-<v>-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl   Python, CPython >= 3.9
#   cadenya-<v>.tar.gz                       Python sdist (builds from source with maturin + cargo)
#   cadenya-server-<v>-py3-none-manylinux_2_17_x86_64...whl   puts `cadenya-server` on PATH
#   cadenya-server                           the local API server, standalone
#   cadenya_cli-<v>-py3-none-manylinux_2_17_x86_64...whl   puts the `cadenya` CLI on PATH
#   cadenya-cli                              the `cadenya` CLI, standalone
#   cadenya-<v>.tgz                          npm main package (JS, types, loader)
#   cadenya-linux-x64-gnu-<v>.tgz            npm platform package (the native addon)
#   cadenya-swift-linux-x86_64.tar.gz        when swift/scripts/package-linux.sh exists
#
# Linux binaries link against glibc 2.17 through zig (`ziglang` from PyPI), so they run on any
# manylinux2014-era distribution whatever this machine's glibc is. Other platforms are built by
# .github/workflows/release.yml. Tools (maturin, ziglang, cargo-zigbuild, @napi-rs/cli) are
# installed under ${CADENYA_CACHE:-<cargo target dir>}. scripts/test-dist.sh checks the result.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) triple=x86_64-unknown-linux-gnu platform=linux-x64-gnu ;;
  *) echo "dist.sh builds the Linux x86_64 artefacts; other platforms come from .github/workflows/release.yml" >&2
     exit 1 ;;
esac

target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
cache=${CADENYA_CACHE:-$target_dir}
out=${CADENYA_DIST_DIR:-$root/dist}
version=$(python3 scripts/check-package-metadata.py --version)
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}

step "build tools (maturin, ziglang, cargo-zigbuild, @napi-rs/cli)"
tools="$cache/dist-tools"
[ -x "$tools/bin/python" ] || python3 -m venv "$tools"
# Pinned for reproducible artefacts (maturin 1.16.0 embeds cargo-zigbuild 0.24.0); one
# ZIG_COMMAND keeps each tool's zig wrapper path, which cargo fingerprints, stable across runs.
"$tools/bin/pip" install -q --disable-pip-version-check "maturin==1.16.0" "ziglang==0.13.0.post1" "cargo-zigbuild==0.24.0"
zig_dir=$("$tools/bin/python" -c 'import os, ziglang; print(os.path.dirname(ziglang.__file__))')
export PATH="$tools/bin:$zig_dir:$PATH" ZIG_COMMAND="$tools/bin/python3 -m ziglang"
napi_dir="$cache/napi-cli"
if [ ! -x "$napi_dir/node_modules/.bin/napi" ]; then
  mkdir -p "$napi_dir"
  [ -f "$napi_dir/package.json" ] || printf '{"name":"cadenya-napi-cli","private":true}\n' > "$napi_dir/package.json"
  (cd "$napi_dir" && npm install --no-audit --no-fund --loglevel=error "@napi-rs/cli@3")
fi
napi="$napi_dir/node_modules/.bin/napi"

rm -f "$out"/cadenya*
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The wheel and the server share the target directory (dependencies with the same features are
# compiled once). The addon's build goes through cargo-zigbuild's own zig wrapper rather than
# maturin's, and cargo fingerprints the linker, so it compiles its dependencies again.
step "Python wheel (abi3, manylinux2014) and sdist"
(cd python && maturin build --release --strip --zig --compatibility manylinux2014 --target "$triple" -o "$out")
(cd python && maturin sdist -o "$out")

step "local server: wheel (bindings = bin) and standalone binary"
(cd server && maturin build --release --strip --zig --compatibility manylinux2014 --target "$triple" -o "$out")
cp "$target_dir/$triple/release/cadenya-server" "$out/cadenya-server"

step "CLI: wheel (bindings = bin) and standalone binary"
(cd cli && maturin build --release --strip --zig --compatibility manylinux2014 --target "$triple" -o "$out")
cp "$target_dir/$triple/release/cadenya" "$out/cadenya-cli"

step "Node addon ($platform, glibc 2.17 via cargo-zigbuild) and npm packages"
# No `--strip` here: napi passes it in RUSTFLAGS, which would rebuild every dependency.
"$napi" build --platform --release --cross-compile --target "$triple.2.17" \
  --manifest-path bindings/node/Cargo.toml --package-json-path node/package.json \
  --output-dir "$stage/addon" --no-js --dts unused.d.ts
mkdir -p "$stage/$platform"
cp node/npm/$platform/package.json node/npm/$platform/README.md LICENSE "$stage/$platform/"
cp "$stage/addon/cadenya.$platform.node" "$stage/$platform/"
if command -v strip >/dev/null; then strip --strip-unneeded "$stage/$platform/cadenya.$platform.node"; fi
(cd "$stage/$platform" && npm pack --silent --pack-destination "$out" >/dev/null)
(cd node && npm pack --silent --pack-destination "$out" >/dev/null)

if [ -x swift/scripts/package-linux.sh ]; then
  step "Swift package for Linux (swift/scripts/package-linux.sh)"
  CADENYA_DIST_DIR="$out" swift/scripts/package-linux.sh "$out"
  if [ ! -f "$out/cadenya-swift-linux-x86_64.tar.gz" ]; then
    made=$(find swift -maxdepth 3 -name 'cadenya-swift-linux-x86_64.tar.gz' -print -quit)
    if [ -n "$made" ]; then mv "$made" "$out/"; else echo "package-linux.sh made no cadenya-swift-linux-x86_64.tar.gz" >&2; exit 1; fi
  fi
fi

step "built $version into $out"
(cd "$out" && for f in *; do printf '%10s  %s\n' "$(du -h --apparent-size "$f" | cut -f1)" "$f"; done)
