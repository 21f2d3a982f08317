#!/usr/bin/env bash
# Runs node/bench/bench.mjs: release builds of the addon and the local server, the package
# installed from `npm pack` next to npm `standardwebhooks`. A benchmark, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
CADENYA_NODE_PROFILE=release scripts/build-node.sh
cargo build -q --release -p cadenya-server
target_dir=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
scratch="${CADENYA_CACHE:-$target_dir}/node-bench"
rm -rf "$scratch/pkg" "$scratch/node_modules/cadenya"
mkdir -p "$scratch/pkg"
tarball=$(cd node && npm pack --silent --pack-destination "$scratch/pkg" | tail -n 1)
cd "$scratch"
[ -f package.json ] || printf '{"name":"cadenya-node-bench","private":true}\n' > package.json
npm install --no-audit --no-fund --loglevel=error --no-save "./pkg/$tarball" standardwebhooks@1
cp "$root/node/bench/bench.mjs" .
CADENYA_SERVER_BIN="$target_dir/release/cadenya-server" node bench.mjs
