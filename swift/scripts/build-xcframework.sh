#!/usr/bin/env bash
# Builds swift/CadenyaFFI.xcframework (static Rust core for macOS, iOS and the iOS simulator,
# cargo profile `ffi`) so that `swift build` / Xcode can use the root Package.swift, then zips it
# for a release. Needs macOS with Xcode and rustup.
#
#   swift/scripts/build-xcframework.sh [OUT_DIR]      (default: dist)
#
# Outputs OUT_DIR/CadenyaFFI.xcframework.zip and OUT_DIR/CadenyaFFI.xcframework.zip.checksum (the
# SwiftPM checksum, `swift package compute-checksum`); prints `zip=...` and `checksum=...` and,
# under GitHub Actions, appends them to $GITHUB_OUTPUT. The release workflow uploads the zip to
# the release and runs swift/scripts/pin-xcframework.sh URL CHECKSUM before tagging.
#
# It also regenerates the Swift sources with the workspace's own uniffi-bindgen (and the
# generator's cancellation post-processing) and fails if they differ from the committed ones (CI
# checks the same on Linux: scripts/test-kotlin.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
out_dir="${1:-dist}"

if [[ "$(uname -s)" != Darwin ]]; then
  echo "build-xcframework.sh needs macOS with Xcode (xcodebuild, lipo)" >&2
  exit 1
fi

profile=ffi
targets=(aarch64-apple-darwin x86_64-apple-darwin aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
rustup target add "${targets[@]}"
for t in "${targets[@]}"; do
  echo "==> cadenya-uniffi static library for $t"
  # A static library for Apple platforms, without adding `staticlib` to every Linux build.
  cargo rustc -q -p cadenya-uniffi --lib --profile "$profile" --target "$t" --crate-type staticlib
done
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
lib() { echo "$target_dir/$1/$profile/libcadenya_uniffi.a"; }

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/macos" "$out/ios-sim"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$out/macos/libcadenya_uniffi.a"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$out/ios-sim/libcadenya_uniffi.a"

# Drift check of the committed Swift sources against this exact library.
cargo build -q -p cadenya-uniffi --features cli --bin uniffi-bindgen
cargo build -q -p cadenya-uniffi --lib
"$target_dir/debug/uniffi-bindgen" generate --library "$target_dir/debug/libcadenya_uniffi.dylib" --language swift --out-dir "$out/gen" --no-format >/dev/null
cargo run -q -p cadenya-generator -- swift-cancellation "$out/gen/Cadenya.swift" "$out/gen/CadenyaFFI.h" >/dev/null
cmp "$out/gen/Cadenya.swift" swift/Sources/Cadenya/Cadenya.swift
cmp "$out/gen/CadenyaFFI.h" swift/Sources/CadenyaFFI/include/CadenyaFFI.h
cmp "$out/gen/CadenyaFFI.modulemap" swift/Sources/CadenyaFFI/include/module.modulemap

headers=swift/Sources/CadenyaFFI/include
rm -rf swift/CadenyaFFI.xcframework
xcodebuild -create-xcframework \
  -library "$out/macos/libcadenya_uniffi.a" -headers "$headers" \
  -library "$(lib aarch64-apple-ios)" -headers "$headers" \
  -library "$out/ios-sim/libcadenya_uniffi.a" -headers "$headers" \
  -output swift/CadenyaFFI.xcframework

mkdir -p "$out_dir"
zip="$(cd "$out_dir" && pwd)/CadenyaFFI.xcframework.zip"
rm -f "$zip"
(cd swift && ditto -c -k --sequesterRsrc --keepParent CadenyaFFI.xcframework "$zip")
checksum="$(swift package compute-checksum "$zip")"
echo "$checksum" >"$zip.checksum"
echo "built swift/CadenyaFFI.xcframework (swift build at the repository root uses it)"
echo "zip=$zip"
echo "checksum=$checksum"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  { echo "zip=$zip"; echo "checksum=$checksum"; } >>"$GITHUB_OUTPUT"
fi
