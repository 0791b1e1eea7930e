import Fluent
// The QR encoder lives in its own Foundation-only module (the restauth tool draws with it too);
// re-exported so that `QRCode` stays part of this library's API.
@_exported import RestAuthQRCode
import Vapor

struct QuietDatabaseKey: StorageKey {
    typealias Value = any Database
}

struct RestAuthStateKey: StorageKey {
    typealias Value = RestAuthState
}

extension Application {
    /// dj-rest-auth's account API for this application.
    ///
    /// ```swift
    /// app.databases.use(.sqlite(.file("db.sqlite")), as: .sqlite)
    /// try await app.restAuth.configure(RestAuthConfiguration(environment: Environment.process.all))
    /// try await app.autoMigrate()
    /// try app.restAuth.mount(at: "dj-rest-auth")
    /// ```
    public var restAuth: RestAuth { RestAuth(application: self) }

    public struct RestAuth: Sendable {
        public let application: Application

        /// The package's Fluent migrations for a user model, in order. They create Django's
        /// tables only where they do not exist yet, so a Django database keeps its data;
        /// `auth_user` itself only for Django's ``AuthUser`` (an app's model has its own);
        /// the MFA tables only with `mfa` (``MFAConfiguration/enabled``); the unique index on
        /// verified addresses only with `uniqueEmail` (without it, any such index is dropped);
        /// the passkey tables only with `passkeys` (``PasskeyConfiguration/enabled``).
        public static func migrations(
            for userModel: any RestAuthUser.Type = AuthUser.self, mfa: Bool = false, uniqueEmail: Bool = true,
            passkeys: Bool = false
        ) -> [any Migration] {
            let users = UserTable(userModel)
            var migrations: [any Migration] = []
            if userModel == AuthUser.self { migrations.append(CreateAuthUser()) }
            migrations += [
                CreateAuthToken(users: users), CreateEmailAddress(users: users, uniqueEmail: uniqueEmail),
                CreateDjangoSession(), CreateCaseInsensitiveUsernameIndex(users: users),
                CreateTokenBlacklist(users: users),
                uniqueEmail ? CreateCaseInsensitiveVerifiedEmailIndex() : DropVerifiedEmailUniqueness(),
                CreateRateLimitTable(), CreateFoldedLookupIndexes(users: users, uniqueEmail: uniqueEmail),
            ]
            if mfa { migrations.append(CreateMFATables(users: users)) }
            if passkeys { migrations.append(CreatePasskeyTables(users: users)) }
            return migrations
        }

        /// Validates and stores the configuration, loads the JWT keys, starts the
        /// password-hashing threads and adds the migrations for `database` (the default
        /// database when nil).
        public func configure(_ configuration: RestAuthConfiguration, database: DatabaseID? = nil) async throws {
            try configuration.validateForServing()
            let codec =
                configuration.useJWT ? try await JWTCodec.make(configuration, application: application) : nil
            if let hmac = codec?.signer as? HMACAlgorithm,
                (configuration.jwtSigningKey ?? configuration.secretKey).utf8.count < hmac.recommendedKeyBytes
            {
                application.logger.warning(
                    "The JWT signing key is shorter than the \(hmac.recommendedKeyBytes) bytes RFC 7518 recommends for \(hmac.name); set a longer SIMPLE_JWT_SIGNING_KEY or SECRET_KEY"
                )
            }
            if let codec, !codec.algorithm.isSymmetric, !codec.verifiesOwnTokens {
                application.logger.warning(
                    "SIMPLE_JWT_VERIFYING_KEY is not the public half of SIMPLE_JWT_SIGNING_KEY: every token this server signs will be refused here"
                )
            }
            if configuration.useJWT, configuration.jwtJWKURL != nil, configuration.jwtAlgorithm.isSymmetric {
                application.logger.warning(
                    "SIMPLE_JWT_JWK_URL is ignored under \(configuration.jwtAlgorithm.rawValue): HMAC tokens are verified with the signing key, as simplejwt does"
                )
            }
            // Now, before the first database connection is made: a connection keeps the
            // logger it was made with, and PostgresNIO traces every row it receives.
            raiseTraceLogging(unless: configuration.allowTraceLogging)
            if let previous = application.storage[RestAuthStateKey.self] { previous.pool.shutdown() }
            let state = try RestAuthState(configuration: configuration, jwtCodec: codec, logger: application.logger)
            if state.outbox.sender is ConsoleEmailSender {
                application.logger.warning(
                    "Mail goes to the log (the console sender): reset links and confirmation keys are printed there. Set EMAIL_HOST (or config.emailSender) outside development."
                )
            }
            application.storage[RestAuthStateKey.self] = state
            application.migrations.add(
                Self.migrations(
                    for: configuration.userModel, mfa: configuration.mfa.enabled,
                    uniqueEmail: configuration.uniqueEmail,
                    passkeys: configuration.passkeys.enabled),
                to: database)
            application.lifecycle.use(RestAuthShutdown(state: state))
        }

