import Foundation
import Vapor

/// Every setting of dj-rest-auth's `REST_AUTH`, the django-allauth account settings its
/// endpoints depend on, simplejwt's `SIMPLE_JWT`, and the Django settings they read
/// (`SECRET_KEY`, password hashers and validators, session and CSRF cookies).
///
/// Defaults equal dj-rest-auth 7.2's. Set what you need and pass the value to
/// `app.restAuth.configure(_:)`; it is read once at boot, never per request.
///
/// ```swift
/// var config = RestAuthConfiguration(secretKey: Environment.get("SECRET_KEY")!)
/// config.emailVerification = .mandatory
/// config.loginMethods = [.email]
/// try await app.restAuth.configure(config)
/// ```
public struct RestAuthConfiguration: Sendable {
    // MARK: Django

    /// Django's `SECRET_KEY`: keys session signatures, reset tokens, confirmation keys and,
    /// unless `jwtSigningKey` is set, JWT signatures.
    public var secretKey: String
    /// Django 4.1's `SECRET_KEY_FALLBACKS`: earlier keys. Sessions, reset tokens,
    /// confirmation keys and MFA tokens signed with one are still accepted (a session read
    /// under one is re-signed with `secretKey`), and so are JWTs when `jwtSigningKey` is not
    /// set, until they expire; everything new is signed with `secretKey`. Drop a key once
    /// what it signed has expired.
    public var secretKeyFallbacks: [String] = []
    /// Django's `PASSWORD_HASHERS`: the first hashes new passwords, the others only verify
    /// and are replaced by the first on a good login.
    public var passwordHashers: [any PasswordHasher]
    /// Django's `AUTH_PASSWORD_VALIDATORS`, run in order; all their messages are reported.
    public var passwordValidators: [any PasswordValidator]
    /// Threads that compute password hashes (never the event loops). Default: one per core.
    public var passwordHashingThreads: Int
    /// The largest request body accepted under the API prefix, in bytes (Django's
    /// `DATA_UPLOAD_MAX_MEMORY_SIZE` role); a larger one is a 413. Default 1 MB.
    public var maxBodySize: Int
    /// Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS`: the most fields a form or multipart body
    /// may carry, and the most members and elements a JSON body may hold; more is a 400
    /// before any field is read. Nil: no limit (Django's `None`). Default 1000.
    public var maxNumberOfFields: Int? = 1000

    /// The user model (Django's `AUTH_USER_MODEL`): ``AuthUser`` in `auth_user`, or the
    /// app's own ``RestAuthUser``.
    public var userModel: any RestAuthUser.Type = AuthUser.self

    // MARK: Swap points (dj-rest-auth's serializer settings, allauth's adapter, signals)

    /// `LOGIN_SERIALIZER`.
    public var loginSerializer: any LoginSerializer = DefaultLoginSerializer()
    /// `TOKEN_SERIALIZER`.
    public var tokenSerializer: any TokenSerializer = DefaultTokenSerializer()
    /// `JWT_SERIALIZER`.
    public var jwtSerializer: any JWTSerializer = DefaultJWTSerializer(includeExpiration: false)
    /// `JWT_SERIALIZER_WITH_EXPIRATION` (used when `jwtAuthReturnExpiration`).
    public var jwtSerializerWithExpiration: any JWTSerializer = DefaultJWTSerializer(includeExpiration: true)
    /// `JWT_TOKEN_CLAIMS_SERIALIZER`: claims of the app's own in every token pair.
    public var jwtClaimsSerializer: any JWTClaimsSerializer = DefaultJWTClaimsSerializer()
    /// `USER_DETAILS_SERIALIZER`.
    public var userDetailsSerializer: any UserDetailsSerializer = DefaultUserDetailsSerializer()
    /// `PASSWORD_RESET_SERIALIZER`.
    public var passwordResetSerializer: any PasswordResetSerializer = DefaultPasswordResetSerializer()
    /// `PASSWORD_RESET_CONFIRM_SERIALIZER`.
    public var passwordResetConfirmSerializer: any PasswordResetConfirmSerializer =
        DefaultPasswordResetConfirmSerializer()
    /// `PASSWORD_CHANGE_SERIALIZER`.
    public var passwordChangeSerializer: any PasswordChangeSerializer = DefaultPasswordChangeSerializer()
    /// `REGISTER_SERIALIZER`.
    public var registerSerializer: any RegisterSerializer = DefaultRegisterSerializer()
    /// `REGISTER_PERMISSION_CLASSES`: each must let the sign-up through.
    public var registerPermissions: [any RegisterPermission] = [AllowAnyRegistration()]
    /// `TOKEN_CREATOR`.
    public var tokenCreator: any TokenCreator = DefaultTokenCreator()
    /// allauth's `ACCOUNT_ADAPTER`.
    public var accountAdapter: any AccountAdapter = DefaultAccountAdapter()
    /// Subscribers to account events, called in order after each change (signals' role).
    public var hooks: [AccountHook] = []

