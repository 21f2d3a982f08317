#!/usr/bin/env bash
# Builds the Node package the way a user installs it (native addon from bindings/node, `npm pack`
# of the main package and of its platform package, `npm install` of both into a scratch project),
# type-checks the typed examples with `tsc --noEmit --strict`, then runs the node:test suite
# against the local server binary.
#
#   CADENYA_NODE_PROFILE=release   build the addon optimised (default: debug)
#   CADENYA_CACHE=dir              where the scratch project lives (default: the cargo target dir)
#   CADENYA_NODE_TARBALLS="main.tgz platform.tgz"   install these (scripts/dist.sh) instead of building
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

profile=${CADENYA_NODE_PROFILE:-debug}

server_flags=(-q -p cadenya-server)
[ "$profile" = release ] && server_flags+=(--release)
target_dir=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
cache=${CADENYA_CACHE:-$target_dir}
scratch="$cache/node-scratch"
rm -rf "$scratch/pkg" "$scratch/test" "$scratch/examples" "$scratch"/node_modules/cadenya "$scratch"/node_modules/cadenya-*
mkdir -p "$scratch/pkg"

if [ -n "${CADENYA_NODE_TARBALLS:-}" ]; then
  # test-all.sh passes the main and platform tarballs scripts/dist.sh built (release addon).
  step "the npm tarballs from scripts/dist.sh"
  read -r -a tarballs <<< "$CADENYA_NODE_TARBALLS"
  cp "${tarballs[@]}" "$scratch/pkg/"
  cargo build "${server_flags[@]}"
else
  step "build the native addon and the local server ($profile), npm pack"
  CADENYA_NODE_PROFILE=$profile scripts/build-node.sh
  cargo build "${server_flags[@]}"
  # The napi-rs layout, as published: the main package (JS, types, loader) and the platform
  # package node/npm/<platform> holding the addon.
  addon=$(cd node && ls cadenya.*.node)
  platform=${addon#cadenya.}
  platform=${platform%.node}
  stage=$(mktemp -d)
  cp "node/npm/$platform/package.json" "node/$addon" "$stage/"
  (cd "$stage" && npm pack --silent --pack-destination "$scratch/pkg" >/dev/null)
  rm -rf "$stage"
  (cd node && npm pack --silent --pack-destination "$scratch/pkg" >/dev/null)
fi

step "npm install of the packages into $scratch"
cd "$scratch"
[ -f package.json ] || printf '{"name":"cadenya-node-scratch","private":true}\n' > package.json
npm install --no-audit --no-fund --loglevel=error --no-save ./pkg/*.tgz typescript@5 @types/node@20
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
