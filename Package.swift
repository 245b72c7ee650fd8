// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Strata",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StrataStorage", targets: ["StrataStorage"]),
        .library(name: "Strata", targets: ["Strata"]),
        .executable(name: "strata-bench", targets: ["strata-bench"]),
        .executable(name: "strata-dump", targets: ["strata-dump"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The system liblz4 (Debian: liblz4-dev). Never vendored.
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        // CRC32C (hardware when the CPU has it) and acquire/release atomics on raw memory.
        .target(name: "CStrataSupport"),
        .target(
            name: "StrataStorage",
            dependencies: [
                "CLZ4",
                "CStrataSupport",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // DynamoDB item semantics on the engine.
        .target(
            name: "Strata",
            dependencies: ["StrataStorage"]
        ),
        .executableTarget(
            name: "strata-dump",
            dependencies: [
                "StrataStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "strata-bench",
            dependencies: [
                "StrataStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Benchmarks/strata-bench"
        ),
        // A child process for crash tests: writes synced batches and reports each acknowledgement.
        .executableTarget(
            name: "strata-crash-child",
            dependencies: ["StrataStorage"],
            path: "Tests/CrashChild"
        ),
        .testTarget(
            name: "StrataStorageTests",
            dependencies: ["StrataStorage"]
        ),
        .testTarget(
            name: "StrataTests",
            dependencies: ["Strata"]
        ),
        .testTarget(
            name: "StrataDumpTests",
            dependencies: ["StrataStorage"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