    // MARK: REST_AUTH

    /// `TOKEN_MODEL`: whether DRF tokens (`authtoken_token`) are issued and accepted.
    public var tokenModel: Bool = true
    /// `SESSION_LOGIN`: whether login also starts a Django session (cookie `sessionid`).
    public var sessionLogin: Bool = true
    /// `USE_JWT`: login returns JWT access and refresh tokens instead of a DRF token.
    public var useJWT: Bool = false
    /// `JWT_AUTH_COOKIE`: name of the cookie that carries the access token, or nil for none.
    public var jwtAuthCookie: String? = nil
    /// `JWT_AUTH_REFRESH_COOKIE`: name of the cookie that carries the refresh token, or nil.
    public var jwtAuthRefreshCookie: String? = nil
    /// `JWT_AUTH_REFRESH_COOKIE_PATH`.
    public var jwtAuthRefreshCookiePath: String = "/"
    /// `JWT_AUTH_SECURE`: the JWT cookies carry `Secure`.
    public var jwtAuthSecure: Bool = false
    /// `JWT_AUTH_HTTPONLY`: the JWT cookies carry `HttpOnly`, and the refresh token travels only in its cookie.
    public var jwtAuthHTTPOnly: Bool = true
    /// `JWT_AUTH_SAMESITE`.
    public var jwtAuthSameSite: CookieSameSite = .lax
    /// `JWT_AUTH_COOKIE_DOMAIN`.
    public var jwtAuthCookieDomain: String? = nil
    /// `JWT_AUTH_RETURN_EXPIRATION`: login and refresh return `access_expiration` and `refresh_expiration`.
    public var jwtAuthReturnExpiration: Bool = false
    /// `JWT_AUTH_COOKIE_USE_CSRF`: unsafe requests authenticated by the JWT cookie need a CSRF token.
    public var jwtAuthCookieUseCSRF: Bool = false
    /// `JWT_AUTH_COOKIE_ENFORCE_CSRF_ON_UNAUTHENTICATED`: CSRF is checked even without a valid cookie.
    public var jwtAuthCookieEnforceCSRFOnUnauthenticated: Bool = false
    /// `OLD_PASSWORD_FIELD_ENABLED`: password change asks for the current password.
    public var oldPasswordFieldEnabled: Bool = false
    /// `LOGOUT_ON_PASSWORD_CHANGE`: a password change ends the caller's session.
    public var logoutOnPasswordChange: Bool = false
    /// `PASSWORD_RESET_USE_SITES_DOMAIN`: reset links use `siteDomain` rather than the request's host.
    public var passwordResetUseSitesDomain: Bool = false
    /// The Sites framework's domain (`Site.domain`), for links when the request's host must not be used.
    public var siteDomain: String? = nil
    /// The site's name, shown in e-mails (`Site.name`).
    public var siteName: String? = nil

    // MARK: allauth account

