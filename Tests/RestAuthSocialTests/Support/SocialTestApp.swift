import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import RestAuth
import RestAuthSocial
import RestAuthTesting
import SQLKit
import Testing
import Vapor
import VaporTesting

let password = "Sturdy-Lantern-8412"

/// Every built-in provider pointed at the provider server, with the server's app.
func socialConfiguration(_ server: ProviderServer, callbackURL: String? = ProviderServer.callbackURL)
    -> SocialConfiguration
{
    var social = SocialConfiguration()
    social.storeTokens = true  // the tests read the stored tokens; the default is allauth's (off)
    func app(_ clientID: String = ProviderServer.clientID, secret: String = ProviderServer.secret)
        -> SocialAppCredentials
    {
        SocialAppCredentials(clientID: clientID, secret: secret, callbackURL: callbackURL)
    }
    social.add(GoogleProvider(baseURL: server.url("google")), app: app())
    social.add(FacebookProvider(graphURL: server.url("facebook")), app: app())
    social.add(GitHubProvider(webURL: server.url("github"), apiURL: server.url("github")), app: app())
    social.add(MicrosoftProvider(loginURL: server.url("microsoft"), graphURL: server.url("microsoft")), app: app())
    var apple = SocialAppCredentials(
        clientID: ProviderServer.clientID, secret: ProviderServer.appleKeyID, key: ProviderServer.appleTeamID,
        callbackURL: callbackURL)
    apple.settings["certificate_key"] = .string(ProviderServer.appleKey.pemRepresentation)
    social.add(AppleProvider(baseURL: server.url("apple")), app: apple)
    social.add(
        TwitterProvider(apiURL: server.url("twitter")),
        app: SocialAppCredentials(clientID: ProviderServer.consumerKey, secret: ProviderServer.consumerSecret))
    social.add(OpenIDConnectProvider(id: "keycloak", serverURL: server.url("oidc")), app: app())
    return social
}

/// A provider server and an app with the package and every provider, on in-memory SQLite
/// (or, with `DATABASE_URL=postgres://...`, a schema of its own on that server).
func withSocialApp(
    _ adjust: (inout RestAuthConfiguration) -> Void = { _ in },
    social adjustSocial: (ProviderServer, inout SocialConfiguration) -> Void = { _, _ in },
    _ test: (Application, ProviderServer) async throws -> Void
) async throws {
    let server = try await ProviderServer.start()
    var configuration = RestAuthConfiguration(secretKey: "test-secret-key-0123456789")
    configuration.passwordHashers = [PBKDF2PasswordHasher(iterations: 1000)]
    configuration.passwordHashingThreads = 2
    // Requests name localhost (the test client) or 127.0.0.1:port (live servers).
    configuration.debug = true
    configuration.emailSender = MemoryEmailSender()
    adjust(&configuration)
    var social = socialConfiguration(server)
    adjustSocial(server, &social)
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    var failure: (any Error)?
    do {
        try await configureTestDatabase(app)
        try await app.restAuth.configure(configuration)
        try app.restAuthSocial.configure(social)
        try await app.autoMigrate()
        try app.restAuth.mount(at: "dj-rest-auth")
        try await test(app, server)
    } catch {
        failure = error
    }
    try? await dropTestSchema(app)
    try await app.asyncShutdown()
    try await server.stop()
    if let failure { throw failure }
}

struct TestSchemaKey: StorageKey { typealias Value = String }

func configureTestDatabase(_ app: Application) async throws {
    app.threadPool = NIOThreadPool(numberOfThreads: 4)
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

extension RestAuthTestClient {
    /// Signs up and logs in a user with a password; keeps the token.
    @discardableResult
    func signUpWithPassword(_ username: String, email: String) async throws -> Reply {
        let reply = try await RestAuthTestClient(app: app).post(
            "registration/",
            [
                "username": .string(username), "email": .string(email), "password1": .string(password),
                "password2": .string(password),
            ])
        #expect(reply.status == .created, "\(reply.body)")
        let login = try await RestAuthTestClient(app: app).post(
            "login/", ["username": .string(username), "password": .string(password)])
        if let key = login.string("key") { authorization = "Token \(key)" }
        return login
    }

    /// A social login; keeps the token it returns.
    @discardableResult
    func social(_ path: String, _ body: JSONValue) async throws -> Reply {
        let reply = try await RestAuthTestClient(app: app).post(path, body)
        if let key = reply.string("key") { authorization = "Token \(key)" }
        if let access = reply.string("access") { authorization = "Bearer \(access)" }
        return reply
    }
}

/// The rows the tests look at.
func socialAccounts(_ app: Application) async throws -> [SocialAccount] {
    try await SocialAccount.query(on: app.db).sort(\.$id).all()
}

func userCount(_ app: Application) async throws -> Int {
    try await AuthUser.query(on: app.db).count()
}

func nonFieldErrors(_ reply: RestAuthTestClient.Reply) -> [String] {
    guard case .array(let messages)? = reply["non_field_errors"] else { return [] }
    return messages.compactMap(\.stringValue)
}

/// How long a request may wait for a connection: well above Fluent's 10 s, since the race tests
/// queue a dozen requests on one connection while the machine runs the whole suite at once (one
/// waited past 10 s in CI).
let testPoolTimeout = TimeAmount.seconds(60)
