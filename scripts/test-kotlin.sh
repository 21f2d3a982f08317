#!/usr/bin/env bash
# Kotlin/Swift (UniFFI) binding: build, drift check of the generated sources, Kotlin tests on the JVM.
#
#   scripts/test-kotlin.sh            build, check drift, compile, run the Kotlin tests
#   scripts/test-kotlin.sh --demo     run the Kotlin walkthrough demo against a local server
#   scripts/test-kotlin.sh --update   rewrite the committed Kotlin/Swift sources from the bindgen
#
# Installs what it needs: kotlin-compiler (npm) under ${CADENYA_CACHE:-target}/kotlin-tools, JNA (apt).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=test
case "${1:-}" in
  --demo) mode=demo ;;
  --update) mode=update ;;
  "") ;;
  *) echo "usage: $0 [--demo|--update]" >&2; exit 2 ;;
esac

KOTLIN_VERSION=2.4.20
cache="${CADENYA_CACHE:-target}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"
tools="$cache/kotlin-tools"
kc="$tools/node_modules/kotlin-compiler"

# --- tools -------------------------------------------------------------------------------------
if ! grep -qs "\"version\": \"$KOTLIN_VERSION\"" "$kc/package.json"; then
  echo "==> installing kotlin-compiler $KOTLIN_VERSION from npm into $tools"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --no-save --silent "kotlin-compiler@$KOTLIN_VERSION" >&2
fi
chmod +x "$kc/bin/"* 2>/dev/null || true
jna=/usr/share/java/jna.jar
if [[ ! -f $jna ]]; then
  echo "==> installing JNA (apt: libjna-java)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq libjna-java >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq libjna-java >/dev/null; }
fi
coroutines="$kc/lib/kotlinx-coroutines-core-jvm.jar"
stdlib="$kc/lib/kotlin-stdlib.jar"
for f in "$jna" "$coroutines" "$stdlib"; do [[ -f $f ]] || { echo "missing $f" >&2; exit 1; }; done

# --- native library, bindgen, server -------------------------------------------------------------
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
echo "==> cargo build (cadenya-uniffi bindgen, cadenya-server, cadenya-uniffi cdylib)"
cargo build -q -p cadenya-uniffi --features cli --bin uniffi-bindgen
cargo build -q -p cadenya-server --bin cadenya-server
# Last, without the CLI feature: the library exactly as a user builds it.
cargo build -q -p cadenya-uniffi --lib
case "$(uname -s)" in
  Darwin) lib="$target_dir/debug/libcadenya_uniffi.dylib" ;;
  *) lib="$target_dir/debug/libcadenya_uniffi.so" ;;
esac
bindgen="$target_dir/debug/uniffi-bindgen"
server="$target_dir/debug/cadenya-server"

# --- generated Kotlin and Swift: regenerate and compare with the committed files ------------------
gen="$(mktemp -d)"
trap 'rm -rf "$gen"' EXIT
"$bindgen" generate --library "$lib" --language kotlin --out-dir "$gen/kotlin" --no-format >/dev/null
"$bindgen" generate --library "$lib" --language swift --out-dir "$gen/swift" --no-format >/dev/null
# Swift task cancellation reaches the core: the generator post-processes the bindgen's Swift.
cargo run -q -p cadenya-generator -- swift-cancellation "$gen/swift/Cadenya.swift" "$gen/swift/CadenyaFFI.h" >/dev/null
# bindgen output -> committed path
pairs=(
  "$gen/kotlin/com/cadenya/cadenya.kt:kotlin/src/main/kotlin/com/cadenya/cadenya.kt"
  "$gen/swift/Cadenya.swift:swift/Sources/Cadenya/Cadenya.swift"
  "$gen/swift/CadenyaFFI.h:swift/Sources/CadenyaFFI/include/CadenyaFFI.h"
  "$gen/swift/CadenyaFFI.modulemap:swift/Sources/CadenyaFFI/include/module.modulemap"
)
stale=()
for p in "${pairs[@]}"; do
  from="${p%%:*}" to="${p#*:}"
  if [[ $mode == update ]]; then
    mkdir -p "$(dirname "$to")"
    cp "$from" "$to"
  elif ! cmp -s "$from" "$to"; then
    stale+=("$to")
  fi
done
if [[ $mode == update ]]; then
  echo "generated Kotlin and Swift sources updated"
  exit 0
fi
if ((${#stale[@]})); then
  echo "generated bindings are stale (run scripts/test-kotlin.sh --update and commit):" >&2
  printf '  %s\n' "${stale[@]}" >&2
  exit 1
fi
echo "==> generated Kotlin and Swift match the committed sources"

# The README's Kotlin example is compiled with the tests: it must be the same text.
python3 - <<'PY'
import re, sys
readme = open("README.md", encoding="utf-8").read()
section = readme[readme.index("## Kotlin and Swift"):]
example = re.search(r"```kotlin\n(.*?)```", section, re.S).group(1).replace("import com.cadenya.*\n\n", "")
compiled = open("kotlin/src/demo/kotlin/com/cadenya/demo/Readme.kt", encoding="utf-8").read()
if not compiled.endswith(example):
    sys.exit("README.md's Kotlin example differs from kotlin/src/demo/kotlin/com/cadenya/demo/Readme.kt")
PY

# --- compile (bindings + demo + tests in one kotlinc call; skipped when nothing changed) ----------
build="$cache/kotlin-build"
jar="$build/cadenya-kotlin.jar"
mkdir -p "$build"
stamp="$( (echo "$KOTLIN_VERSION"; find kotlin/src -name '*.kt' | sort | xargs sha256sum) | sha256sum | cut -d' ' -f1)"
if [[ ! -f $jar || "$(cat "$build/stamp" 2>/dev/null)" != "$stamp" ]]; then
  echo "==> kotlinc (bindings, demo and tests)"
  rm -f "$jar"
  "$kc/bin/kotlinc" -nowarn -jvm-target 17 -cp "$jna:$coroutines" -d "$jar" \
    kotlin/src/main/kotlin kotlin/src/demo/kotlin kotlin/src/test/kotlin
  echo "$stamp" >"$build/stamp"
fi

# --- run --------------------------------------------------------------------------------------------
# The tests configure clients explicitly; keep the caller's CADENYA_* settings out of them.
unset CADENYA_API_KEY CADENYA_BASE_URL CADENYA_WORKSPACE_ID CADENYA_WEBHOOK_SECRET CADENYA_WEBHOOK_KEY CADENYA_CUSTOM_HEADERS
java_args=(-Djna.library.path="$(dirname "$lib")" -cp "$jar:$jna:$coroutines:$stdlib")
if [[ $mode == demo ]]; then
  exec java "${java_args[@]}" com.cadenya.demo.DemoKt "$server"
fi
echo "==> Kotlin tests against the local server"
java "${java_args[@]}" com.cadenya.test.MainKt "$server" spec/webhooks/vectors.json