    /// `ACCOUNT_EMAIL_VERIFICATION`.
    public var emailVerification: EmailVerification = .optional
    /// `ACCOUNT_SIGNUP_FIELDS`: which sign-up fields are required (both `username` and `email`
    /// by default, as the reference sets it; allauth's own default makes `email` optional).
    public var signupFields = SignupFields()
    /// `ACCOUNT_DEFAULT_HTTP_PROTOCOL`: `https` makes every link in mails https, as allauth's
    /// `build_absolute_uri` does; `http` keeps the request's scheme.
    public var defaultHTTPProtocol: String = "http"
    /// `ACCOUNT_LOGIN_METHODS`.
    public var loginMethods: Set<LoginMethod> = [.username, .email]
    /// `ACCOUNT_UNIQUE_EMAIL`: a verified address belongs to one account only.
    public var uniqueEmail: Bool = true
    /// `ACCOUNT_LOGOUT_ON_GET`: `GET logout/` logs out (otherwise it is a 405).
    public var logoutOnGet: Bool = false
    /// `ACCOUNT_USERNAME_MIN_LENGTH`.
    public var usernameMinLength: Int = 1
    /// The username's maximum length (the user model's `max_length`, 150).
    public var usernameMaxLength: Int = 150
    /// `ACCOUNT_USERNAME_BLACKLIST`, compared case-insensitively.
    public var usernameBlacklist: [String] = []
    /// `ACCOUNT_PRESERVE_USERNAME_CASING`: when false, usernames are stored in lower case.
    public var preserveUsernameCasing: Bool = true
    /// `ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS`.
    public var emailConfirmationExpireDays: Int = 3
    /// `ACCOUNT_EMAIL_SUBJECT_PREFIX` (nil: `[site name] `).
    public var emailSubjectPrefix: String? = nil
    /// django-cors-headers' `CORS_*` settings for the API's routes (off until an origin is allowed).
    public var cors = CORSSettings()

    // MARK: MFA

    /// dj-rest-auth's MFA (`REST_AUTH_MFA_*`): off unless `mfa.enabled`.
    public var mfa = MFAConfiguration()

    // MARK: Passkeys

    /// dj-rest-auth's passkeys (`REST_AUTH_PASSKEYS_ENABLED`, `PASSKEY_*`): off unless
    /// `passkeys.enabled`.
    public var passkeys = PasskeyConfiguration()

    /// `ACCOUNT_RATE_LIMITS`: allauth's rules by action, or nil when rate limiting is off.
    public var rateLimits: [String: String]? = RestAuthConfiguration.defaultRateLimits
    /// Where rate-limit counters live; nil keeps them in the database (`restauth_ratelimit`),
    /// shared by every instance.
    public var rateLimitStore: (any RateLimitStore)? = nil
    /// Keep the application logger at trace when it is set so. Vapor's HTTP server then
    /// logs every raw request, credentials included; by default the package raises the
    /// level to debug at boot.
    public var allowTraceLogging: Bool = false
    /// The rate limiter's clock (tests pin it to a slot's start).
    var rateLimitClock: @Sendable () -> Date = { Date() }
    /// `TRUSTED_PROXIES`: the proxies (addresses or CIDR networks) whose `X-Forwarded-For`
    /// is believed. From any other peer the header is ignored, so a client cannot choose
    /// the address its rate limits count.
    public var trustedProxies: [IPNetwork] = []
    /// `PASSWORD_RESET_TIMEOUT` (Django): how long a reset link works. Default three days.
    public var passwordResetTimeout: TimeInterval = 259_200
    /// `DEFAULT_FROM_EMAIL`.
    public var defaultFromEmail: String = "webmaster@localhost"
    /// Where reset links point; `{site}`, `{uid}` and `{token}` are filled in.
    public var passwordResetURLTemplate: String = "{site}/password-reset/confirm/{uid}/{token}/"
    /// Where confirmation links point; `{site}`, `{api}` (where the API is mounted, such as
    /// `/dj-rest-auth/`) and `{key}` are filled in. The default is dj-rest-auth's link, the
    /// API's `registration/account-confirm-email/<key>/` route.
    public var emailConfirmationURLTemplate: String = "{site}{api}registration/account-confirm-email/{key}/"
    /// Where a GET on the API's confirmation link (`registration/account-confirm-email/<key>/`)
    /// redirects, `{key}` filled in: the page of the client that posts the key to
    /// `registration/verify-email/`. Nil: that route answers a small page of its own (dj-rest-auth's
    /// is a template-less view, a 500). The GET never confirms anything itself.
    public var emailConfirmationRedirect: String? = nil

