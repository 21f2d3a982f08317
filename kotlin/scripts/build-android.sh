#!/usr/bin/env bash
# Builds the Android AAR of the Cadenya SDK: libcadenya_uniffi for arm64-v8a, armeabi-v7a and
# x86_64 with cargo-ndk, the Kotlin classes from the Maven build, laid out as an AAR with jniLibs.
#
#   kotlin/scripts/build-android.sh [OUT_DIR]      (default: kotlin/target/android)
#
# Needs: the Android NDK (ANDROID_NDK_HOME), `cargo install cargo-ndk`, the Rust targets
# (rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android), a JDK
# and Maven. None of these exist on the project's development machines, so this script runs in the
# release workflow only. On Android, JNA itself comes from the app's dependency
# `net.java.dev.jna:jna:<version>@aar` (JNA's Android AAR carries its own libjnidispatch.so).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/kotlin/target/android}"
profile="${CADENYA_ANDROID_PROFILE:-ffi}"
min_sdk="${CADENYA_ANDROID_MIN_SDK:-24}"
: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to the Android NDK}"
command -v cargo-ndk >/dev/null || { echo "cargo-ndk is missing: cargo install cargo-ndk" >&2; exit 1; }

cd "$root"
version="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print({p["name"]: p["version"] for p in json.load(sys.stdin)["packages"]}["cadenya-uniffi"])')"
stage="$out/aar"
rm -rf "$stage"
mkdir -p "$stage/jni"

# 1. The native library per ABI: cargo-ndk writes <dir>/<abi>/libcadenya_uniffi.so.
cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -P "$min_sdk" -o "$stage/jni" \
  build -p cadenya-uniffi --lib --profile "$profile"

# 2. The classes: the same Kotlin sources as the JVM jar, without its desktop native libraries.
mvn -B -q -ntp -f kotlin/pom.xml -DskipTests -Dcadenya.native.skip=true \
  -Dcadenya.native.dir="$out/no-native" package
jar="kotlin/target/cadenya-kotlin-$version.jar"
(cd "$stage" && mkdir -p classes && cd classes && unzip -q "$root/$jar" && rm -rf META-INF/maven && zip -qr ../classes.jar . && cd .. && rm -rf classes)

# 3. The AAR: manifest, classes.jar, jni/<abi>/*.so, an empty R.txt.
cat >"$stage/AndroidManifest.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.cadenya">
    <uses-sdk android:minSdkVersion="$min_sdk" />
    <uses-permission android:name="android.permission.INTERNET" />
</manifest>
XML
: >"$stage/R.txt"
for abi in arm64-v8a armeabi-v7a x86_64; do
  [[ -f $stage/jni/$abi/libcadenya_uniffi.so ]] || { echo "missing jni/$abi/libcadenya_uniffi.so" >&2; exit 1; }
done
aar="$out/cadenya-kotlin-$version.aar"
rm -f "$aar"
(cd "$stage" && zip -qr "$aar" AndroidManifest.xml classes.jar R.txt jni)
echo "$aar"
