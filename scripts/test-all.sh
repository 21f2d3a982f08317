#!/usr/bin/env bash
# Runs every test of the project: generated-code drift, the Rust workspace (core, local server,
# generator) and the server's independent conformance check. Installs what it needs by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "generated code is up to date with spec/openapi.yaml"
cargo run -q -p cadenya-generator -- --check

rust_crates=(-p cadenya -p cadenya-server -p cadenya-generator)

step "Rust: core, local server, generator"
cargo test "${rust_crates[@]}" --features cadenya/binding --all-targets 2>&1

step "Rust: doc tests"
cargo test "${rust_crates[@]}" --doc 2>&1

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
