// swift-tools-version:6.0
// libFuzzer targets over the parsers of RestAuth. Each target compiles the library's own
// source files (symlinked from ../Sources) with a fuzz entry point, so the fuzz build
// needs neither Vapor nor Fluent. Build and run with scripts/fuzz-parsers.sh.
import PackageDescription

let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "RestAuthFuzz",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64", from: "1.2.0"),
    ],
    targets: [
        .systemLibrary(name: "CRestAuthZlib"),
        .target(name: "CFuzzerEntry"),
        .executableTarget(name: "FuzzJSON", dependencies: ["CFuzzerEntry"], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzForm", dependencies: ["CFuzzerEntry"], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzEmailAddress", dependencies: ["CFuzzerEntry"], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzRequestHost", dependencies: ["CFuzzerEntry"], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzMisc", dependencies: ["CFuzzerEntry"], swiftSettings: fuzzFlags),
        .executableTarget(
            name: "FuzzSigner",
            dependencies: [
                "CFuzzerEntry", "CRestAuthZlib", "Crypto",
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ],
            swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzMFA", dependencies: ["CFuzzerEntry", "Crypto"], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzArgon2", dependencies: ["CFuzzerEntry"], swiftSettings: fuzzFlags),
        // The CBOR decoder of passkeys (attestation objects, COSE keys).
        .executableTarget(name: "FuzzCBOR", dependencies: ["CFuzzerEntry"], swiftSettings: fuzzFlags),
        // What clients post to the passkey routes: credential JSON and clientDataJSON.
        .executableTarget(
            name: "FuzzWebAuthnJSON",
            dependencies: [
                "CFuzzerEntry", "CRestAuthZlib", "Crypto",
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ],
            swiftSettings: fuzzFlags),
        // RestAuthClient's parsers of server answers (its files only: Foundation, nothing else).
        .executableTarget(name: "FuzzClient", dependencies: ["CFuzzerEntry"], swiftSettings: fuzzFlags),
        // The translation parsers: gettext catalogs, Accept-Language, Python's format strings.
        .executableTarget(name: "FuzzI18n", dependencies: ["CFuzzerEntry"], swiftSettings: fuzzFlags),
        .executableTarget(
            name: "FuzzJWT",
            dependencies: [
                "CFuzzerEntry", "CRestAuthZlib", "Crypto",
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ],
            swiftSettings: fuzzFlags),
        .executableTarget(
            name: "FuzzSMTPReply",
            dependencies: [
                "CFuzzerEntry", "NIOSSL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: fuzzFlags),
        // Stand-in for swift-crypto (see Sources/Crypto): SHA-256 and HMAC in plain Swift,
        // without BoringSSL, most of the fuzz build's time otherwise.
        .target(name: "Crypto"),
        // Stand-in for swift-nio-ssl (see Sources/NIOSSL): the decoder under test never
        // touches TLS, and the real module would add a second BoringSSL build.
        .target(name: "NIOSSL", dependencies: [.product(name: "NIOCore", package: "swift-nio")]),
    ],
    swiftLanguageModes: [.v6]
)
