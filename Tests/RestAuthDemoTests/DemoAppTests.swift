import FluentPostgresDriver
import Foundation
import Logging
import RestAuth
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import RestAuthDemo

@Suite("Demo server")
struct DemoAppTests {
    @Test(
        "DATABASE_URL forms",
        arguments: [
            ("sqlite://restauth.sqlite", DatabaseURL.sqlite(path: "restauth.sqlite")),
            ("sqlite:///var/lib/db.sqlite", .sqlite(path: "/var/lib/db.sqlite")),
            ("sqlite::memory:", .sqliteMemory),
            ("postgres://u:p@localhost:5432/db", .postgres("postgres://u:p@localhost:5432/db")),
            ("postgresql://u@h/db?sslmode=require", .postgres("postgres://u@h/db?sslmode=require")),
        ])
    func databaseURL(text: String, expected: DatabaseURL) throws {
        #expect(try DatabaseURL(text) == expected)
    }

    @Test("A DATABASE_URL that cannot work names the setting")
    func badDatabaseURL() {
        for text in ["mysql://x", "sqlite://", ""] {
            #expect(throws: ConfigurationError.self) { try DatabaseURL(text) }
        }
    }

    @Test("Without SECRET_KEY a key is generated once and kept beside the database")
    func secretKeyFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = DatabaseURL.sqlite(path: directory.appendingPathComponent("db.sqlite").path)
        let logger = Logger(label: "test")
        let first = try SecretKeyFile.secretKey(environment: [:], database: database, logger: logger)
        let second = try SecretKeyFile.secretKey(environment: [:], database: database, logger: logger)
        #expect(first.count == 50 && first == second)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("db.sqlite.secret_key").path))
        #expect(
            try SecretKeyFile.secretKey(environment: ["SECRET_KEY": "given"], database: database, logger: logger)
                == "given")
        // An in-memory database gets a key for the process, and leaves no file behind.
        let memory = try SecretKeyFile.secretKey(environment: [:], database: .sqliteMemory, logger: logger)
        #expect(memory.count == 50)
        #expect(!FileManager.default.fileExists(atPath: SecretKeyFile.path(for: .sqliteMemory)))
    }

    @Test("The demo serves the API at /dj-rest-auth/ from its environment")
    func serves() async throws {
        try await withApp(configure: { app in
            try await DemoApp.configure(
                app,
                environment: [
                    "DATABASE_URL": "sqlite::memory:", "SECRET_KEY": "demo-test", "PBKDF2_ITERATIONS": "1000",
                    "ACCOUNT_LOGIN_METHODS": "email", "PORT": "8123",
                ])
        }) { app in
            #expect(app.http.server.configuration.port == 8123)
            #expect(app.restAuth.configuration.loginMethods == [.email])
            try await app.testing().test(.GET, "health") { response in
                #expect(response.status == .ok)
            }
            var body = ByteBuffer()
            body.writeString(
                #"{"username":"demo","email":"demo@example.com","password1":"Sturdy-Lantern-8412","password2":"Sturdy-Lantern-8412"}"#
            )
            try await app.testing().test(
                .POST, "dj-rest-auth/registration/", headers: ["Content-Type": "application/json"], body: body
            ) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test("The page, its assets and settings, and the OpenAPI document; links' secrets stay out of the log")
    func page() async throws {
        try await withApp(configure: { app in
            try await DemoApp.configure(
                app,
                environment: [
                    "DATABASE_URL": "sqlite::memory:", "SECRET_KEY": "demo-test", "PBKDF2_ITERATIONS": "1000",
                    "REST_AUTH_USE_JWT": "true", "SOCIALACCOUNT_GITHUB_CLIENT_ID": "gh-client",
                    "SOCIALACCOUNT_GITHUB_SECRET": "gh-secret",
                ])
        }) { app in
            for path in ["/", "/account-confirm-email/MQ:abc:def/", "/password-reset/confirm/1/abc-def/"] {
                try await app.testing().test(.GET, path) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers.contentType?.description.hasPrefix("text/html") == true)
                    #expect(response.body.string.contains("/static/app.js"))
                    #expect(
                        response.headers.first(name: "Content-Security-Policy")?.contains("default-src 'self'") == true)
                }
            }
            try await app.testing().test(.GET, "static/app.js") { response in
                #expect(response.status == .ok && response.body.readableBytes > 1000)
            }
            try await app.testing().test(.GET, "demo/config.json") { response in
                let config = try JSONDecoder().decode(JSONValue.self, from: Data(response.body.readableBytesView))
                guard case .object(let object) = config else {
                    Issue.record("not an object")
                    return
                }
                #expect(object["use_jwt"] == true && object["prefix"] == "/dj-rest-auth/")
                guard case .array(let providers)? = object["providers"], case .object(let github)? = providers.first
                else {
                    Issue.record("no providers")
                    return
                }
                #expect(github["id"] == "github" && github["client_id"] == "gh-client" && github["name"] == "GitHub")
                #expect(!response.body.string.contains("gh-secret"))
            }
            try await app.testing().test(.GET, "openapi.json") { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("\"/dj-rest-auth/github/\""))
                #expect(response.body.string.contains("\"/dj-rest-auth/token/refresh/\""))
            }
        }
        #expect(RequestLogMiddleware.loggable("/account-confirm-email/MQ:abc:def/") == "/account-confirm-email/…")
        #expect(RequestLogMiddleware.loggable("/password-reset/confirm/1/abc-def/") == "/password-reset/confirm/…")
        #expect(RequestLogMiddleware.loggable("/dj-rest-auth/login/") == "/dj-rest-auth/login/")
        #expect(
            RequestLogMiddleware.loggable("/dj-rest-auth/registration/account-confirm-email/MQ:abc:def/")
                == "/dj-rest-auth/registration/account-confirm-email/…")
    }

    @Test("An OpenID Connect provider's button gets the authorization endpoint its discovery document names")
    func oidcAuthorizeURL() async throws {
        // The provider: a discovery document on a live port.
        let provider = try await Application.make(.testing)
        provider.http.server.configuration.hostname = "127.0.0.1"
        provider.get("realms", "main", ".well-known", "openid-configuration") { request in
            // A complete document whose issuer is the server it was fetched from.
            let issuer = "http://\(request.headers.first(name: .host) ?? "")/realms/main"
            return Response.json([
                "issuer": .string(issuer), "token_endpoint": .string("\(issuer)/protocol/openid-connect/token"),
                "jwks_uri": .string("\(issuer)/protocol/openid-connect/certs"),
                "authorization_endpoint": "https://sso.example/realms/main/protocol/openid-connect/auth",
            ])
        }
        try await provider.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(provider.http.server.shared.localAddress?.port)
        try await withApp(configure: { app in
            try await DemoApp.configure(
                app,
                environment: [
                    "DATABASE_URL": "sqlite::memory:", "SECRET_KEY": "demo-test", "PBKDF2_ITERATIONS": "1000",
                    "SOCIALACCOUNT_OIDC_KEYCLOAK_SERVER_URL": "http://127.0.0.1:\(port)/realms/main",
                    "SOCIALACCOUNT_OIDC_KEYCLOAK_CLIENT_ID": "kc",
                    "SOCIALACCOUNT_OIDC_KEYCLOAK_CALLBACK_URL": "http://localhost:8000/social/keycloak/callback/",
                    // Nobody listens on port 9: no URL, and the page still loads.
                    "SOCIALACCOUNT_OIDC_DOWN_SERVER_URL": "http://127.0.0.1:9/realms/x",
                    "SOCIALACCOUNT_OIDC_DOWN_CLIENT_ID": "down",
                ])
        }) { app in
            try await app.testing().test(.GET, "demo/config.json") { response in
                let config = try JSONDecoder().decode(JSONValue.self, from: Data(response.body.readableBytesView))
                guard case .object(let object) = config, case .array(let providers)? = object["providers"] else {
                    Issue.record("no providers")
                    return
                }
                let byID = Dictionary(
                    uniqueKeysWithValues: providers.compactMap { value -> (String, JSONObject)? in
                        guard case .object(let p) = value, let id = p["id"]?.stringValue else { return nil }
                        return (id, p)
                    })
                #expect(
                    byID["keycloak"]?["authorize_url"] == "https://sso.example/realms/main/protocol/openid-connect/auth"
                )
                #expect(byID["keycloak"]?["callback_url"] == "http://localhost:8000/social/keycloak/callback/")
                #expect(byID["keycloak"]?["scope"] == "openid email profile")
                #expect(byID["down"]?["authorize_url"] == .null)
                #expect(object["csrf_cookie_name"] == "csrftoken" && object["csrf_header_name"] == "X-CSRFToken")
            }
        }
        await provider.server.shutdown()
        try await provider.asyncShutdown()
    }

    @Test("The demo offers the social providers whose credentials its environment holds")
    func socialProviders() async throws {
        try await withApp(configure: { app in
            try await DemoApp.configure(
                app,
                environment: [
                    "DATABASE_URL": "sqlite::memory:", "SECRET_KEY": "demo-test", "PBKDF2_ITERATIONS": "1000",
                    "SOCIALACCOUNT_GITHUB_CLIENT_ID": "gh-id", "SOCIALACCOUNT_GITHUB_SECRET": "gh-secret",
                    "SOCIALACCOUNT_OIDC_KEYCLOAK_SERVER_URL": "http://127.0.0.1:9/realms/main",
                    "SOCIALACCOUNT_OIDC_KEYCLOAK_CLIENT_ID": "kc",
                ])
        }) { app in
            let json: HTTPHeaders = ["Content-Type": "application/json"]
            for provider in ["github", "keycloak"] {
                try await app.testing().test(
                    .POST, "dj-rest-auth/\(provider)/", headers: json, body: ByteBuffer(string: "{}")
                ) {
                    response in
                    #expect(response.status == .badRequest)
                    #expect(
                        response.body.string
                            == #"{"non_field_errors":["Incorrect input. access_token or code is required."]}"#)
                }
            }
            try await app.testing().test(.POST, "dj-rest-auth/google/", headers: json, body: ByteBuffer(string: "{}")) {
                response in
                #expect(response.status == .notFound)
            }
            try await app.testing().test(.GET, "dj-rest-auth/socialaccounts/") { response in
                #expect(response.status == .unauthorized)
            }
        }

        let app = try await Application.make(.testing)
        do {
            try await DemoApp.configure(
                app,
                environment: [
                    "DATABASE_URL": "sqlite::memory:", "SECRET_KEY": "x",
                    "SOCIALACCOUNT_OIDC_SSO_SERVER_URL": "https://sso",
                ])
            Issue.record("started with an OpenID Connect provider without a client id")
        } catch let error as ConfigurationError {
            #expect(error.setting == "SOCIALACCOUNT_*")
            #expect(error.message.contains("SOCIALACCOUNT_OIDC_SSO_CLIENT_ID"))
        }
        try await app.asyncShutdown()
    }

    @Test(
        "Two instances starting at once on one PostgreSQL database share the key and migrate once",
        .enabled(if: ProcessInfo.processInfo.environment["DATABASE_URL"]?.hasPrefix("postgres") == true))
    func twoInstancesOnPostgres() async throws {
        let url = ProcessInfo.processInfo.environment["DATABASE_URL"]!
        let name = "demo_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let admin = try await Application.make(.testing)
        try await DemoApp.configure(admin, environment: ["DATABASE_URL": url, "SECRET_KEY": "admin"])
        let sql = admin.db as! any SQLDatabase
        try await sql.raw("CREATE DATABASE \(unsafeRaw: String(name))").run()
        let base = url[..<url.lastIndex(of: "/")!]
        let environment = ["DATABASE_URL": "\(base)/\(name)", "PBKDF2_ITERATIONS": "1000", "DATABASE_POOL_SIZE": "2"]
        let apps = [try await Application.make(.testing), try await Application.make(.testing)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for app in apps {
                group.addTask { try await DemoApp.configure(app, environment: environment) }
            }
            try await group.waitForAll()
        }
        #expect(apps[0].restAuth.configuration.secretKey == apps[1].restAuth.configuration.secretKey)
        #expect(apps[0].restAuth.configuration.secretKey.count == 50)
        struct Count: Decodable { let count: Int }
        let migrations = try await (apps[0].db as! any SQLDatabase).raw(
            "SELECT count(*) AS count FROM _fluent_migrations WHERE name = 'RestAuth.CreateAuthToken'"
        ).first(decoding: Count.self)
        #expect(migrations?.count == 1)
        for app in apps { try await app.asyncShutdown() }
        try await sql.raw("DROP DATABASE \(unsafeRaw: String(name))").run()
        try await admin.asyncShutdown()
    }

    @Test("A PostgreSQL URL with a TLS mode the driver does not know names DATABASE_URL")
    func badTLSMode() async throws {
        let app = try await Application.make(.testing)
        do {
            try await DemoApp.configure(
                app, environment: ["DATABASE_URL": "postgres://u@127.0.0.1:1/db?sslmode=sometimes", "SECRET_KEY": "x"])
            Issue.record("started with sslmode=sometimes")
        } catch let error as ConfigurationError {
            #expect(error.setting == "DATABASE_URL")
        }
        try await app.asyncShutdown()
    }

    @Test("PostgreSQL pool settings are read and checked")
    func poolSettings() throws {
        let defaults = try PostgresPoolSettings(environment: [:])
        #expect(defaults.connectionsPerEventLoop == 4)
        let set = try PostgresPoolSettings(environment: [
            "DATABASE_POOL_SIZE": "8", "DATABASE_POOL_TIMEOUT": "2.5", "DATABASE_CONNECT_TIMEOUT": "3",
        ])
        #expect(set.connectionsPerEventLoop == 8)
        #expect(set.poolTimeout == .milliseconds(2500))
        #expect(set.connectTimeout == .seconds(3))
        #expect(throws: ConfigurationError.self) { try PostgresPoolSettings(environment: ["DATABASE_POOL_SIZE": "0"]) }
        #expect(throws: ConfigurationError.self) {
            try PostgresPoolSettings(environment: ["DATABASE_POOL_SIZE": "2.5"])
        }
        #expect(throws: ConfigurationError.self) {
            try PostgresPoolSettings(environment: ["DATABASE_POOL_TIMEOUT": "soon"])
        }
    }

    @Test("DATABASE_SSLROOTCERT (or the URL's sslrootcert) is the CA the database's certificate is checked against")
    func sslRootCertificate() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString).pem")
        try Self.testCA.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let url = "postgres://u@db.example.com:5432/app?sslmode=require&sslrootcert=\(file.path)"
        #expect(PostgresPoolSettings.queryValue("sslrootcert", in: url) == file.path)
        var required = try SQLPostgresConfiguration(url: url)
        let before = required.coreConfiguration.tls.sslContext
        try PostgresPoolSettings.trustRootCertificate(file.path, in: &required)
        #expect(required.coreConfiguration.tls.isEnforced)
        #expect(
            required.coreConfiguration.tls.sslContext != nil && required.coreConfiguration.tls.sslContext !== before)
        var preferred = try SQLPostgresConfiguration(url: "postgres://u@db:5432/app?sslmode=prefer")
        try PostgresPoolSettings.trustRootCertificate(file.path, in: &preferred)
        #expect(preferred.coreConfiguration.tls.isAllowed && !preferred.coreConfiguration.tls.isEnforced)

        for (url, path) in [
            ("postgres://u@db:5432/app?sslmode=disable", file.path),
            ("postgres://u@db:5432/app?sslmode=require", "/nonexistent.pem"),
        ] {
            var configuration = try SQLPostgresConfiguration(url: url)
            let error = #expect(throws: ConfigurationError.self) {
                try PostgresPoolSettings.trustRootCertificate(path, in: &configuration)
            }
            #expect(error?.setting == "DATABASE_SSLROOTCERT")
        }
    }

    /// A self-signed CA certificate (a fixture: no database presents a certificate it signed).
    static let testCA = """
        -----BEGIN CERTIFICATE-----
        MIIBnjCCAUWgAwIBAgIUVMtgWKpAwYGBovrXXJn4gDJESHAwCgYIKoZIzj0EAwIw
        JDEiMCAGA1UEAwwZcmVzdGF1dGggdGVzdCBkYXRhYmFzZSBDQTAgFw0yNjExMjkx
        NzMxNTZaGA8yMTI2MTEwNTE3MzE1NlowJDEiMCAGA1UEAwwZcmVzdGF1dGggdGVz
        dCBkYXRhYmFzZSBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJ9DjvC/AAsd
        TpKtiit6yxpwxd1/gtoJD1j6VLiUykcnLt2E/xcig79GDAbLVWuqQ6mdg2Z6/J8G
        L73daXLHXVejUzBRMB0GA1UdDgQWBBTO8hTt46JxI7RuCzmnQ0N+JUqpSTAfBgNV
        HSMEGDAWgBTO8hTt46JxI7RuCzmnQ0N+JUqpSTAPBgNVHRMBAf8EBTADAQH/MAoG
        CCqGSM49BAMCA0cAMEQCIHLs1WkpSYkze138JDX+KV4UzDOt9WqmrCCmTLuavdol
        AiBZDzbobn2r3Qx3GPkUkBF1Ziie+0xC2ODYbXpgUDNq5A==
        -----END CERTIFICATE-----
        """

    @Test("A bad setting stops the demo with the setting's name")
    func badSetting() async throws {
        let app = try await Application.make(.testing)
        do {
            try await DemoApp.configure(
                app, environment: ["DATABASE_URL": "sqlite::memory:", "SECRET_KEY": "x", "REST_AUTH_USE_JWT": "maybe"])
            Issue.record("started with REST_AUTH_USE_JWT=maybe")
        } catch let error as ConfigurationError {
            #expect(error.setting == "REST_AUTH_USE_JWT")
        }
        try await app.asyncShutdown()
    }

    @Test("In production the demo trusts no host until ALLOWED_HOSTS names one; in development this machine's")
    func productionHosts() async throws {
        let base = ["DATABASE_URL": "sqlite::memory:", "SECRET_KEY": "x", "PBKDF2_ITERATIONS": "1000"]
        let production = try await Application.make(.production)
        do {
            try await DemoApp.configure(production, environment: base)
            Issue.record("started in production without ALLOWED_HOSTS")
        } catch let error as ConfigurationError {
            #expect(error.setting == "ALLOWED_HOSTS")
        }
        try await production.asyncShutdown()

        for (environment, env, host, allowed) in [
            (
                Environment.production, base.merging(["ALLOWED_HOSTS": "api.example.com"]) { $1 }, "api.example.com",
                true
            ),
            (.production, base.merging(["ALLOWED_HOSTS": "api.example.com"]) { $1 }, "localhost", false),
            (.development, base, "localhost:8000", true), (.development, base, "evil.example", false),
            (.development, base.merging(["DEBUG": "false", "ALLOWED_HOSTS": "*"]) { $1 }, "evil.example", true),
        ] {
            let app = try await Application.make(environment)
            try await DemoApp.configure(app, environment: env)
            try await app.testing().test(.POST, "dj-rest-auth/password/reset/", headers: ["Host": host]) { response in
                #expect(response.status == .badRequest, "a field error when allowed, the host error when not")
                let detail = response.body.string
                #expect(detail.contains("HTTP_HOST") != allowed, "\(environment.name) \(host): \(detail)")
            }
            try await app.asyncShutdown()
        }
    }
}
