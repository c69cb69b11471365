// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "spinecount",
    products: [
        .executable(name: "spinecount", targets: ["spinecount"]),
        .library(name: "SpineKit", targets: ["SpineKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
    ],
    targets: [
        // libpng from the system (Debian: libpng-dev).
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]
        ),
        // libcrypto from the system (Debian: libssl-dev), for SHA-256 of the inputs at the
        // speed of the CPU's SHA instructions.
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        // libpng's classic API reports errors by longjmp, which Swift frames cannot survive,
        // so every call that may fail lives in this small C target.
        .target(name: "CPNGCodec", dependencies: ["CPNG"]),
        // glibc's mallopt, which Swift's Glibc module does not expose (see AllocatorTuning).
        .target(name: "CAllocator"),
        .target(
            name: "SpineKit",
            dependencies: [
                "CPNGCodec",
                "CCrypto",
                "CAllocator",
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        .executableTarget(
            name: "spinecount",
            dependencies: [
                "SpineKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Release-only speed and memory benchmark: `swift run -c release spinecount-bench`.
        .executableTarget(name: "spinecount-bench", dependencies: ["SpineKit"]),
        .testTarget(name: "SpineKitTests", dependencies: ["SpineKit", .product(name: "CSV", package: "CSV.swift")]),
        .testTarget(name: "spinecountTests", dependencies: ["SpineKit", .product(name: "CSV", package: "CSV.swift")]),
    ]
)
