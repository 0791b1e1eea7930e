import Foundation

extension RestAuthConfiguration {
    /// Every environment variable the loader reads, for the README and for spotting typos.
    public static let environmentSettings: [String] = [
        "SECRET_KEY", "SECRET_KEY_FALLBACKS", "PASSWORD_HASHERS", "PBKDF2_ITERATIONS", "AUTH_PASSWORD_VALIDATORS",
        "PASSWORD_HASHING_THREADS",
        "DATA_UPLOAD_MAX_MEMORY_SIZE", "PASSWORD_RESET_TIMEOUT", "DEFAULT_FROM_EMAIL", "SITE_DOMAIN", "SITE_NAME",
        "REST_AUTH_TOKEN_MODEL", "REST_AUTH_SESSION_LOGIN", "REST_AUTH_USE_JWT", "REST_AUTH_JWT_AUTH_COOKIE",
        "REST_AUTH_JWT_AUTH_REFRESH_COOKIE", "REST_AUTH_JWT_AUTH_REFRESH_COOKIE_PATH", "REST_AUTH_JWT_AUTH_SECURE",
        "REST_AUTH_JWT_AUTH_HTTPONLY", "REST_AUTH_JWT_AUTH_SAMESITE", "REST_AUTH_JWT_AUTH_COOKIE_DOMAIN",
        "REST_AUTH_JWT_AUTH_RETURN_EXPIRATION", "REST_AUTH_JWT_AUTH_COOKIE_USE_CSRF",
        "REST_AUTH_JWT_AUTH_COOKIE_ENFORCE_CSRF_ON_UNAUTHENTICATED", "REST_AUTH_OLD_PASSWORD_FIELD_ENABLED",
        "REST_AUTH_LOGOUT_ON_PASSWORD_CHANGE", "REST_AUTH_PASSWORD_RESET_USE_SITES_DOMAIN",
        "REST_AUTH_PASSWORD_RESET_URL_TEMPLATE", "REST_AUTH_EMAIL_CONFIRMATION_URL_TEMPLATE",
        "REST_AUTH_EMAIL_CONFIRMATION_REDIRECT",
        "ACCOUNT_EMAIL_VERIFICATION", "ACCOUNT_LOGIN_METHODS", "ACCOUNT_UNIQUE_EMAIL", "ACCOUNT_LOGOUT_ON_GET",
        "ACCOUNT_USERNAME_MIN_LENGTH", "ACCOUNT_USERNAME_MAX_LENGTH", "ACCOUNT_USERNAME_BLACKLIST",
        "ACCOUNT_PRESERVE_USERNAME_CASING", "ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", "ACCOUNT_EMAIL_SUBJECT_PREFIX",
        "ACCOUNT_RATE_LIMITS", "ACCOUNT_SIGNUP_FIELDS", "ACCOUNT_EMAIL_REQUIRED", "ACCOUNT_USERNAME_REQUIRED",
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "TRUSTED_PROXIES", "JWT_REFRESH_REUSE_GRACE",
        "SIMPLE_JWT_ACCESS_TOKEN_LIFETIME",
        "SIMPLE_JWT_REFRESH_TOKEN_LIFETIME",
        "SIMPLE_JWT_ROTATE_REFRESH_TOKENS", "SIMPLE_JWT_BLACKLIST_AFTER_ROTATION", "SIMPLE_JWT_UPDATE_LAST_LOGIN",
        "SIMPLE_JWT_ALGORITHM", "SIMPLE_JWT_SIGNING_KEY", "SIMPLE_JWT_VERIFYING_KEY", "SIMPLE_JWT_AUDIENCE",
        "SIMPLE_JWT_ISSUER", "SIMPLE_JWT_LEEWAY", "SIMPLE_JWT_USER_ID_CLAIM", "SIMPLE_JWT_AUTH_HEADER_TYPES",
        "SIMPLE_JWT_JWK_URL", "SIMPLE_JWT_USER_ID_FIELD", "SIMPLE_JWT_TOKEN_TYPE_CLAIM", "SIMPLE_JWT_JTI_CLAIM",
        "SESSION_COOKIE_NAME", "SESSION_COOKIE_AGE", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_DOMAIN", "SESSION_COOKIE_PATH", "CSRF_COOKIE_NAME",
        "CSRF_HEADER_NAME", "CSRF_COOKIE_AGE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
        "CSRF_COOKIE_DOMAIN", "CSRF_COOKIE_PATH", "CSRF_TRUSTED_ORIGINS", "EMAIL_HOST", "EMAIL_PORT",
        "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "ALLOWED_HOSTS",
        "DEBUG", "DATA_UPLOAD_MAX_NUMBER_FIELDS", "REST_AUTH_MFA_ENABLED", "REST_AUTH_MFA_EPHEMERAL_TOKEN_TIMEOUT",
        "REST_AUTH_MFA_TOTP_DIGITS", "REST_AUTH_MFA_TOTP_PERIOD", "REST_AUTH_MFA_TOTP_ISSUER",
        "REST_AUTH_MFA_RECOVERY_CODE_COUNT", "REST_AUTH_MFA_SOCIAL_LOGIN_REQUIRES_CODE", "CORS_ALLOWED_ORIGINS",
        "CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ALLOW_ALL_ORIGINS", "CORS_ALLOW_CREDENTIALS", "CORS_ALLOW_HEADERS",
        "CORS_ALLOW_METHODS", "CORS_EXPOSE_HEADERS", "CORS_PREFLIGHT_MAX_AGE", "USE_I18N", "LANGUAGE_CODE",
        "LANGUAGES", "LOCALE_PATHS", "LANGUAGE_COOKIE_NAME", "REST_AUTH_PACKAGE_CATALOGS",
        "REST_AUTH_PASSKEYS_ENABLED", "PASSKEY_RP_ID", "PASSKEY_RP_NAME", "PASSKEY_RP_ORIGINS",
        "PASSKEY_CHALLENGE_TIMEOUT", "REST_AUTH_PASSKEY_ALLOW_CROSS_ORIGIN", "REST_AUTH_PASSKEY_UV_SATISFIES_MFA",
        "REST_AUTH_PASSKEY_REAUTHENTICATION_TIMEOUT",
    ]