    // MARK: E-mail

    /// Who delivers mail. Nil: SMTP when `smtp` is set, else the console (the log).
    public var emailSender: (any EmailSender)? = nil
    /// `EMAIL_HOST`, `EMAIL_PORT`, `EMAIL_HOST_USER`, `EMAIL_HOST_PASSWORD`, `EMAIL_USE_TLS`,
    /// `EMAIL_USE_SSL`, `EMAIL_TIMEOUT`: the SMTP server, when mail goes out over SMTP.
    public var smtp: SMTPConfiguration? = nil
    /// The messages sent for password resets and address confirmations.
    public var emailTemplates: EmailTemplates = .allauth

    // MARK: Translations (Django's i18n settings)

    /// `USE_I18N`: when off, every answer is in English and names `LANGUAGE_CODE`.
    public var useI18N = true
    /// `LANGUAGE_CODE`: the language of a request that asks for none the server offers.
    public var languageCode = "en-us"
    /// `LANGUAGES`: the codes a request may get (Django's whole list by default); a language
    /// also needs a catalog, from `localePaths` or the package's own.
    public var languages: [String] = LanguageNegotiation.djangoLanguages
    /// `LOCALE_PATHS`: directories of `<locale>/LC_MESSAGES/django.mo` catalogs, the first
    /// one first, as Django ranks them. A Django project lists its own and those of the
    /// packages it had installed (Django's `conf/locale` last) to get exactly their words.
    public var localePaths: [String] = []
    /// `LANGUAGE_COOKIE_NAME`: the cookie that chooses the language before `Accept-Language`.
    public var languageCookieName = LanguageNegotiation.defaultCookieName
    /// Whether the package's own catalogs (German, French, Spanish, Brazilian Portuguese)
    /// translate: every message without `localePaths`, the package's own messages with them.
    public var packageCatalogs = true
    /// Django's `ALLOWED_HOSTS`: every request under the prefix must name one of these
    /// hosts in its `Host` header (`.example.com` also matches subdomains, `*` matches
    /// any), and the header must follow Django's domain/port grammar; otherwise it is a
    /// 400, as Django's `DisallowedHost`. Links in e-mails are built from the parsed
    /// domain and port, never the raw header, which stops "password reset poisoning".
    /// Empty (the default) with ``debug`` off allows no host: start-up then fails, as
    /// Django's `runserver` does, so set this in production.
    public var allowedHosts: [String] = []
    /// Django's `DEBUG`, for its one effect here: with ``allowedHosts`` empty, the hosts
    /// of a development machine are allowed (`.localhost`, `127.0.0.1`, `[::1]`).
    public var debug: Bool = false

    /// The hosts requests may name: ``allowedHosts``, or Django's development list when
    /// it is empty and ``debug`` is on.
    public var effectiveAllowedHosts: [String] {
        allowedHosts.isEmpty && debug ? [".localhost", "127.0.0.1", "[::1]"] : allowedHosts
    }

    // MARK: SIMPLE_JWT

