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
        .executable(name: "strata-server", targets: ["strata-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
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
        // DynamoDB JSON 1.0 wire codec (no networking), shared by server and clients.
        .target(
            name: "StrataWire",
            dependencies: ["Strata"]
        ),
        // HTTP: the DynamoDB endpoint (a SwiftNIO HTTP/1 pipeline, run by Hummingbird 2's server),
        // SigV4, gzip, CRC32 headers.
        .target(
            name: "StrataGateway",
            dependencies: [
                "StrataWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        .executableTarget(
            name: "strata-server",
            dependencies: [
                "StrataGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
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
                "Strata",
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
            name: "StrataGatewayTests",
            dependencies: [
                "StrataGateway",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "StrataWireTests",
            dependencies: ["StrataWire"]
        ),
        .testTarget(
            name: "StrataDumpTests",
            dependencies: ["StrataStorage"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