    /// Builds the configuration from environment variables named as Django's settings
    /// (`REST_AUTH_USE_JWT`, `ACCOUNT_EMAIL_VERIFICATION`, `SIMPLE_JWT_ROTATE_REFRESH_TOKENS`, ...).
    /// Unset variables keep dj-rest-auth's defaults; a value that cannot be read throws a
    /// ``ConfigurationError`` that names the variable.
    ///
    /// - Parameter secretKey: used when `SECRET_KEY` is not in `environment`.
    public init(environment env: [String: String], secretKey fallbackSecretKey: String? = nil) throws {
        let reader = EnvironmentReader(env)
        guard let secretKey = reader.string("SECRET_KEY") ?? fallbackSecretKey, !secretKey.isEmpty else {
            throw ConfigurationError(setting: "SECRET_KEY", message: "is not set")
        }
        self.init(secretKey: secretKey)
        var c = self

        c.secretKeyFallbacks = try reader.list("SECRET_KEY_FALLBACKS") ?? c.secretKeyFallbacks
        let iterations = try reader.int("PBKDF2_ITERATIONS", min: 1) ?? PBKDF2PasswordHasher.defaultIterations
        if let names = try reader.list("PASSWORD_HASHERS") {
            c.passwordHashers = try names.map { try Self.hasher(named: $0, iterations: iterations) }
        } else {
            c.passwordHashers = c.passwordHashers.map {
                guard let pbkdf2 = $0 as? PBKDF2PasswordHasher else { return $0 }
                return PBKDF2PasswordHasher(algorithm: pbkdf2.digest, iterations: iterations)
            }
        }
        if let names = try reader.list("AUTH_PASSWORD_VALIDATORS") {
            c.passwordValidators = try names.map(Self.validator(named:))
        }
        c.passwordHashingThreads = try reader.int("PASSWORD_HASHING_THREADS", min: 1) ?? c.passwordHashingThreads
        c.maxBodySize = try reader.int("DATA_UPLOAD_MAX_MEMORY_SIZE", min: 1024) ?? c.maxBodySize
        if let fields = reader.string("DATA_UPLOAD_MAX_NUMBER_FIELDS"), fields.lowercased() == "none" {
            c.maxNumberOfFields = nil
        } else {
            c.maxNumberOfFields = try reader.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", min: 1) ?? c.maxNumberOfFields
        }
        c.passwordResetTimeout = try reader.seconds("PASSWORD_RESET_TIMEOUT") ?? c.passwordResetTimeout
        c.defaultFromEmail = reader.string("DEFAULT_FROM_EMAIL") ?? c.defaultFromEmail
        c.siteDomain = reader.string("SITE_DOMAIN") ?? c.siteDomain
        c.siteName = reader.string("SITE_NAME") ?? c.siteName

        if let value = reader.string("REST_AUTH_TOKEN_MODEL") {
            switch value.lowercased() {
            case "none", "null", "false", "0", "off", "no": c.tokenModel = false
            case "rest_framework.authtoken.models.token", "true", "1", "on", "yes": c.tokenModel = true
            default:
                throw ConfigurationError(
                    setting: "REST_AUTH_TOKEN_MODEL",
                    message: "expected None or rest_framework.authtoken.models.Token, got \(value.debugDescription)")
            }
        } else if env["REST_AUTH_TOKEN_MODEL"] != nil {
            c.tokenModel = false  // set but empty: None
        }
        c.sessionLogin = try reader.bool("REST_AUTH_SESSION_LOGIN") ?? c.sessionLogin
        c.useJWT = try reader.bool("REST_AUTH_USE_JWT") ?? c.useJWT
        c.jwtAuthCookie = reader.string("REST_AUTH_JWT_AUTH_COOKIE") ?? c.jwtAuthCookie
        c.jwtAuthRefreshCookie = reader.string("REST_AUTH_JWT_AUTH_REFRESH_COOKIE") ?? c.jwtAuthRefreshCookie
        c.jwtAuthRefreshCookiePath =
            reader.string("REST_AUTH_JWT_AUTH_REFRESH_COOKIE_PATH") ?? c.jwtAuthRefreshCookiePath
        c.jwtAuthSecure = try reader.bool("REST_AUTH_JWT_AUTH_SECURE") ?? c.jwtAuthSecure
        c.jwtAuthHTTPOnly = try reader.bool("REST_AUTH_JWT_AUTH_HTTPONLY") ?? c.jwtAuthHTTPOnly
        c.jwtAuthSameSite = try reader.sameSite("REST_AUTH_JWT_AUTH_SAMESITE") ?? c.jwtAuthSameSite
        c.jwtAuthCookieDomain = reader.string("REST_AUTH_JWT_AUTH_COOKIE_DOMAIN") ?? c.jwtAuthCookieDomain
        c.jwtAuthReturnExpiration = try reader.bool("REST_AUTH_JWT_AUTH_RETURN_EXPIRATION") ?? c.jwtAuthReturnExpiration
        c.jwtAuthCookieUseCSRF = try reader.bool("REST_AUTH_JWT_AUTH_COOKIE_USE_CSRF") ?? c.jwtAuthCookieUseCSRF
        c.jwtAuthCookieEnforceCSRFOnUnauthenticated =
            try reader.bool("REST_AUTH_JWT_AUTH_COOKIE_ENFORCE_CSRF_ON_UNAUTHENTICATED")
            ?? c.jwtAuthCookieEnforceCSRFOnUnauthenticated
        c.oldPasswordFieldEnabled = try reader.bool("REST_AUTH_OLD_PASSWORD_FIELD_ENABLED") ?? c.oldPasswordFieldEnabled
        c.logoutOnPasswordChange = try reader.bool("REST_AUTH_LOGOUT_ON_PASSWORD_CHANGE") ?? c.logoutOnPasswordChange
        c.passwordResetUseSitesDomain =
            try reader.bool("REST_AUTH_PASSWORD_RESET_USE_SITES_DOMAIN") ?? c.passwordResetUseSitesDomain
        c.passwordResetURLTemplate =
            reader.string("REST_AUTH_PASSWORD_RESET_URL_TEMPLATE") ?? c.passwordResetURLTemplate
        c.emailConfirmationURLTemplate =
            reader.string("REST_AUTH_EMAIL_CONFIRMATION_URL_TEMPLATE") ?? c.emailConfirmationURLTemplate
        c.emailConfirmationRedirect =
            reader.string("REST_AUTH_EMAIL_CONFIRMATION_REDIRECT") ?? c.emailConfirmationRedirect

        c.emailVerification =
            try reader.choice("ACCOUNT_EMAIL_VERIFICATION", EmailVerification.self) ?? c.emailVerification
        if let methods = try reader.list("ACCOUNT_LOGIN_METHODS") {
            c.loginMethods = Set(
                try methods.map { name in
                    guard let method = LoginMethod(rawValue: name.lowercased()) else {
                        throw ConfigurationError(
                            setting: "ACCOUNT_LOGIN_METHODS",
                            message: "expected username and/or email, got \(name.debugDescription)")
                    }
                    return method
                })
        }
        c.uniqueEmail = try reader.bool("ACCOUNT_UNIQUE_EMAIL") ?? c.uniqueEmail
        if let fields = try reader.jsonOrCommaList("ACCOUNT_SIGNUP_FIELDS") {
            c.signupFields = try SignupFields(fields)
        } else {
            // allauth 65 still reads the deprecated spellings into SIGNUP_FIELDS.
            c.signupFields.emailRequired = try reader.bool("ACCOUNT_EMAIL_REQUIRED") ?? c.signupFields.emailRequired
            c.signupFields.usernameRequired =
                try reader.bool("ACCOUNT_USERNAME_REQUIRED") ?? c.signupFields.usernameRequired
        }
        if let protocolName = reader.string("ACCOUNT_DEFAULT_HTTP_PROTOCOL") {
            guard ["http", "https"].contains(protocolName.lowercased()) else {
                throw ConfigurationError(
                    setting: "ACCOUNT_DEFAULT_HTTP_PROTOCOL",
                    message: "expected http or https, got \(protocolName.debugDescription)")
            }
            c.defaultHTTPProtocol = protocolName.lowercased()
        }
        c.logoutOnGet = try reader.bool("ACCOUNT_LOGOUT_ON_GET") ?? c.logoutOnGet
        c.usernameMinLength = try reader.int("ACCOUNT_USERNAME_MIN_LENGTH", min: 1) ?? c.usernameMinLength
        c.usernameMaxLength = try reader.int("ACCOUNT_USERNAME_MAX_LENGTH", min: 1) ?? c.usernameMaxLength
        c.usernameBlacklist = try reader.list("ACCOUNT_USERNAME_BLACKLIST") ?? c.usernameBlacklist
        c.preserveUsernameCasing = try reader.bool("ACCOUNT_PRESERVE_USERNAME_CASING") ?? c.preserveUsernameCasing
        c.emailConfirmationExpireDays =
            try reader.int("ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", min: 0) ?? c.emailConfirmationExpireDays
        if let prefix = env["ACCOUNT_EMAIL_SUBJECT_PREFIX"] { c.emailSubjectPrefix = prefix }
        if let rules = reader.string("ACCOUNT_RATE_LIMITS") {
            c.rateLimits = try Self.rateLimits(from: rules)
        }
        if let proxies = try reader.list("TRUSTED_PROXIES") {
            c.trustedProxies = try proxies.map { text in
                guard let network = IPNetwork(text) else {
                    throw ConfigurationError(
                        setting: "TRUSTED_PROXIES",
                        message: "\(text.debugDescription) is not an address or a network such as 10.0.0.0/8")
                }
                return network
            }
        }

        c.jwtAccessTokenLifetime = try reader.seconds("SIMPLE_JWT_ACCESS_TOKEN_LIFETIME") ?? c.jwtAccessTokenLifetime
        c.jwtRefreshTokenLifetime = try reader.seconds("SIMPLE_JWT_REFRESH_TOKEN_LIFETIME") ?? c.jwtRefreshTokenLifetime
        c.jwtRotateRefreshTokens = try reader.bool("SIMPLE_JWT_ROTATE_REFRESH_TOKENS") ?? c.jwtRotateRefreshTokens
        c.jwtBlacklistAfterRotation =
            try reader.bool("SIMPLE_JWT_BLACKLIST_AFTER_ROTATION") ?? c.jwtBlacklistAfterRotation
        c.jwtRefreshReuseGrace =
            try reader.seconds("JWT_REFRESH_REUSE_GRACE", allowZero: true) ?? c.jwtRefreshReuseGrace
        c.jwtUpdateLastLogin = try reader.bool("SIMPLE_JWT_UPDATE_LAST_LOGIN") ?? c.jwtUpdateLastLogin
        c.jwtAlgorithm = try reader.choice("SIMPLE_JWT_ALGORITHM", JWTAlgorithm.self) ?? c.jwtAlgorithm
        c.jwtSigningKey = reader.string("SIMPLE_JWT_SIGNING_KEY") ?? c.jwtSigningKey
        c.jwtVerifyingKey = reader.string("SIMPLE_JWT_VERIFYING_KEY") ?? c.jwtVerifyingKey
        c.jwtAudience = reader.string("SIMPLE_JWT_AUDIENCE") ?? c.jwtAudience
        c.jwtIssuer = reader.string("SIMPLE_JWT_ISSUER") ?? c.jwtIssuer
        c.jwtLeeway = try reader.seconds("SIMPLE_JWT_LEEWAY", allowZero: true) ?? c.jwtLeeway
        c.jwtUserIDClaim = reader.string("SIMPLE_JWT_USER_ID_CLAIM") ?? c.jwtUserIDClaim
        c.jwtJWKURL = reader.string("SIMPLE_JWT_JWK_URL") ?? c.jwtJWKURL
        c.jwtUserIDField = reader.string("SIMPLE_JWT_USER_ID_FIELD") ?? c.jwtUserIDField
        c.jwtTokenTypeClaim = reader.string("SIMPLE_JWT_TOKEN_TYPE_CLAIM") ?? c.jwtTokenTypeClaim
        c.jwtJTIClaim = reader.string("SIMPLE_JWT_JTI_CLAIM") ?? c.jwtJTIClaim
        c.jwtAuthHeaderTypes = try reader.list("SIMPLE_JWT_AUTH_HEADER_TYPES") ?? c.jwtAuthHeaderTypes

        c.cors.allowedOrigins = try reader.list("CORS_ALLOWED_ORIGINS") ?? c.cors.allowedOrigins
        c.cors.allowedOriginRegexes = try reader.list("CORS_ALLOWED_ORIGIN_REGEXES") ?? c.cors.allowedOriginRegexes
        c.cors.allowAllOrigins = try reader.bool("CORS_ALLOW_ALL_ORIGINS") ?? c.cors.allowAllOrigins
        c.cors.allowCredentials = try reader.bool("CORS_ALLOW_CREDENTIALS") ?? c.cors.allowCredentials
        c.cors.allowHeaders = try reader.list("CORS_ALLOW_HEADERS") ?? c.cors.allowHeaders
        c.cors.allowMethods = try reader.list("CORS_ALLOW_METHODS") ?? c.cors.allowMethods
        c.cors.exposeHeaders = try reader.list("CORS_EXPOSE_HEADERS") ?? c.cors.exposeHeaders
        c.cors.preflightMaxAge = try reader.int("CORS_PREFLIGHT_MAX_AGE", min: 0) ?? c.cors.preflightMaxAge

        c.mfa.enabled = try reader.bool("REST_AUTH_MFA_ENABLED") ?? c.mfa.enabled
        c.mfa.ephemeralTokenTimeout =
            try reader.seconds("REST_AUTH_MFA_EPHEMERAL_TOKEN_TIMEOUT") ?? c.mfa.ephemeralTokenTimeout
        c.mfa.totpDigits = try reader.int("REST_AUTH_MFA_TOTP_DIGITS", min: 1) ?? c.mfa.totpDigits
        c.mfa.totpPeriod = try reader.int("REST_AUTH_MFA_TOTP_PERIOD", min: 1) ?? c.mfa.totpPeriod
        if let issuer = env["REST_AUTH_MFA_TOTP_ISSUER"] { c.mfa.totpIssuer = issuer }
        c.mfa.recoveryCodeCount = try reader.int("REST_AUTH_MFA_RECOVERY_CODE_COUNT", min: 1) ?? c.mfa.recoveryCodeCount
        c.mfa.socialLoginRequiresCode =
            try reader.bool("REST_AUTH_MFA_SOCIAL_LOGIN_REQUIRES_CODE") ?? c.mfa.socialLoginRequiresCode
        c.passkeys.enabled = try reader.bool("REST_AUTH_PASSKEYS_ENABLED") ?? c.passkeys.enabled
        if let id = env["PASSKEY_RP_ID"] { c.passkeys.rpID = id }
        if let name = env["PASSKEY_RP_NAME"] { c.passkeys.rpName = name }
        c.passkeys.origins = try reader.list("PASSKEY_RP_ORIGINS") ?? c.passkeys.origins
        c.passkeys.challengeTimeout = try reader.seconds("PASSKEY_CHALLENGE_TIMEOUT") ?? c.passkeys.challengeTimeout
        c.passkeys.allowCrossOrigin =
            try reader.bool("REST_AUTH_PASSKEY_ALLOW_CROSS_ORIGIN") ?? c.passkeys.allowCrossOrigin
        c.passkeys.userVerificationSatisfiesMFA =
            try reader.bool("REST_AUTH_PASSKEY_UV_SATISFIES_MFA") ?? c.passkeys.userVerificationSatisfiesMFA
        c.passkeys.reauthenticationTimeout =
            try reader.seconds("REST_AUTH_PASSKEY_REAUTHENTICATION_TIMEOUT", allowZero: true)
            ?? c.passkeys.reauthenticationTimeout

        c.sessionCookieName = reader.string("SESSION_COOKIE_NAME") ?? c.sessionCookieName
        c.sessionCookieAge = try reader.int("SESSION_COOKIE_AGE", min: 1) ?? c.sessionCookieAge
        c.sessionCookieSecure = try reader.bool("SESSION_COOKIE_SECURE") ?? c.sessionCookieSecure
        c.sessionCookieHTTPOnly = try reader.bool("SESSION_COOKIE_HTTPONLY") ?? c.sessionCookieHTTPOnly
        c.sessionCookieSameSite = try reader.sameSite("SESSION_COOKIE_SAMESITE") ?? c.sessionCookieSameSite
        c.sessionCookieDomain = reader.string("SESSION_COOKIE_DOMAIN") ?? c.sessionCookieDomain
        c.sessionCookiePath = reader.string("SESSION_COOKIE_PATH") ?? c.sessionCookiePath
        c.csrfCookieName = reader.string("CSRF_COOKIE_NAME") ?? c.csrfCookieName
        if let header = reader.string("CSRF_HEADER_NAME") { c.csrfHeaderName = Self.headerName(fromDjangoMeta: header) }
        c.csrfCookieAge = try reader.int("CSRF_COOKIE_AGE", min: 1) ?? c.csrfCookieAge
        c.csrfCookieSecure = try reader.bool("CSRF_COOKIE_SECURE") ?? c.csrfCookieSecure
        c.csrfCookieHTTPOnly = try reader.bool("CSRF_COOKIE_HTTPONLY") ?? c.csrfCookieHTTPOnly
        c.csrfCookieSameSite = try reader.sameSite("CSRF_COOKIE_SAMESITE") ?? c.csrfCookieSameSite
        c.csrfCookieDomain = reader.string("CSRF_COOKIE_DOMAIN") ?? c.csrfCookieDomain
        c.csrfCookiePath = reader.string("CSRF_COOKIE_PATH") ?? c.csrfCookiePath
        c.csrfTrustedOrigins = try reader.list("CSRF_TRUSTED_ORIGINS") ?? c.csrfTrustedOrigins

        if let host = reader.string("EMAIL_HOST") {
            let useTLS = try reader.bool("EMAIL_USE_TLS") ?? false
            let useSSL = try reader.bool("EMAIL_USE_SSL") ?? false
            if useTLS && useSSL {
                throw ConfigurationError(
                    setting: "EMAIL_USE_TLS", message: "EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive; set one"
                )
            }
            var smtp = SMTPConfiguration(
                host: host, port: try reader.int("EMAIL_PORT", min: 1) ?? (useSSL ? 465 : 25),
                username: reader.string("EMAIL_HOST_USER"), password: env["EMAIL_HOST_PASSWORD"],
                security: useSSL ? .tls : (useTLS ? .startTLS : .none))
            if let timeout = try reader.seconds("EMAIL_TIMEOUT") { smtp.timeout = .milliseconds(Int64(timeout * 1000)) }
            c.smtp = smtp
        }
        c.allowedHosts = try reader.list("ALLOWED_HOSTS") ?? c.allowedHosts
        c.useI18N = try reader.bool("USE_I18N") ?? c.useI18N
        c.languageCode = reader.string("LANGUAGE_CODE") ?? c.languageCode
        c.languages = try reader.languages("LANGUAGES") ?? c.languages
        c.localePaths = try reader.list("LOCALE_PATHS") ?? c.localePaths
        c.languageCookieName = reader.string("LANGUAGE_COOKIE_NAME") ?? c.languageCookieName
        c.packageCatalogs = try reader.bool("REST_AUTH_PACKAGE_CATALOGS") ?? c.packageCatalogs
        c.debug = try reader.bool("DEBUG") ?? c.debug

        try c.validate()
        self = c
    }

