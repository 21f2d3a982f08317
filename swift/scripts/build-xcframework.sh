#!/usr/bin/env bash
# Builds swift/CadenyaFFI.xcframework (static Rust core for macOS, iOS and the iOS simulator) so
# that `swift build` / Xcode can use swift/Package.swift. Needs macOS with Xcode and rustup.
#
# It also regenerates the Swift sources with the workspace's own uniffi-bindgen and fails if
# they differ from the committed ones (CI checks the same on Linux: scripts/test-kotlin.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ "$(uname -s)" != Darwin ]]; then
  echo "build-xcframework.sh needs macOS with Xcode (xcodebuild, lipo)" >&2
  exit 1
fi

profile=release
targets=(aarch64-apple-darwin x86_64-apple-darwin aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
rustup target add "${targets[@]}"
for t in "${targets[@]}"; do
  echo "==> cadenya-uniffi static library for $t"
  # A static library for Apple platforms, without adding `staticlib` to every Linux build.
  cargo rustc -q -p cadenya-uniffi --lib --release --target "$t" --crate-type staticlib
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
echo "built swift/CadenyaFFI.xcframework; now: cd swift && swift build"
