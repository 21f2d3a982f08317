// swift-tools-version:5.9
// The Cadenya Swift SDK: `.package(url: "https://github.com/cadenya/cadenya-sdk", from: "<version>")`,
// product "Cadenya". The Swift sources (swift/Sources/Cadenya) are generated from the Rust core's
// UniFFI binding and call it through the C module `CadenyaFFI`, which comes
// - on Apple platforms from CadenyaFFI.xcframework: a release's manifest names the zip attached to
//   the GitHub release and its checksum (swift/scripts/pin-xcframework.sh writes them when the
//   release workflow tags); a development checkout uses swift/CadenyaFFI.xcframework, built on
//   macOS by swift/scripts/build-xcframework.sh;
// - on Linux from the shared library libcadenya_uniffi.so, found with pkg-config
//   (cadenya_uniffi.pc in cadenya-swift-linux-x86_64.tar.gz; see the README's Swift section).
import PackageDescription

// Written by swift/scripts/pin-xcframework.sh in the release workflow; empty in development.
let xcframeworkURL = ""
let xcframeworkChecksum = ""

func cadenyaFFI() -> Target {
    #if os(Linux)
    return .systemLibrary(name: "CadenyaFFI", path: "swift/Sources/CadenyaFFI", pkgConfig: "cadenya_uniffi")
    #else
    if !xcframeworkURL.isEmpty {
        return .binaryTarget(name: "CadenyaFFI", url: xcframeworkURL, checksum: xcframeworkChecksum)
    }
    return .binaryTarget(name: "CadenyaFFI", path: "swift/CadenyaFFI.xcframework")
    #endif
}

let package = Package(
    name: "Cadenya",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "Cadenya", targets: ["Cadenya"]),
    ],
    targets: [
        cadenyaFFI(),
        .target(name: "Cadenya", dependencies: ["CadenyaFFI"], path: "swift/Sources/Cadenya"),
        // Tests (swift/scripts/test-linux.sh, or `swift test` with CADENYA_SERVER_BIN set).
        .executableTarget(name: "CadenyaExitCheck", dependencies: ["Cadenya"], path: "swift/Tests/CadenyaExitCheck"),
        .testTarget(name: "CadenyaTests", dependencies: ["Cadenya"], path: "swift/Tests/CadenyaTests"),
    ]
)
