import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOHTTP1
import RestAuth
import RestAuthTesting
import Testing
import Vapor
import VaporTesting

/// Settings that keep tests fast: cheap PBKDF2 (the format and code path are Django's).
func testConfiguration(_ adjust: (inout RestAuthConfiguration) -> Void = { _ in }) -> RestAuthConfiguration {
    var configuration = RestAuthConfiguration(secretKey: "test-secret-key-0123456789")
    configuration.passwordHashers = [
        PBKDF2PasswordHasher(iterations: 1000), PBKDF2PasswordHasher(algorithm: .sha1, iterations: 1000),
    ]
    configuration.passwordHashingThreads = 2
    // Requests name localhost (the test client) or 127.0.0.1:port (live servers).
    configuration.debug = true
    // Mail stays in memory unless a test says otherwise (the console sender logs every message).
    configuration.emailSender = MemoryEmailSender()
    // As in the conformance suite: every request comes from one address. The rate-limit
    // tests turn the limits back on.
    configuration.rateLimits = nil
    adjust(&configuration)
    return configuration
}

/// A fresh application per test: in-memory SQLite (or the PostgreSQL database named by
/// `DATABASE_URL`, emptied first), the package configured and mounted at `/dj-rest-auth/`.
func withRestAuthApp(
    _ adjust: (inout RestAuthConfiguration) -> Void = { _ in },
    _ test: (Application, TestClient) async throws -> Void
) async throws {
    let configuration = testConfiguration(adjust)
    try await withApp(configure: { app in
        try await configureTestDatabase(app)
        try await app.restAuth.configure(configuration)
        try await app.autoMigrate()
        try app.restAuth.mount(at: "dj-rest-auth")
    }) { app in
        do {
            try await test(app, TestClient(app: app))
        } catch {
            try await dropTestSchema(app)
            throw error
        }
        try await dropTestSchema(app)
    }
}

/// How long a request may wait for a connection: well above Fluent's 10 s, since the race tests
/// queue a dozen requests on one connection while the machine runs the whole suite at once (one
/// waited past 10 s in CI).
let testPoolTimeout = TimeAmount.seconds(60)

struct TestSchemaKey: StorageKey { typealias Value = String }

/// In-memory SQLite by default. With `DATABASE_URL=postgres://...` each test gets a schema
/// of its own on that server (tests run in parallel), dropped at the end.
func configureTestDatabase(_ app: Application) async throws {
    // A blocking pool per app, larger than its SQLite connections: see DemoApp.
    app.threadPool = NIOThreadPool(numberOfThreads: 4)
    // As the demo does, before the first connection (a connection keeps its logger).
    app.restAuth.raiseTraceLogging()
    guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], url.hasPrefix("postgres") else {
        app.databases.use(
            .sqlite(
                .memory, connectionPoolTimeout: testPoolTimeout, dataEncoder: .init(), dataDecoder: .init(),
                sqlLogLevel: .trace), as: .sqlite)
        return
    }
    let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    var configuration = try SQLPostgresConfiguration(url: url)
    configuration.searchPath = [String(schema)]
    app.databases.use(
        .postgres(
            configuration: configuration, maxConnectionsPerEventLoop: 1, connectionPoolTimeout: testPoolTimeout,
            sqlLogLevel: .trace), as: .psql)
    try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(unsafeRaw: String(schema))").run()
    app.storage[TestSchemaKey.self] = String(schema)
}

func dropTestSchema(_ app: Application) async throws {
    guard let schema = app.storage[TestSchemaKey.self] else { return }
    try await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run()
}

let password = "Sturdy-Lantern-8412"

/// A fresh username of letters only: one of hexadecimal digits can be mostly digits, and then
/// Django's similarity validator (rightly) finds a numeric test password too close to it.
func randomUsername() -> String {
    "u" + String((0..<10).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
}
let newPassword = "Quiet-Harbor-5937"

typealias TestClient = RestAuthTestClient

extension RestAuthTestClient {
    /// Signs up a fresh user from a client of its own (as the conformance suite does, so no
    /// cookie of the sign-up leaks into the test); returns the username, the address and the reply.
    @discardableResult
    func register(
        _ username: String = randomUsername(), email: String? = nil,
        password: String = password
    ) async throws -> (username: String, email: String, reply: Reply) {
        let email = email ?? "\(username)@example.com"
        let reply = try await RestAuthTestClient(app: app).post(
            "registration/",
            [
                "username": .string(username), "email": .string(email), "password1": .string(password),
                "password2": .string(password),
            ])
        return (username, email, reply)
    }

    /// Logs in by username and keeps the token for later requests.
    @discardableResult
    func logIn(_ username: String, password: String = password) async throws -> Reply {
        let reply = try await post("login/", ["username": .string(username), "password": .string(password)])
        if let key = reply.string("key") { authorization = "Token \(key)" }
        return reply
    }
}
