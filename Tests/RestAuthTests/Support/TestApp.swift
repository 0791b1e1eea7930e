import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOHTTP1
import RestAuth
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
    // Mail stays in memory unless a test says otherwise (the console sender logs every message).
    configuration.emailSender = MemoryEmailSender()
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

struct TestSchemaKey: StorageKey { typealias Value = String }

/// In-memory SQLite by default. With `DATABASE_URL=postgres://...` each test gets a schema
/// of its own on that server (tests run in parallel), dropped at the end.
func configureTestDatabase(_ app: Application) async throws {
    guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], url.hasPrefix("postgres") else {
        app.databases.use(.sqlite(.memory), as: .sqlite)
        return
    }
    let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    var configuration = try SQLPostgresConfiguration(url: url)
    configuration.searchPath = [String(schema)]
    app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: 1), as: .psql)
    try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(unsafeRaw: String(schema))").run()
    app.storage[TestSchemaKey.self] = String(schema)
}

func dropTestSchema(_ app: Application) async throws {
    guard let schema = app.storage[TestSchemaKey.self] else { return }
    try await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run()
}

let password = "Sturdy-Lantern-8412"
let newPassword = "Quiet-Harbor-5937"

/// A small HTTP client over the application, with a cookie jar like a browser's.
final class TestClient: @unchecked Sendable {
    let app: Application
    let prefix = "/dj-rest-auth/"
    var cookies: [String: String] = [:]
    var authorization: String?

    init(app: Application) { self.app = app }

    struct Reply {
        let status: HTTPResponseStatus
        let headers: HTTPHeaders
        let body: String

        var json: JSONValue? {
            try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))
        }

        /// The value of a top-level field of a JSON object body.
        subscript(_ key: String) -> JSONValue? {
            guard case .object(let object)? = json else { return nil }
            return object[key]
        }

        func string(_ key: String) -> String? {
            self[key]?.stringValue
        }

        func setCookies() -> [String: String] {
            var result: [String: String] = [:]
            for line in headers[.setCookie] {
                let pair = line.split(separator: ";", maxSplits: 1)[0]
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            return result
        }

        func setCookieLine(_ name: String) -> String? {
            headers[.setCookie].first { $0.hasPrefix(name + "=") }
        }
    }

    enum Body {
        case none
        case json(JSONValue)
        case raw(String, contentType: String?)
        case form([(String, String)])
    }

    @discardableResult
    func request(_ method: HTTPMethod, _ path: String, _ body: Body = .none, headers extra: HTTPHeaders = [:])
        async throws -> Reply
    {
        var headers: HTTPHeaders = ["Host": "localhost"]
        var buffer = ByteBuffer()
        switch body {
        case .none: break
        case .json(let value):
            headers.contentType = .json
            buffer.writeBytes(value.serialized())
        case .raw(let text, let contentType):
            if let contentType { headers.replaceOrAdd(name: .contentType, value: contentType) }
            buffer.writeString(text)
        case .form(let pairs):
            headers.contentType = .urlEncodedForm
            let allowed = CharacterSet.alphanumerics
            buffer.writeString(
                pairs.map {
                    "\($0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
                }.joined(separator: "&"))
        }
        if let authorization { headers.replaceOrAdd(name: .authorization, value: authorization) }
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0)=\($1)" }.joined(separator: "; "))
        }
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        let url = path.hasPrefix("/") ? path : prefix + path
        let response = try await app.testing().performTest(
            request: TestingHTTPRequest(method: method, url: URI(path: url), headers: headers, body: buffer))
        let reply = Reply(status: response.status, headers: response.headers, body: response.body.string)
        for (name, value) in reply.setCookies() {
            if value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
        return reply
    }

    func post(_ path: String, _ json: JSONValue = [:], headers: HTTPHeaders = [:]) async throws -> Reply {
        try await request(.POST, path, .json(json), headers: headers)
    }

    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> Reply {
        try await request(.GET, path, headers: headers)
    }

    /// Signs up a fresh user from a client of its own (as the conformance suite does, so no
    /// cookie of the sign-up leaks into the test); returns the username, the address and the reply.
    @discardableResult
    func register(
        _ username: String = "u" + UUID().uuidString.prefix(8).lowercased(), email: String? = nil,
        password: String = password
    ) async throws -> (username: String, email: String, reply: Reply) {
        let email = email ?? "\(username)@example.com"
        let reply = try await TestClient(app: app).post(
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

extension JSONValue {
    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