    /// `ACCESS_TOKEN_LIFETIME`, in seconds.
    public var jwtAccessTokenLifetime: TimeInterval = 300
    /// `REFRESH_TOKEN_LIFETIME`, in seconds.
    public var jwtRefreshTokenLifetime: TimeInterval = 86_400
    /// `ROTATE_REFRESH_TOKENS`.
    public var jwtRotateRefreshTokens: Bool = false
    /// `BLACKLIST_AFTER_ROTATION`: a rotated refresh token is blacklisted, so it works
    /// once; a rotated token that comes back then revokes its family. Off (simplejwt's
    /// default), a rotated token keeps working until it expires, as with simplejwt.
    public var jwtBlacklistAfterRotation: Bool = false
    /// How long after a refresh token was rotated its reuse counts as the loser of a race
    /// (two tabs refreshing at once: refused, the winner's tokens kept) rather than a replay
    /// (refused, and the whole family revoked). `JWT_REFRESH_REUSE_GRACE`; 0 treats every
    /// reuse as a replay.
    public var jwtRefreshReuseGrace: TimeInterval = 5
    /// `UPDATE_LAST_LOGIN`. Accepted for compatibility; `last_login` is updated by every
    /// login in any case (dj-rest-auth's login view does it), and a refresh, as with
    /// simplejwt's refresh view, does not.
    public var jwtUpdateLastLogin: Bool = false
    /// `ALGORITHM`: HS256/384/512 sign with a shared secret; RS256/384/512, PS256/384/512,
    /// ES256/384/512 and EdDSA (Ed25519) with a key pair in ``jwtSigningKey`` and
    /// ``jwtVerifyingKey``.
    public var jwtAlgorithm: JWTAlgorithm = .hs256
    /// `SIGNING_KEY` (nil: `secretKey`): the HMAC secret, or the private key in PEM form
    /// (PKCS #8, or PKCS #1 / SEC 1) of the type ``jwtAlgorithm`` needs: RSA of at least
    /// 2048 bits for RS and PS, an EC key on the algorithm's curve for ES (P-256, P-384,
    /// P-521), Ed25519 for EdDSA. Another type is a ``ConfigurationError`` at start-up.
    public var jwtSigningKey: String? = nil
    /// `VERIFYING_KEY`: the public key in PEM form for the asymmetric algorithms, of the
    /// same type as the signing key (unused for HMAC). Required unless ``jwtJWKURL`` is set.
    public var jwtVerifyingKey: String? = nil
    /// `JWK_URL`: a JWKS document (an `http` or `https` URL) whose keys verify tokens
    /// made elsewhere, as simplejwt's PyJWKClient does: a token whose header names a
    /// `kid` is checked with the set's key of that id, which must fit ``jwtAlgorithm``.
    /// The set is fetched when first needed, kept five minutes, and fetched again for an
    /// unknown `kid` at most every 30 seconds. Tokens are still signed with
    /// ``jwtSigningKey``; those signed here name no `kid` and are checked with
    /// ``jwtVerifyingKey``, or the signing key's public half when that is unset. Ignored
    /// (with a warning) for the HS algorithms, as simplejwt ignores it.
    public var jwtJWKURL: String? = nil
    /// `AUDIENCE`.
    public var jwtAudience: String? = nil
    /// `ISSUER`.
    public var jwtIssuer: String? = nil
    /// `LEEWAY`, in seconds.
    public var jwtLeeway: TimeInterval = 0
    /// `USER_ID_CLAIM`: the claim that names the user.
    public var jwtUserIDClaim: String = "user_id"
    /// `USER_ID_FIELD`: the user's field whose value goes in ``jwtUserIDClaim``, and by
    /// which a token's user is found. `id` (or `pk`, or the model's key column): the
    /// primary key; `username` (or the model's username column): the username, matched
    /// exactly; `email` (or the model's e-mail column): the address in the user table,
    /// matched exactly, a token matching several users naming none. Anything else, or
    /// `username` for a model without usernames, is a ``ConfigurationError``.
    public var jwtUserIDField: String = "id"
    /// `TOKEN_TYPE_CLAIM`: the claim that says `access` or `refresh`.
    public var jwtTokenTypeClaim: String = "token_type"
    /// `JTI_CLAIM`: the claim that holds a token's unique id (kept in the blacklist).
    public var jwtJTIClaim: String = "jti"
    /// `AUTH_HEADER_TYPES`.
    public var jwtAuthHeaderTypes: [String] = ["Bearer"]

    // MARK: Sessions and CSRF (Django)

