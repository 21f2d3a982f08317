#!/usr/bin/env bash
# Builds the Swift package on Linux against a prebuilt libcadenya_uniffi.so and runs the Swift
# tests (swift/Tests/CadenyaTests) against a prebuilt local server. Needs Swift (5.9 or later;
# written for 6.3.1) and nothing else: no cargo.
#
#   swift/scripts/test-linux.sh LIBDIR SERVER_BIN
#
# LIBDIR      the directory holding libcadenya_uniffi.so (`cargo build -p cadenya-uniffi --lib`
#             gives target/debug; the tarball of package-linux.sh has it in lib/)
# SERVER_BIN  the cadenya-server binary (`cargo build -p cadenya-server`)
#
# Steps: the library in Swift 5 and in Swift 6 language mode with warnings as errors; a throwaway
# package that depends on this one by path; then `swift test`.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LIBDIR SERVER_BIN" >&2
  exit 2
fi
libdir="$(cd "$1" && pwd)"
server="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
[[ -f "$libdir/libcadenya_uniffi.so" ]] || { echo "no libcadenya_uniffi.so in $libdir" >&2; exit 2; }
[[ -x "$server" ]] || { echo "$server is not an executable" >&2; exit 2; }
command -v swift >/dev/null || { echo "swift is not on PATH" >&2; exit 2; }
cd "$(dirname "$0")/../.."
root="$(pwd)"
swift --version

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# SwiftPM finds the library through pkg-config at build time (it reads .pc files itself) and the
# process finds it through the loader's path at run time (SwiftPM drops -rpath from .pc files).
mkdir -p "$scratch/pkgconfig"
cat >"$scratch/pkgconfig/cadenya_uniffi.pc" <<EOF
libdir=$libdir

Name: cadenya_uniffi
Description: Cadenya SDK core (test build)
Version: 0
Libs: -L\${libdir} -lcadenya_uniffi
Cflags:
EOF
export PKG_CONFIG_PATH="$scratch/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

echo "==> library, Swift 5 language mode, warnings as errors"
swift build --target Cadenya -Xswiftc -warnings-as-errors
echo "==> library, Swift 6 language mode (strict concurrency), warnings as errors"
swift build --target Cadenya --scratch-path "$scratch/swift6" -Xswiftc -swift-version -Xswiftc 6 -Xswiftc -warnings-as-errors

echo "==> a package that depends on this one by path"
consumer="$scratch/consumer"
mkdir -p "$consumer/Sources/Consumer"
cat >"$consumer/Package.swift" <<EOF
// swift-tools-version:5.9
import PackageDescription

let package = Package(
    name: "Consumer",
    platforms: [.macOS(.v12)],
    dependencies: [.package(path: "$root")],
    targets: [
        .executableTarget(name: "Consumer", dependencies: [.product(name: "Cadenya", package: "$(basename "$root")")]),
    ]
)
EOF
cat >"$consumer/Sources/Consumer/main.swift" <<'EOF'
import Cadenya
import Foundation

do {
    _ = try unsafeUnwrapWebhook(payload: Data("{\"type\":1}".utf8))
    print("consumer: an invalid webhook was accepted")
    exit(1)
} catch let error as CadenyaError {
    print("consumer: \(error.description)")
} catch {
    print("consumer: unexpected \(error)")
    exit(1)
}
EOF
swift run --package-path "$consumer" Consumer | tee "$scratch/consumer.out"
grep -q "WebhookVerificationError" "$scratch/consumer.out"

echo "==> swift test against the local server"
unset CADENYA_API_KEY CADENYA_BASE_URL CADENYA_WORKSPACE_ID CADENYA_WEBHOOK_SECRET CADENYA_WEBHOOK_KEY CADENYA_CUSTOM_HEADERS
swift build --build-tests
export CADENYA_SERVER_BIN="$server"
export CADENYA_EXIT_CHECK_BIN="$(swift build --show-bin-path)/CadenyaExitCheck"
swift test --skip-build
