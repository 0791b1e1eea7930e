import Fluent
import NIOConcurrencyHelpers
import Vapor

/// Everything the endpoints share, built once at boot from the configuration.
final class RestAuthState: Sendable {
    let configuration: RestAuthConfiguration
    let pool: HashingThreadPool
    let passwords: PasswordService
    let sessions: SessionStore
    let csrf: CSRF
    let authenticators: [any RestAuthenticator]
    let users: UserStore
    let outbox: Outbox
    let mailer: Mailer
    let resetTokens: PasswordResetTokenGenerator
    let confirmationKeys: EmailConfirmationKey
    /// JWT issue and checks, when `USE_JWT`.
    let jwt: JWTTokens?
    let refreshTokens = RefreshTokenStore()
    /// Two-factor login and its management, when `REST_AUTH_MFA_ENABLED`.
    let mfa: MFAService?
    /// Passkeys' storage, when `REST_AUTH_PASSKEYS_ENABLED`.
    let passkeys: PasskeyStore?
    let rateLimiter: RateLimiter
    let audit: AuditLog
    /// The catalogs and the language of each request (Django's `LocaleMiddleware`).
    let translations: Translations
    /// Endpoints that packages extending the API added before mounting.
    let extraEndpoints = NIOLockedValueBox<[RestAuthEndpoint]>([])
    /// Where the API was mounted and what it serves there, for the OpenAPI document.
    let mounted = NIOLockedValueBox<(prefix: String, endpoints: [RestAuthEndpoint])?>(nil)

    init(configuration: RestAuthConfiguration, jwtCodec: JWTCodec?, logger: Logger) throws {
        self.configuration = configuration
        do {
            self.translations = try Translations(configuration: configuration)
        } catch {
            throw ConfigurationError(setting: "LOCALE_PATHS", message: "\(error)")
        }
        self.pool = HashingThreadPool(threads: configuration.passwordHashingThreads)
        self.passwords = PasswordService(hashers: configuration.passwordHashers, pool: pool)
        self.sessions = SessionStore(
            secretKey: configuration.secretKey, fallbacks: configuration.secretKeyFallbacks,
            age: configuration.sessionCookieAge)
        self.csrf = CSRF(configuration: configuration)
        self.users = UserStore(configuration: configuration)
        self.rateLimiter = RateLimiter(configuration: configuration)
        self.mfa = configuration.mfa.enabled ? MFAService(configuration: configuration) : nil
        self.passkeys =
            configuration.passkeys.enabled
            ? PasskeyStore(keyType: configuration.userModel.accountFields.keyType) : nil
        self.audit = AuditLog(clientAddress: rateLimiter.clientAddress)
        let sender: any EmailSender =
            configuration.emailSender ?? configuration.smtp.map { SMTPEmailSender(configuration: $0) }
            ?? ConsoleEmailSender(logger: logger)
        self.outbox = Outbox(sender: sender, logger: logger)
        self.mailer = Mailer(configuration: configuration)
        self.resetTokens = PasswordResetTokenGenerator(
            secret: configuration.secretKey, timeout: configuration.passwordResetTimeout,
            fallbacks: configuration.secretKeyFallbacks)
        self.confirmationKeys = EmailConfirmationKey(
            secretKey: configuration.secretKey, fallbacks: configuration.secretKeyFallbacks,
            expireDays: configuration.emailConfirmationExpireDays)
        let jwt = jwtCodec.map { JWTTokens(codec: $0, configuration: configuration) }
        self.jwt = jwt
        var authenticators: [any RestAuthenticator] = []
        // DRF tokens authenticate unless JWT replaced them (no token is issued then).
        if configuration.tokenModel && !configuration.useJWT { authenticators.append(TokenAuthenticator(users: users)) }
        if let jwt {
            authenticators.append(JWTAuthenticator(tokens: jwt, users: users, configuration: configuration, csrf: csrf))
        }
        if configuration.sessionLogin {
            authenticators.append(
                SessionAuthenticator(
                    cookieName: configuration.sessionCookieName, store: sessions, users: users, csrf: csrf))
        }
        self.authenticators = authenticators
    }

    /// The `WWW-Authenticate` challenge of the first authenticator (DRF's rule): with one,
    /// a missing credential is a 401; without, a 403.
    var challenge: String? { authenticators.first?.challenge }

    /// DRF's `NotAuthenticated`, in `request`'s language.
    func notAuthenticated(_ request: Request) -> APIError {
        let message = RestAuthMessages.Authentication.notAuthenticated.text(for: request)
        guard let challenge else { return .detail(.forbidden, message) }
        return .detail(.unauthorized, message, headers: ["WWW-Authenticate": challenge])
    }
}
