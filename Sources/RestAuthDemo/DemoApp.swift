import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import RestAuth
import RestAuthSocial
import SQLKit
import Vapor

/// Everything the demo sets up, in one place so tests can build the same app.
enum DemoApp {
    /// `customize` changes the configuration read from `env` before it is used (tests give
    /// it an in-memory mail sender).
    static func configure(
        _ app: Application, environment env: [String: String],
        customize: (inout RestAuthConfiguration) -> Void = { _ in }
    ) async throws {
        // Before the secret key's table is read: see raiseTraceLogging.
        app.restAuth.raiseTraceLogging()
        let database = try DatabaseURL(env["DATABASE_URL"] ?? "sqlite://restauth.sqlite")
        // SQLite runs each connection's statements on the blocking pool, and its busy
        // handler spins on a pool thread while another connection holds the write lock.
        // With fewer threads than connections, the holder's next statement (its COMMIT)
        // can wait for a thread that spinners hold, for ever: give the pool more threads
        // than there are event loops (one SQLite connection each).
        app.threadPool = NIOThreadPool(numberOfThreads: max(4, System.coreCount * 2))
        switch database {
        // SQL is logged at trace, which raiseTraceLogging keeps off: a statement's log line
        // carries its bound values (token keys, password hashes, session data), and inside
        // a transaction it goes through the connection's logger, which no query can quiet.
        case .sqlite(let path):
            app.databases.use(
                .sqlite(.file(path), dataEncoder: .init(), dataDecoder: .init(), sqlLogLevel: .trace), as: .sqlite)
        case .sqliteMemory:
            app.databases.use(
                .sqlite(.memory, dataEncoder: .init(), dataDecoder: .init(), sqlLogLevel: .trace), as: .sqlite)
        case .postgres(let url):
            let pool = try PostgresPoolSettings(environment: env)
            var configuration: SQLPostgresConfiguration
            do {
                configuration = try SQLPostgresConfiguration(url: url)
            } catch {
                throw ConfigurationError(
                    setting: "DATABASE_URL", message: "is not a PostgreSQL URL this server can use: \(error)")
            }
            configuration.coreConfiguration.options.connectTimeout = pool.connectTimeout
            try PostgresPoolSettings.trustRootCertificate(
                env["DATABASE_SSLROOTCERT"] ?? PostgresPoolSettings.queryValue("sslrootcert", in: url),
                in: &configuration)
            app.databases.use(
                .postgres(
                    configuration: configuration, maxConnectionsPerEventLoop: pool.connectionsPerEventLoop,
                    connectionPoolTimeout: pool.poolTimeout, sqlLogLevel: .trace),
                as: .psql)
        }

        let secretKey = try await SecretKeyFile.secretKey(
            environment: env, database: database, on: app.db, logger: app.logger)
        // DEBUG follows Vapor's environment unless set: `--env production` trusts no host
        // but those ALLOWED_HOSTS lists (start-up fails without them); development trusts
        // this machine's names (.localhost, 127.0.0.1, [::1]), as Django's DEBUG does.
        var env = env
        if env["DEBUG"] == nil { env["DEBUG"] = app.environment == .production ? "false" : "true" }
        var configuration = try RestAuthConfiguration(environment: env, secretKey: secretKey)
        // The confirmation mail links to the API's registration/account-confirm-email/<key>/, as
        // dj-rest-auth's does; a browser that opens it lands on this demo's page, which confirms.
        if env["REST_AUTH_EMAIL_CONFIRMATION_REDIRECT"] == nil {
            configuration.emailConfirmationRedirect = "/account-confirm-email/{key}/"
        }
        customize(&configuration)
        for message in RestAuthConfiguration.deprecatedSettings(in: env) { app.logger.warning("\(message)") }
        for name in RestAuthConfiguration.unrecognisedSettings(
            in: env, alsoRead: SocialConfiguration.readsEnvironmentSetting)
        {
            app.logger.warning("\(name) is not a setting this server reads; ignored")
        }

        app.http.server.configuration.hostname = env["HOST"] ?? "127.0.0.1"
        if let port = env["PORT"] {
            guard let number = Int(port), (1...65535).contains(number) else {
                throw ConfigurationError(
                    setting: "PORT", message: "expected a port number, got \(port.debugDescription)")
            }
            app.http.server.configuration.port = number
        } else {
            app.http.server.configuration.port = 8000
        }

        // One line per request; errors under the API prefix are rendered by the package.
        app.middleware = Middlewares()
        app.middleware.use(RequestLogMiddleware())
        app.middleware.use(ErrorMiddleware.default(environment: app.environment))

        try await app.restAuth.configure(configuration)
        // Every provider whose credentials the environment holds, and the social-account
        // list and disconnect endpoints.
        let social: SocialConfiguration
        do {
            social = try SocialConfiguration.fromEnvironment(env)
        } catch let error as SocialConfigurationError {
            throw ConfigurationError(setting: "SOCIALACCOUNT_*", message: error.description)
        }
        try app.restAuthSocial.configure(social)
        if !social.entries.isEmpty {
            app.logger.info("social login: \(social.entries.map(\.provider.id).joined(separator: ", "))")
        }
        if case .sqlite = database {
            // Readers then never wait for a writer (a login storm writes last_login and sessions).
            try await (app.db as! any SQLDatabase).raw("PRAGMA journal_mode=WAL").run()
        }
        try await DemoMigrations.run(app, database: database)
        try app.restAuth.mount(at: "dj-rest-auth")
        try DemoPage.register(on: app, social: social, prefix: "/dj-rest-auth/")

        app.get("health") { _ in ["status": "ok"] }

        app.asyncCommands.use(CreateSuperuserCommand(), as: "createsuperuser")
        app.asyncCommands.use(ChangePasswordCommand(), as: "changepassword")
        app.asyncCommands.use(FlushExpiredTokensCommand(), as: "flushexpiredtokens")
        app.asyncCommands.use(HashBenchmarkCommand(), as: "benchmark-hash")
        app.asyncCommands.use(ParseBenchmarkCommand(), as: "benchmark-parse")
    }
}
