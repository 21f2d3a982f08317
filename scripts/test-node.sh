#!/usr/bin/env bash
# Builds the Node package the way a user installs it (native addon from bindings/node, `npm pack`,
# `npm install` of the tarball into a scratch project), type-checks the typed examples with
# `tsc --noEmit --strict`, then runs the node:test suite against the local server binary.
#
#   CADENYA_NODE_PROFILE=release   build the addon optimised (default: debug)
#   CADENYA_CACHE=dir              where the scratch project lives (default: the cargo target dir)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

profile=${CADENYA_NODE_PROFILE:-debug}

step "build the native addon and the local server ($profile)"
CADENYA_NODE_PROFILE=$profile scripts/build-node.sh
server_flags=(-q -p cadenya-server)
[ "$profile" = release ] && server_flags+=(--release)
cargo build "${server_flags[@]}"
target_dir=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')

cache=${CADENYA_CACHE:-$target_dir}
scratch="$cache/node-scratch"
step "npm pack + npm install into $scratch"
rm -rf "$scratch/pkg" "$scratch/test" "$scratch/examples" "$scratch/node_modules/cadenya"
mkdir -p "$scratch/pkg"
tarball=$(cd node && npm pack --silent --pack-destination "$scratch/pkg" | tail -n 1)
cd "$scratch"
[ -f package.json ] || printf '{"name":"cadenya-node-scratch","private":true}\n' > package.json
npm install --no-audit --no-fund --loglevel=error --no-save "./pkg/$tarball" typescript@5 @types/node@20
cp -r "$root/node/test" "$root/node/examples" .

step "tsc --noEmit --strict on the typed examples"
cat > examples/tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "target": "es2022",
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "types": ["node"],
    "skipLibCheck": false
  },
  "include": ["*.ts", "*.mts"]
}
JSON
./node_modules/.bin/tsc -p examples/tsconfig.json
echo "tsc: ok"

step "node --test against the local server"
export CADENYA_SERVER_BIN="$target_dir/$profile/cadenya-server"
export CADENYA_REPO_ROOT="$root"
node --test --test-reporter=spec test/*.test.mjs
