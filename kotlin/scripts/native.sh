#!/usr/bin/env bash
# Builds libcadenya_uniffi for this machine with cargo and lays it out under JNA's resource
# prefix (linux-x86-64/, darwin-aarch64/, ...) in DEST, from where Maven puts it into the jar.
#
#   kotlin/scripts/native.sh PROFILE DEST      PROFILE: a cargo profile (dev, release, ...)
#
# Run by kotlin/pom.xml in generate-resources; honours CARGO_TARGET_DIR.
set -euo pipefail
profile="${1:?usage: native.sh PROFILE DEST}"
dest="${2:?usage: native.sh PROFILE DEST}"
cd "$(dirname "$0")/../.."

cargo build -q -p cadenya-uniffi --lib --profile "$profile"
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
case "$profile" in dev) out=debug ;; *) out="$profile" ;; esac

# JNA's prefix: <os>-<arch>, as com.sun.jna.Platform.RESOURCE_PREFIX names it.
case "$(uname -s)" in
  Linux) os=linux lib=libcadenya_uniffi.so ;;
  Darwin) os=darwin lib=libcadenya_uniffi.dylib ;;
  MINGW* | MSYS* | CYGWIN*) os=win32 lib=cadenya_uniffi.dll ;;
  *) echo "native.sh: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x86-64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) echo "native.sh: unsupported CPU $(uname -m)" >&2; exit 1 ;;
esac
mkdir -p "$dest/$os-$arch"
cp "$target_dir/$out/$lib" "$dest/$os-$arch/$lib"