    /// Variables that look like settings of this package (`REST_AUTH_*`, `SIMPLE_JWT_*`) but
    /// are not read by it: usually a typo worth a warning.
    /// Settings allauth reads but has deprecated, with what replaces them: worth a warning
    /// at start-up, as allauth gives one.
    public static func deprecatedSettings(in env: [String: String]) -> [String] {
        var messages: [String] = []
        for name in ["ACCOUNT_EMAIL_REQUIRED", "ACCOUNT_USERNAME_REQUIRED"] where env[name] != nil {
            let ignored = env["ACCOUNT_SIGNUP_FIELDS"] != nil ? " (ignored: ACCOUNT_SIGNUP_FIELDS is set)" : ""
            messages.append("\(name) is deprecated in allauth 65: use ACCOUNT_SIGNUP_FIELDS\(ignored)")
        }
        return messages
    }

    /// Variables named as settings of dj-rest-auth, allauth, simplejwt, django-cors-headers
    /// (`REST_AUTH_*`, `ACCOUNT_*`, `SOCIALACCOUNT_*`, `SIMPLE_JWT_*`, `CORS_*`) or of Django
    /// itself (`SESSION_ENGINE`, `TIME_ZONE`, ...) that the package does not read: a typo, or
    /// a setting a Django team expects to apply that does not, each worth a warning.
    /// `alsoRead` says which names something else (the social package, the app) reads.
    public static func unrecognisedSettings(
        in env: [String: String], alsoRead: (String) -> Bool = { _ in false }
    ) -> [String] {
        let known = Set(environmentSettings)
        let prefixes = ["REST_AUTH_", "SIMPLE_JWT_", "ACCOUNT_", "SOCIALACCOUNT_", "CORS_"]
        return env.keys.filter { name in
            (prefixes.contains { name.hasPrefix($0) } || djangoSettings.contains(name)) && !known.contains(name)
                && !alsoRead(name)
        }.sorted()
    }

