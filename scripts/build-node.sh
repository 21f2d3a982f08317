#!/usr/bin/env bash
# Builds the native addon of the Node package (bindings/node) and copies it into node/ as
# cadenya.<platform>-<arch>[-gnu|-musl|-msvc].node, where node/lib/native.js finds it. Then
# `npm install ./node` (or `npm pack` in node/) installs the package.
#
#   CADENYA_NODE_PROFILE=debug|release   (default release)
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${CADENYA_NODE_PROFILE:-release}
flags=(-q -p cadenya-node)
[ "$profile" = release ] && flags+=(--release)
cargo build "${flags[@]}"
target_dir=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
case "$(uname -s)" in
  Darwin) lib="$target_dir/$profile/libcadenya_node.dylib" ;;
  *) lib="$target_dir/$profile/libcadenya_node.so" ;;
esac
addon=$(node -e '
  const libc = process.platform === "win32" ? "-msvc" : process.platform !== "linux" ? "" : (process.report.getReport().header.glibcVersionRuntime ? "-gnu" : "-musl");
  console.log(`cadenya.${process.platform}-${process.arch}${libc}.node`)')
rm -f node/*.node
cp "$lib" "node/$addon"
# Debug builds carry ~80 MB of debug info; the package does not need it.
if command -v strip >/dev/null 2>&1; then strip --strip-debug "node/$addon" 2>/dev/null || true; fi
echo "built node/$addon ($profile)"