        /// Raises the application logger from trace to debug. At trace Vapor's HTTP server
        /// logs every request's head and body, and PostgresNIO every row it reads: passwords,
        /// tokens, cookies and reset keys. ``configure(_:database:)`` and boot call it unless
        /// `allowTraceLogging`; call it before the first use of the database when that
        /// comes first.
        public func raiseTraceLogging(unless allowed: Bool = false) {
            guard application.logger.logLevel == .trace, !allowed else { return }
            application.logger.logLevel = .debug
            application.logger.warning(
                "RestAuth: the log level is raised from trace to debug: at trace Vapor's HTTP server logs every request's headers and body and PostgresNIO every row, passwords, tokens and cookies included (set allowTraceLogging to keep trace, never in production)"
            )
        }

        var state: RestAuthState {
            guard let state = application.storage[RestAuthStateKey.self] else {
                fatalError("RestAuth is not configured: call app.restAuth.configure(_:) first")
            }
            return state
        }

        /// The configuration given to ``configure(_:database:)``.
        public var configuration: RestAuthConfiguration { state.configuration }

        /// Waits until every e-mail the package has posted has been handed to the sender
        /// (they go out in the background).
        public func deliverPendingEmail() async {
            await state.outbox.drain()
        }

        /// Hashing and checking of passwords with the configured hashers, off the event loops.
        public var passwords: PasswordService { state.passwords }

        /// Middleware that authenticates requests to the app's own routes as the API does
        /// (token header, then session cookie with CSRF); `req.restAuth.user` is then set.
        /// It does not refuse anonymous requests: use `req.restAuth.requireUser()` for that.
        public func authenticator() -> some AsyncMiddleware {
            AuthenticationMiddleware(authenticators: state.authenticators)
        }

        /// Serves the endpoints under `path` (dj-rest-auth's URLs: `login/`, `logout/`,
        /// `user/`, `password/change/`, `registration/`, ...). Trailing slashes are optional.
        public func mount(at path: PathComponent...) throws {
            try mount(on: application.routes, at: path)
        }

        /// Serves the endpoints under `path` of `routes` (a group with the app's own
        /// middleware, for instance).
        public func mount(on routes: any RoutesBuilder, at path: [PathComponent]) throws {
            let state = self.state
            var base = routes.grouped(path)
            // CORS outermost: a preflight is answered before anything else, and every answer
            // (errors too) carries the headers a browser needs to read it.
            if state.configuration.cors.isEnabled { base = base.grouped(CORSGate(settings: state.configuration.cors)) }
            let api = base.grouped(SecurityHeadersMiddleware()).grouped(LocaleMiddleware()).grouped(
                APIErrorMiddleware())
            // Anything else under the prefix is a DRF-shaped 404.
            for method in Endpoint.dispatchedMethods {
                api.on(method, "**") { request async throws -> Response in throw APIError.notFound(for: request) }
            }
            let endpoints = Endpoints(state: state).all + state.extraEndpoints.withLockedValue({ $0 })
            for endpoint in endpoints {
                endpoint.register(on: api, state: state)
            }
            ConfirmationLinkRoutes(state: state).register(on: api)
            let prefix = "/" + path.map(\.description).joined(separator: "/") + "/"
            state.mounted.withLockedValue { $0 = (prefix.replacingOccurrences(of: "//", with: "/"), endpoints) }
        }

        /// Serves some endpoints apart from the API (an extension's views the app wants
        /// elsewhere) under `path` of `routes`, with the API's authentication, errors, headers
        /// and CORS. They are not in the OpenAPI document.
        public func mount(_ endpoints: [RestAuthEndpoint], on routes: any RoutesBuilder, at path: [PathComponent])
            throws
        {
            let state = self.state
            var base = routes.grouped(path)
            if state.configuration.cors.isEnabled { base = base.grouped(CORSGate(settings: state.configuration.cors)) }
            let group = base.grouped(SecurityHeadersMiddleware()).grouped(LocaleMiddleware()).grouped(
                APIErrorMiddleware())
            for endpoint in endpoints { endpoint.register(on: group, state: state) }
        }