    /// Every setting Django 5.2 defines (`django.conf.global_settings`).
    public static let djangoSettings: Set<String> = [
        "ABSOLUTE_URL_OVERRIDES", "ADMINS", "ALLOWED_HOSTS", "APPEND_SLASH", "AUTHENTICATION_BACKENDS",
        "AUTH_PASSWORD_VALIDATORS", "AUTH_USER_MODEL", "CACHES", "CACHE_MIDDLEWARE_ALIAS",
        "CACHE_MIDDLEWARE_KEY_PREFIX", "CACHE_MIDDLEWARE_SECONDS", "CSRF_COOKIE_AGE", "CSRF_COOKIE_DOMAIN",
        "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_NAME", "CSRF_COOKIE_PATH", "CSRF_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE", "CSRF_FAILURE_VIEW", "CSRF_HEADER_NAME", "CSRF_TRUSTED_ORIGINS", "CSRF_USE_SESSIONS",
        "DATABASES", "DATABASE_ROUTERS", "DATA_UPLOAD_MAX_MEMORY_SIZE", "DATA_UPLOAD_MAX_NUMBER_FIELDS",
        "DATA_UPLOAD_MAX_NUMBER_FILES", "DATETIME_FORMAT", "DATETIME_INPUT_FORMATS", "DATE_FORMAT",
        "DATE_INPUT_FORMATS", "DEBUG", "DEBUG_PROPAGATE_EXCEPTIONS", "DECIMAL_SEPARATOR", "DEFAULT_AUTO_FIELD",
        "DEFAULT_CHARSET", "DEFAULT_EXCEPTION_REPORTER", "DEFAULT_EXCEPTION_REPORTER_FILTER", "DEFAULT_FROM_EMAIL",
        "DEFAULT_INDEX_TABLESPACE", "DEFAULT_TABLESPACE", "DISALLOWED_USER_AGENTS", "EMAIL_BACKEND", "EMAIL_HOST",
        "EMAIL_HOST_PASSWORD", "EMAIL_HOST_USER", "EMAIL_PORT", "EMAIL_SSL_CERTFILE", "EMAIL_SSL_KEYFILE",
        "EMAIL_SUBJECT_PREFIX", "EMAIL_TIMEOUT", "EMAIL_USE_LOCALTIME", "EMAIL_USE_SSL", "EMAIL_USE_TLS",
        "FILE_UPLOAD_DIRECTORY_PERMISSIONS", "FILE_UPLOAD_HANDLERS", "FILE_UPLOAD_MAX_MEMORY_SIZE",
        "FILE_UPLOAD_PERMISSIONS", "FILE_UPLOAD_TEMP_DIR", "FIRST_DAY_OF_WEEK", "FIXTURE_DIRS", "FORCE_SCRIPT_NAME",
        "FORMAT_MODULE_PATH", "FORMS_URLFIELD_ASSUME_HTTPS", "FORM_RENDERER", "IGNORABLE_404_URLS",
        "INSTALLED_APPS", "INTERNAL_IPS", "LANGUAGES", "LANGUAGES_BIDI", "LANGUAGE_CODE", "LANGUAGE_COOKIE_AGE",
        "LANGUAGE_COOKIE_DOMAIN", "LANGUAGE_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_NAME", "LANGUAGE_COOKIE_PATH",
        "LANGUAGE_COOKIE_SAMESITE", "LANGUAGE_COOKIE_SECURE", "LOCALE_PATHS", "LOGGING", "LOGGING_CONFIG",
        "LOGIN_REDIRECT_URL", "LOGIN_URL", "LOGOUT_REDIRECT_URL", "MANAGERS", "MEDIA_ROOT", "MEDIA_URL",
        "MESSAGE_STORAGE", "MIDDLEWARE", "MIGRATION_MODULES", "MONTH_DAY_FORMAT", "NUMBER_GROUPING",
        "PASSWORD_HASHERS", "PASSWORD_RESET_TIMEOUT", "PREPEND_WWW", "SECRET_KEY", "SECRET_KEY_FALLBACKS",
        "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER", "SECURE_REDIRECT_EXEMPT",
        "SECURE_REFERRER_POLICY", "SECURE_SSL_HOST", "SECURE_SSL_REDIRECT", "SERVER_EMAIL", "SESSION_CACHE_ALIAS",
        "SESSION_COOKIE_AGE", "SESSION_COOKIE_DOMAIN", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_NAME",
        "SESSION_COOKIE_PATH", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_SECURE", "SESSION_ENGINE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_FILE_PATH", "SESSION_SAVE_EVERY_REQUEST", "SESSION_SERIALIZER",
        "SHORT_DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SIGNED_COOKIE_LEGACY_SALT_FALLBACK", "SIGNING_BACKEND",
        "SILENCED_SYSTEM_CHECKS", "STATICFILES_DIRS", "STATICFILES_FINDERS", "STATIC_ROOT", "STATIC_URL",
        "STORAGES", "TEMPLATES", "TEST_NON_SERIALIZED_APPS", "TEST_RUNNER", "THOUSAND_SEPARATOR", "TIME_FORMAT",
        "TIME_INPUT_FORMATS", "TIME_ZONE", "USE_I18N", "USE_THOUSAND_SEPARATOR", "USE_TZ", "USE_X_FORWARDED_HOST",
        "USE_X_FORWARDED_PORT", "WSGI_APPLICATION", "X_FRAME_OPTIONS", "YEAR_MONTH_FORMAT",
    ]

