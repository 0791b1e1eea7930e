// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-rest-auth",
    // iOS, tvOS and watchOS for RestAuthClient (the server targets run on macOS and Linux).
    platforms: [.macOS(.v13), .iOS(.v16), .tvOS(.v16), .watchOS(.v9)],
    products: [
        .library(name: "RestAuth", targets: ["RestAuth"]),
        .library(name: "RestAuthSocial", targets: ["RestAuthSocial"]),
        .library(name: "RestAuthTesting", targets: ["RestAuthTesting"]),
        // The typed client for apps: Foundation only, so an iOS or macOS app can add it alone.
        .library(name: "RestAuthClient", targets: ["RestAuthClient"]),
        .executable(name: "restauth", targets: ["RestAuthCLI"]),
        .executable(name: "RestAuthDemo", targets: ["RestAuthDemo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        // FluentSQL (the SQL side of Fluent's models) is imported by the library: declared,
        // not reached through the drivers, so a clean build cannot compile RestAuth first.
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CRestAuthZlib"),
        // Foundation only: the QR encoder shared by the server (the MFA activation's picture)
        // and the restauth tool (the same picture in a terminal).
        .target(name: "RestAuthQRCode"),
        // Foundation only, and nothing else: no Vapor, NIO or server package (ClientDependencyTests).
        .target(name: "RestAuthClient"),
        .executableTarget(
            name: "RestAuthCLI",
            dependencies: [
                "RestAuthClient",
                "RestAuthQRCode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "RestAuth",
            dependencies: [
                "CRestAuthZlib",
                "RestAuthQRCode",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "RestAuthSocial",
            dependencies: [
                "RestAuth",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "RestAuthTesting",
            dependencies: [
                "RestAuth",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
        .executableTarget(
            name: "RestAuthDemo",
            dependencies: [
                "RestAuth",
                "RestAuthSocial",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
            ],
            resources: [.copy("Public")]
        ),
        .testTarget(
            name: "RestAuthTests",
            dependencies: [
                "RestAuth",
                "RestAuthQRCode",
                "RestAuthTesting",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
            ]
        ),
        .testTarget(
            name: "RestAuthSocialTests",
            dependencies: [
                "RestAuth",
                "RestAuthSocial",
                "RestAuthTesting",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "RestAuthCustomUserTests",
            dependencies: [
                "RestAuth",
                "RestAuthTesting",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
            ]
        ),
        .testTarget(
            name: "RestAuthClientTests",
            dependencies: [
                "RestAuthClient",
                "RestAuthCLI",
                "RestAuthQRCode",
                "RestAuthDemo",
                "RestAuth",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "RestAuthDemoTests",
            dependencies: [
                "RestAuthDemo",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
