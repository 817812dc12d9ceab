// swift-tools-version: 6.1
import PackageDescription

/// dlib's DNN templates are compiled into the shim; without optimisation they run ~100x slower,
/// so the shim is always built optimised, even in debug builds.
///
/// dlib picks its SIMD code (HOG features, image pyramids) at compile time. On x86-64 the shim
/// is built with AVX, like the Python reference wheel (dlib-bin is built with AVX too): the
/// HOG detector is then ~1.5x faster than at the SSE2 baseline (measured by facebench).
#if arch(x86_64)
let dlibArchFlags = ["-mavx"]
#else
let dlibArchFlags: [String] = []
#endif
let dlibFlags: [CXXSetting] = [.unsafeFlags(["-O2"] + dlibArchFlags)]

let package = Package(
    name: "CameoGuard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cameo", targets: ["cameo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .target(name: "CameoCore"),
        .target(
            name: "CDlib",
            cxxSettings: dlibFlags,
            linkerSettings: [
                .linkedLibrary("dlib"), .linkedLibrary("blas"), .linkedLibrary("lapack"),
                // The shim decodes JPEG/PNG itself (strict: truncated files are errors); both come with libdlib-dev.
                .linkedLibrary("jpeg"), .linkedLibrary("png"),
            ]
        ),
        .target(name: "FaceMatch", dependencies: ["CDlib", "CameoCore"]),
        .target(name: "CameoCrypto", dependencies: ["COpenSSL", "CArgon2", "CameoCore"]),
        .target(name: "Consent", dependencies: ["CameoCore"]),
        .target(name: "Policy", dependencies: ["CameoCore", "CameoCrypto", "Consent", .product(name: "Yams", package: "Yams")]),
        .target(name: "Ledger", dependencies: ["CameoCore", "CameoCrypto"]),
        .target(name: "Store", dependencies: [
            "CameoCore", "Ledger", "CameoCrypto", "Consent",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Generation", dependencies: ["CameoCore", "CameoCrypto", "Ledger", "Store", "Identity", "Policy", "Consent", "FaceMatch",
                                                .product(name: "Logging", package: "swift-log")]),
        .target(name: "Takedown", dependencies: ["CameoCore", "CameoCrypto", "Ledger", "Store", "Identity", "Policy", "Consent", "FaceMatch", "Generation", "PDQ",
                                              .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")]),
        .target(name: "PDQ", dependencies: ["CameoCore"]),
        .target(name: "PDQTestSupport", dependencies: ["PDQ"], path: "Tests/PDQTestSupport"),
        .executableTarget(name: "PDQBench", dependencies: ["PDQ", "PDQTestSupport"]),
        .executableTarget(name: "facebench", dependencies: ["FaceMatch"]),
        .systemLibrary(name: "CPocketSphinx", path: "Sources/CPocketSphinx", pkgConfig: "pocketsphinx",
                       providers: [.apt(["libpocketsphinx-dev", "libsphinxbase-dev", "pocketsphinx-en-us"])]),
        .target(name: "Speech", dependencies: ["CPocketSphinx"]),
        .target(name: "Identity", dependencies: ["CameoCore", "CameoCrypto", "Ledger", "Store", "Policy", "FaceMatch", "Speech",
                                              .product(name: "JWTKit", package: "jwt-kit")]),
        .target(name: "Server", dependencies: [
            "CameoCore", "CameoCrypto", "Ledger", "Store", "Identity", "Policy", "Consent", "FaceMatch", "Generation", "Takedown",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "cameo", dependencies: [
            "CameoCore", "CameoCrypto", "Ledger", "Store", "Identity", "Policy", "Server", "Consent", "FaceMatch", "Generation", "Takedown",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "JWTKit", package: "jwt-kit"),
        ]),
        .target(name: "TestSupport", dependencies: ["CameoCore", "CameoCrypto", "Ledger", "Store", "Identity", "Policy", "Consent",
                                                 .product(name: "JWTKit", package: "jwt-kit")], path: "Tests/TestSupport"),
        .testTarget(name: "CameoCoreTests", dependencies: ["CameoCore"]),
        .testTarget(name: "FaceMatchTests", dependencies: ["FaceMatch", "CameoCore"]),
        .testTarget(name: "GenerationTests", dependencies: ["Generation", "CameoCore"]),
        .testTarget(name: "PDQTests", dependencies: ["PDQ", "PDQTestSupport", "CameoCore"]),
        .testTarget(name: "ConsentTests", dependencies: ["Consent", "CameoCore"]),
        .testTarget(name: "CameoCryptoTests", dependencies: ["CameoCrypto", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "CameoCrypto", "Store", "TestSupport"]),
        .testTarget(name: "IdentityTests", dependencies: ["Identity", "FaceMatch", "Policy", "CameoCore", "Speech", "TestSupport"]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "TestSupport", "Consent", "Ledger", "Store", "CameoCrypto", "Identity", "FaceMatch", "Generation", "Policy", "Takedown", "PDQ",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "JWTKit", package: "jwt-kit"),
        ]),
    ],
    cxxLanguageStandard: .cxx17
)