    /// `SESSION_COOKIE_NAME`.
    public var sessionCookieName: String = "sessionid"
    /// `SESSION_COOKIE_AGE`, in seconds (two weeks).
    public var sessionCookieAge: Int = 1_209_600
    /// `SESSION_COOKIE_SECURE`.
    public var sessionCookieSecure: Bool = false
    /// `SESSION_COOKIE_HTTPONLY`.
    public var sessionCookieHTTPOnly: Bool = true
    /// `SESSION_COOKIE_SAMESITE`.
    public var sessionCookieSameSite: CookieSameSite = .lax
    /// `SESSION_COOKIE_DOMAIN`.
    public var sessionCookieDomain: String? = nil
    /// `SESSION_COOKIE_PATH`.
    public var sessionCookiePath: String = "/"
    /// `CSRF_COOKIE_NAME`.
    public var csrfCookieName: String = "csrftoken"
    /// `CSRF_HEADER_NAME`, as sent by clients (Django spells it `HTTP_X_CSRFTOKEN`).
    public var csrfHeaderName: String = "X-CSRFToken"
    /// `CSRF_COOKIE_AGE`, in seconds (a year).
    public var csrfCookieAge: Int = 31_449_600
    /// `CSRF_COOKIE_SECURE`.
    public var csrfCookieSecure: Bool = false
    /// `CSRF_COOKIE_HTTPONLY`.
    public var csrfCookieHTTPOnly: Bool = false
    /// `CSRF_COOKIE_SAMESITE`.
    public var csrfCookieSameSite: CookieSameSite = .lax
    /// `CSRF_COOKIE_DOMAIN`.
    public var csrfCookieDomain: String? = nil
    /// `CSRF_COOKIE_PATH`.
    public var csrfCookiePath: String = "/"
    /// `CSRF_TRUSTED_ORIGINS`: origins (`https://app.example.com`, `https://*.example.com`)
    /// accepted besides the request's own.
    public var csrfTrustedOrigins: [String] = []

    /// A configuration with dj-rest-auth's defaults.
    public init(secretKey: String) {
        self.secretKey = secretKey
        self.passwordHashers = Self.defaultPasswordHashers
        self.passwordValidators = Self.defaultPasswordValidators
        self.passwordHashingThreads = System.coreCount
        self.maxBodySize = 1_048_576
    }

    /// Django's hashers that this package implements, in Django's order: PBKDF2-SHA256
    /// (1,000,000 iterations, Django 5.2's count), PBKDF2-SHA1, Argon2 (argon2-cffi's
    /// parameters), bcrypt-SHA256, bcrypt, scrypt.
    public static var defaultPasswordHashers: [any PasswordHasher] {
        [
            PBKDF2PasswordHasher(), PBKDF2PasswordHasher(algorithm: .sha1), Argon2PasswordHasher(),
            BCryptPasswordHasher(variant: .sha256), BCryptPasswordHasher(variant: .plain), ScryptPasswordHasher(),
        ]
    }

    /// Django's four validators in the order of its project template.
    public static var defaultPasswordValidators: [any PasswordValidator] {
        [
            UserAttributeSimilarityValidator(), MinimumLengthValidator(), CommonPasswordValidator.shared,
            NumericPasswordValidator(),
        ]
    }

    /// allauth's `ACCOUNT_RATE_LIMITS` defaults.
    public static let defaultRateLimits: [String: String] = [
        "change_password": "5/m/user",
        "manage_email": "10/m/user",
        "reset_password": "20/m/ip,5/m/key",
        "reauthenticate": "10/m/user",
        "reset_password_from_key": "20/m/ip",
        "signup": "20/m/ip",
        "login": "30/m/ip",
        "login_failed": "10/m/ip,5/5m/key",
        "confirm_email": "1/3m/key",
        // The second step of a login (this package's actions, in allauth's syntax): every
        // attempt per address; failures per ephemeral token and per user, so that a guesser
        // who has the password gets about 30 tries at a one-in-a-million code per day.
        "mfa_verify": "20/m/ip",
        "mfa_verify_failed": "5/5m/key,10/h/user,30/d/user",
    ]

    /// What serving needs beyond ``validate()``: hosts that requests may name. Django's
    /// `runserver` refuses to start with `ALLOWED_HOSTS` empty and `DEBUG` off, for every
    /// request would be refused; ``Application/RestAuth/configure(_:database:)`` does too.
    public func validateForServing() throws {
        try validate()
        if effectiveAllowedHosts.isEmpty {
            throw ConfigurationError(
                setting: "ALLOWED_HOSTS",
                message:
                    "is empty and DEBUG is off, so every request would be refused: list the hosts this server answers for (\"*\" accepts any)"
            )
        }
    }