    /// `HTTP_X_CSRFTOKEN` (Django's spelling) becomes `X-CSRFToken`'s equivalent `X-Csrftoken`;
    /// a plain header name is kept.
    static func headerName(fromDjangoMeta value: String) -> String {
        guard value.hasPrefix("HTTP_") else { return value }
        return value.dropFirst(5).split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }
            .joined(separator: "-")
    }

    static func hasher(named name: String, iterations: Int) throws -> any PasswordHasher {
        let short = name.split(separator: ".").last.map(String.init) ?? name
        switch short.lowercased() {
        case "pbkdf2_sha256", "pbkdf2passwordhasher": return PBKDF2PasswordHasher(iterations: iterations)
        case "pbkdf2_sha1", "pbkdf2sha1passwordhasher":
            return PBKDF2PasswordHasher(algorithm: .sha1, iterations: iterations)
        case "bcrypt_sha256", "bcryptsha256passwordhasher": return BCryptPasswordHasher(variant: .sha256)
        case "bcrypt", "bcryptpasswordhasher": return BCryptPasswordHasher(variant: .plain)
        case "scrypt", "scryptpasswordhasher": return ScryptPasswordHasher()
        case "md5", "md5passwordhasher": return MD5PasswordHasher()
        case "argon2", "argon2passwordhasher": return Argon2PasswordHasher()
        default:
            throw ConfigurationError(
                setting: "PASSWORD_HASHERS",
                message:
                    "unknown hasher \(name.debugDescription) (known: pbkdf2_sha256, pbkdf2_sha1, argon2, bcrypt_sha256, bcrypt, scrypt, md5)"
            )
        }
    }

    static func validator(named name: String) throws -> any PasswordValidator {
        let short = name.split(separator: ".").last.map(String.init) ?? name
        switch short.lowercased() {
        case "userattributesimilarityvalidator", "similarity": return UserAttributeSimilarityValidator()
        case "minimumlengthvalidator", "minimum_length": return MinimumLengthValidator()
        case "commonpasswordvalidator", "common": return CommonPasswordValidator.shared
        case "numericpasswordvalidator", "numeric": return NumericPasswordValidator()
        default:
            throw ConfigurationError(
                setting: "AUTH_PASSWORD_VALIDATORS",
                message:
                    "unknown validator \(name.debugDescription) (known: UserAttributeSimilarityValidator, MinimumLengthValidator, CommonPasswordValidator, NumericPasswordValidator)"
            )
        }
    }

    /// `false` turns rate limits off; a JSON object overrides the actions it names and keeps
    /// allauth's defaults for the others (`{}` is the defaults), as allauth merges its setting.
    static func rateLimits(from text: String) throws -> [String: String]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if ["false", "0", "off", "no", "none"].contains(trimmed.lowercased()) { return nil }
        if ["true", "1", "on", "yes"].contains(trimmed.lowercased()) { return defaultRateLimits }
        guard let data = trimmed.data(using: .utf8),
            let object = try? JSONDecoder().decode([String: JSONValue].self, from: data)
        else {
            throw ConfigurationError(
                setting: "ACCOUNT_RATE_LIMITS",
                message: "expected false or a JSON object such as {\"login\": \"30/m/ip\"}")
        }
        var merged = defaultRateLimits
        for (action, rule) in object {
            switch rule {
            case .string(let value): merged[action] = value
            case .bool(false), .null: merged[action] = nil
            default:
                throw ConfigurationError(
                    setting: "ACCOUNT_RATE_LIMITS", message: "the rule for \(action.debugDescription) must be a string")
            }
        }
        return merged
    }
}

