#!/usr/bin/env bash
# Kotlin/Swift (UniFFI) binding: drift check of the generated sources, then the Maven build of
# kotlin/ (native library inside the jar, JUnit 5 suite on Surefire, sources and javadoc jars),
# `mvn install`, and kotlin/consumer-test run against the installed artifact by its coordinates.
#
#   scripts/test-kotlin.sh            check drift, build, test, install, run the consumer project
#   scripts/test-kotlin.sh --demo     run the Kotlin walkthrough demo against a local server
#   scripts/test-kotlin.sh --update   rewrite the committed Kotlin/Swift sources from the bindgen
#
# Needs a JDK (17+) and Maven; installs them from Debian's packages when missing. Maven's local
# repository is ${CADENYA_CACHE:-target}/m2 (CADENYA_M2_REPO overrides it).
# CADENYA_EXIT_RUNS sets the runs of the exit test (default 21).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=test
case "${1:-}" in
  --demo) mode=demo ;;
  --update) mode=update ;;
  "") ;;
  *) echo "usage: $0 [--demo|--update]" >&2; exit 2 ;;
esac

cache="${CADENYA_CACHE:-target}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

# --- tools -------------------------------------------------------------------------------------
if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
  echo "==> installing a JDK and Maven (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq default-jdk-headless maven >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq default-jdk-headless maven >/dev/null; }
fi
m2="${CADENYA_M2_REPO:-$cache/m2}"
mvn_q=(mvn -B -q -ntp "-Dmaven.repo.local=$m2")

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
# The generator post-processes the bindgen's Swift: task cancellation reaches the core, and the
# error cases get Swift's lowerCamelCase names (`CadenyaError.notFound`).
cargo run -q -p cadenya-generator -- swift "$gen/swift/Cadenya.swift" "$gen/swift/CadenyaFFI.h" >/dev/null
# The Rust runtime's threads stay attached to the JVM between continuation callbacks, and each
# thread reuses its call-status structures (generator/src/kotlin_jna.rs).
cargo run -q -p cadenya-generator -- kotlin "$gen/kotlin/com/cadenya/cadenya.kt" >/dev/null
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

# --- version: the pom's is the Cargo workspace's ---------------------------------------------------
version="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print({p["name"]: p["version"] for p in json.load(sys.stdin)["packages"]}["cadenya-uniffi"])')"
pom_version="$(python3 -c 'import sys,xml.etree.ElementTree as E; print(E.parse(sys.argv[1]).getroot().find("{http://maven.apache.org/POM/4.0.0}version").text)' kotlin/pom.xml)"
if [[ $pom_version != "$version" ]]; then
  echo "kotlin/pom.xml has version $pom_version, the Cargo workspace $version: set <version> to $version" >&2
  exit 1
fi

# --- Maven: native library into the jar, compile, JUnit, package, install -------------------------------
if [[ $mode == demo ]]; then
  "${mvn_q[@]}" -f kotlin/pom.xml -DskipTests test-compile
  cp="$("${mvn_q[@]}" -f kotlin/pom.xml dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)"
  exec java -cp "kotlin/target/test-classes:kotlin/target/classes:$cp" com.cadenya.demo.DemoKt "$server"
fi
echo "==> Maven: build, JUnit suite against the local server, install (kotlin/pom.xml)"
rm -rf kotlin/target/surefire-reports
"${mvn_q[@]}" -f kotlin/pom.xml -Dcadenya.server.bin="$server" -Dsurefire.printSummary=true install
# Surefire's own summary is INFO output, which -q hides: print the totals from its reports.
python3 - kotlin/target/surefire-reports <<'PY'
import glob, sys, xml.etree.ElementTree as ET
n = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for path in glob.glob(f"{sys.argv[1]}/TEST-*.xml"):
    suite = ET.parse(path).getroot()
    for k in n:
        n[k] += int(suite.get(k, "0"))
failed = n["failures"] + n["errors"]
print(f"Kotlin JUnit: {n['tests'] - failed - n['skipped']} passed, {failed} failed, {n['skipped']} skipped")
PY
jar="kotlin/target/cadenya-kotlin-$version.jar"
python3 -c 'import sys,zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); sys.exit(0 if any(n.endswith("/libcadenya_uniffi.so") or n.endswith("/libcadenya_uniffi.dylib") for n in names) else f"{sys.argv[1]} lacks the native library")' "$jar"
for extra in sources javadoc; do
  [[ -f kotlin/target/cadenya-kotlin-$version-$extra.jar ]] || { echo "missing the $extra jar" >&2; exit 1; }
done
echo "built $jar ($(du -k "$jar" | cut -f1) KiB)"

echo "==> consumer project (kotlin/consumer-test): the installed artifact by coordinates, the walkthrough"
"${mvn_q[@]}" -f kotlin/consumer-test/pom.xml -Dcadenya.version="$version" -Dcadenya.server.bin="$server" package exec:exec