    /// Checks the combination of settings; the error names the setting at fault.
    public func validate() throws {
        if !tokenModel && !useJWT && !sessionLogin {
            throw ConfigurationError(
                setting: "REST_AUTH_TOKEN_MODEL",
                message: "no way to authenticate: TOKEN_MODEL is None while USE_JWT and SESSION_LOGIN are both false")
        }
        for (action, rule) in rateLimits ?? [:] {
            do {
                _ = try RateLimitRule.parse(rule)
            } catch {
                throw ConfigurationError(setting: "ACCOUNT_RATE_LIMITS", message: "\(action): \(error)")
            }
        }
        try mfa.validate()
        try passkeys.validate()
        try cors.validate()
        if languageCode.isEmpty || !LanguageNegotiation.isLanguageCode(languageCode) {
            throw ConfigurationError(
                setting: "LANGUAGE_CODE", message: "\(languageCode.debugDescription) is not a language code")
        }
        if let code = languages.first(where: { !LanguageNegotiation.isLanguageCode($0) }) {
            throw ConfigurationError(setting: "LANGUAGES", message: "\(code.debugDescription) is not a language code")
        }
        if !uniqueEmail && loginMethods.contains(.email) {
            // allauth's system check: an address that several accounts share names none of them.
            throw ConfigurationError(
                setting: "ACCOUNT_UNIQUE_EMAIL",
                message:
                    "false needs ACCOUNT_LOGIN_METHODS without email (using email as a login method requires ACCOUNT_UNIQUE_EMAIL)"
            )
        }
        if secretKey.isEmpty {
            throw ConfigurationError(setting: "SECRET_KEY", message: "must not be empty")
        }
        if passwordHashers.isEmpty {
            throw ConfigurationError(setting: "PASSWORD_HASHERS", message: "needs at least one hasher")
        }
        if userModel.accountFields.username == nil && loginMethods.contains(.username) {
            throw ConfigurationError(
                setting: "ACCOUNT_LOGIN_METHODS",
                message: "the user model \(userModel) has no username; set the login methods to email only")
        }
        if loginMethods.isEmpty {
            throw ConfigurationError(setting: "ACCOUNT_LOGIN_METHODS", message: "needs username, email or both")
        }
        if usernameMinLength < 1 || usernameMaxLength < usernameMinLength || usernameMaxLength > 150 {
            throw ConfigurationError(
                setting: "ACCOUNT_USERNAME_MIN_LENGTH",
                message:
                    "needs 1 <= min length <= max length <= 150 (got \(usernameMinLength) and \(usernameMaxLength))")
        }
        if passwordResetUseSitesDomain && (siteDomain ?? "").isEmpty {
            // Otherwise every reset mail would be dropped, with only a log line to say so.
            throw ConfigurationError(
                setting: "REST_AUTH_PASSWORD_RESET_USE_SITES_DOMAIN", message: "needs SITE_DOMAIN, the site's domain")
        }
        if let smtp, smtp.host.isEmpty || !(1...65535).contains(smtp.port) {
            throw ConfigurationError(setting: "EMAIL_HOST", message: "needs a host and a port between 1 and 65535")
        }
        for template in [passwordResetURLTemplate, emailConfirmationURLTemplate] where !template.contains("{") {
            throw ConfigurationError(
                setting: template == passwordResetURLTemplate
                    ? "REST_AUTH_PASSWORD_RESET_URL_TEMPLATE" : "REST_AUTH_EMAIL_CONFIRMATION_URL_TEMPLATE",
                message: "must contain its placeholders ({uid} and {token}, or {key})")
        }
        if !passwordResetURLTemplate.contains("{uid}") || !passwordResetURLTemplate.contains("{token}") {
            throw ConfigurationError(
                setting: "REST_AUTH_PASSWORD_RESET_URL_TEMPLATE", message: "must contain {uid} and {token}")
        }
        if !emailConfirmationURLTemplate.contains("{key}") {
            throw ConfigurationError(
                setting: "REST_AUTH_EMAIL_CONFIRMATION_URL_TEMPLATE", message: "must contain {key}")
        }
        if passwordHashingThreads < 1 {
            throw ConfigurationError(setting: "PASSWORD_HASHING_THREADS", message: "needs at least one thread")
        }
        if let maxNumberOfFields, maxNumberOfFields < 1 {
            throw ConfigurationError(setting: "DATA_UPLOAD_MAX_NUMBER_FIELDS", message: "must be at least 1, or None")
        }
        if maxBodySize < 1024 {
            throw ConfigurationError(setting: "DATA_UPLOAD_MAX_MEMORY_SIZE", message: "must be at least 1024 bytes")
        }
        if useJWT && !jwtAlgorithm.isSymmetric && jwtVerifyingKey == nil && jwtJWKURL == nil {
            throw ConfigurationError(
                setting: "SIMPLE_JWT_VERIFYING_KEY",
                message: "\(jwtAlgorithm.rawValue) needs a verifying (public) key")
        }
        if useJWT, let url = jwtJWKURL {
            let parsed = URLComponents(string: url)
            guard let scheme = parsed?.scheme?.lowercased(), ["http", "https"].contains(scheme),
                parsed?.host?.isEmpty == false
            else {
                throw ConfigurationError(
                    setting: "SIMPLE_JWT_JWK_URL", message: "must be an http or https URL, got \(url.debugDescription)")
            }
        }
        if useJWT {
            _ = try resolvedJWTUserIDField()
            try validateJWTClaimNames()
        }
        if jwtAccessTokenLifetime <= 0 || jwtRefreshTokenLifetime <= 0 {
            throw ConfigurationError(setting: "SIMPLE_JWT_ACCESS_TOKEN_LIFETIME", message: "lifetimes must be positive")
        }
        if jwtAuthHeaderTypes.isEmpty {
            throw ConfigurationError(setting: "SIMPLE_JWT_AUTH_HEADER_TYPES", message: "needs at least one type")
        }
    }
}