        /// The OpenAPI 3.1 document of the API as mounted: every route with its request
        /// body (JSON and form), its answers (DRF's error shapes included) and the
        /// credentials the configuration accepts. Call after ``mount(at:)``.
        ///
        /// `prefix` is where the API answers, when ``mount(on:at:)`` put it inside a group
        /// of the app's own (a group's path cannot be read back):
        ///
        /// ```swift
        /// try app.restAuth.mount(on: app.grouped("api"), at: ["auth"])
        /// let document = app.restAuth.openAPIDocument(prefix: "/api/auth/")
        /// app.get("openapi.json") { _ in Response.json(document) }
        /// ```
        public func openAPIDocument(
            title: String = "dj-rest-auth API", version: String = "1.0.0", prefix: String? = nil
        ) -> JSONValue {
            let state = self.state
            guard let mounted = state.mounted.withLockedValue({ $0 }) else {
                fatalError("RestAuth: openAPIDocument() needs the API mounted first: call mount(at:)")
            }
            var path = prefix ?? mounted.prefix
            if !path.hasPrefix("/") { path = "/" + path }
            if !path.hasSuffix("/") { path += "/" }
            return OpenAPIDocument(state: state, endpoints: mounted.endpoints, prefix: path).make(
                title: title, version: version)
        }

        /// Adds endpoints to the API (a package extending it, or the app): they are served
        /// under the prefix with the API's authentication, errors and dispatch. Call before
        /// ``mount(at:)``.
        public func add(_ endpoints: [RestAuthEndpoint]) {
            state.extraEndpoints.withLockedValue { $0.append(contentsOf: endpoints) }
        }
    }
}

/// At boot: no trace logging of raw requests. At shutdown: the messages under way are
/// delivered, then the hashing threads stop.
private struct RestAuthShutdown: LifecycleHandler {
    let state: RestAuthState

    /// At trace level Vapor's HTTP server logs every request's head and body through the
    /// application's logger: passwords, tokens, cookies and reset keys in every line. The
    /// application logger is raised to debug unless `allowTraceLogging` says otherwise.
    func willBoot(_ application: Application) throws {
        application.restAuth.raiseTraceLogging(unless: state.configuration.allowTraceLogging)
    }

    func shutdown(_ application: Application) {
        state.pool.shutdown()
    }

    func shutdownAsync(_ application: Application) async {
        await state.outbox.drain()
        state.pool.shutdown()
    }
}

extension Request {
    /// The account API's view of this request: who is authenticated, and how.
    public var restAuth: RestAuthRequest { RestAuthRequest(request: self) }
}

/// The account API's view of a request.
public struct RestAuthRequest: Sendable {
    let request: Request

    /// The authenticated user, if any (also in `req.auth` under its own type).
    public var user: (any RestAuthUser)? { request.storage[AuthenticatedUserKey.self] }

    /// The authenticated user as the app's model type.
    public func user<User: RestAuthUser>(as type: User.Type) -> User? { user as? User }

    /// The database for the package's queries: the default database, with the request's
    /// logger raised to `notice`. Fluent logs every query with its values at `debug`, and
    /// these values are token keys, password hashes, session data and reset state: the
    /// package's queries are never logged (an app's own queries are untouched).
    public var database: any Database {
        // Made once per request: handlers ask for it at every query.
        if let database = request.storage[QuietDatabaseKey.self] { return database }
        var logger = request.logger
        if logger.logLevel < .notice { logger.logLevel = .notice }
        let database = request.application.databases.database(logger: logger, on: request.eventLoop) ?? request.db
        request.storage[QuietDatabaseKey.self] = database
        return database
    }

    /// How the user was authenticated.
    public var credential: AuthCredential? { request.storage[AuthCredentialKey.self] }

    /// The context serializers and hooks receive, for this request.
    public var context: RestAuthContext {
        RestAuthContext(request: request, state: request.application.restAuth.state)
    }

    /// The authenticated user, or DRF's 401/403 "Authentication credentials were not provided."
    public func requireUser() throws -> any RestAuthUser {
        guard let user else {
            throw request.application.restAuth.state.notAuthenticated(request)
        }
        return user
    }
}