/// Reads typed values from environment variables; every failure names the variable.
struct EnvironmentReader {
    let env: [String: String]

    init(_ env: [String: String]) { self.env = env }

    /// The value, or nil when unset or empty.
    func string(_ name: String) -> String? {
        guard let value = env[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    func bool(_ name: String) throws -> Bool? {
        guard let value = string(name) else { return nil }
        switch value.lowercased() {
        case "1", "true", "yes", "on", "t", "y": return true
        case "0", "false", "no", "off", "f", "n": return false
        default:
            throw ConfigurationError(setting: name, message: "expected true or false, got \(value.debugDescription)")
        }
    }

    func int(_ name: String, min: Int) throws -> Int? {
        guard let value = string(name) else { return nil }
        guard let number = Int(value), number >= min else {
            throw ConfigurationError(
                setting: name, message: "expected a whole number of at least \(min), got \(value.debugDescription)")
        }
        return number
    }

    func seconds(_ name: String, allowZero: Bool = false) throws -> TimeInterval? {
        guard let value = string(name) else { return nil }
        guard let number = TimeInterval(value), number.isFinite, allowZero ? number >= 0 : number > 0 else {
            throw ConfigurationError(
                setting: name, message: "expected a number of seconds, got \(value.debugDescription)")
        }
        return number
    }

    /// A list setting: a JSON list of strings (`["a", "b"]`, as the reference's settings read
    /// them) or comma-separated names. A JSON list that is not one of strings is an error.
    func list(_ name: String) throws -> [String]? {
        try jsonOrCommaList(name)
    }

    func jsonOrCommaList(_ name: String) throws -> [String]? {
        guard let value = env[name] else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("[") {
            guard case .array(let items)? = try? JSONValue.parse(Array(trimmed.utf8)),
                let strings = Optional(items.compactMap(\.stringValue)), strings.count == items.count
            else {
                throw ConfigurationError(
                    setting: name, message: "expected a JSON list of strings, got \(value.debugDescription)")
            }
            return strings.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `LANGUAGES`: a JSON list of codes, or of `[code, name]` pairs as Django writes it, or
    /// comma-separated codes.
    func languages(_ name: String) throws -> [String]? {
        guard let value = env[name] else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("["), case .array(let items)? = try? JSONValue.parse(Array(trimmed.utf8)) else {
            return try jsonOrCommaList(name)
        }
        return try items.map { item in
            if let code = item.stringValue { return code }
            if case .array(let pair) = item, let code = pair.first?.stringValue { return code }
            throw ConfigurationError(
                setting: name,
                message: "expected a JSON list of codes or [code, name] pairs, got \(value.debugDescription)")
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws -> T?
    where T.RawValue == String {
        guard let value = string(name) else { return nil }
        if let match = T.allCases.first(where: { $0.rawValue.lowercased() == value.lowercased() }) { return match }
        let known = T.allCases.map(\.rawValue).joined(separator: ", ")
        throw ConfigurationError(setting: name, message: "expected one of \(known), got \(value.debugDescription)")
    }

    func sameSite(_ name: String) throws -> CookieSameSite? {
        try choice(name, CookieSameSite.self)
    }
}
