// swift-tools-version:5.9
// The Cadenya Swift SDK: generated Swift sources (Sources/Cadenya, from the pinned uniffi-bindgen)
// over the Rust core, shipped as CadenyaFFI.xcframework, which scripts/build-xcframework.sh builds
// on macOS (it is not committed).
import PackageDescription

let package = Package(
    name: "Cadenya",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "Cadenya", targets: ["Cadenya"]),
    ],
    targets: [
        .binaryTarget(name: "CadenyaFFI", path: "CadenyaFFI.xcframework"),
        .target(name: "Cadenya", dependencies: ["CadenyaFFI"], path: "Sources/Cadenya"),
    ]
)