/// How tokens name their user (`USER_ID_FIELD`).
enum JWTUserIDField: Sendable, Equatable {
    /// The primary key (`id`, `pk`).
    case key
    case username
    case email
}

extension RestAuthConfiguration {
    /// ``jwtUserIDField`` as the user model has it, or a ``ConfigurationError``.
    func resolvedJWTUserIDField() throws -> JWTUserIDField {
        let fields = userModel.accountFields
        let name = jwtUserIDField
        if ["id", "pk", fields.id.description].contains(name) { return .key }
        if name == "username" || name == fields.username?.description {
            guard fields.username != nil else {
                throw ConfigurationError(
                    setting: "SIMPLE_JWT_USER_ID_FIELD",
                    message: "the user model \(userModel) has no username; use id or email")
            }
            return .username
        }
        if name == "email" || name == fields.email.description { return .email }
        throw ConfigurationError(
            setting: "SIMPLE_JWT_USER_ID_FIELD",
            message:
                "\(name.debugDescription) is not a field tokens can name the user by: use id (pk), username or email")
    }

    /// The claims the package writes must have distinct, non-empty names.
    func validateJWTClaimNames() throws {
        let named = [
            ("SIMPLE_JWT_TOKEN_TYPE_CLAIM", jwtTokenTypeClaim), ("SIMPLE_JWT_JTI_CLAIM", jwtJTIClaim),
            ("SIMPLE_JWT_USER_ID_CLAIM", jwtUserIDClaim),
        ]
        var seen: Set<String> = ["exp", "iat", "nbf", "aud", "iss", JWTTokens.familyClaim]
        for (setting, claim) in named {
            if claim.isEmpty { throw ConfigurationError(setting: setting, message: "must name a claim") }
            guard seen.insert(claim).inserted else {
                throw ConfigurationError(
                    setting: setting,
                    message:
                        "\(claim.debugDescription) is already a claim of the token (exp, iat, nbf, aud, iss, fam and the other claim settings must differ)"
                )
            }
        }
    }
}

/// A setting with a value that cannot work; start-up stops with this message.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The setting's name as Django spells it (`REST_AUTH_USE_JWT`).
    public var setting: String
    public var message: String

    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }

    public var description: String { "Invalid setting \(setting): \(message)" }
}
