import Testing

@testable import RestAuth

@Suite("Configuration")
struct ConfigurationTests {
    @Test("Defaults are dj-rest-auth's")
    func defaults() {
        let c = RestAuthConfiguration(secretKey: "k")
        #expect(c.tokenModel && c.sessionLogin && !c.useJWT)
        #expect(c.jwtAuthCookie == nil && c.jwtAuthRefreshCookie == nil && c.jwtAuthRefreshCookiePath == "/")
        #expect(!c.jwtAuthSecure && c.jwtAuthHTTPOnly && c.jwtAuthSameSite == .lax && c.jwtAuthCookieDomain == nil)
        #expect(!c.jwtAuthReturnExpiration && !c.jwtAuthCookieUseCSRF && !c.jwtAuthCookieEnforceCSRFOnUnauthenticated)
        #expect(!c.oldPasswordFieldEnabled && !c.logoutOnPasswordChange && !c.passwordResetUseSitesDomain)
        #expect(
            c.emailVerification == .optional && c.loginMethods == [.username, .email] && c.uniqueEmail && !c.logoutOnGet
        )
        #expect(c.usernameMinLength == 1 && c.usernameMaxLength == 150)
        #expect(c.jwtAccessTokenLifetime == 300 && c.jwtRefreshTokenLifetime == 86_400 && c.jwtAlgorithm == .hs256)
        #expect(c.jwtUserIDClaim == "user_id" && c.jwtAuthHeaderTypes == ["Bearer"])
        #expect(c.passwordHashers.first?.algorithm == "pbkdf2_sha256")
        #expect((c.passwordHashers.first as? PBKDF2PasswordHasher)?.iterations == 1_000_000)
        #expect(
            c.passwordHashers.map(\.algorithm) == [
                "pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt", "scrypt",
            ])
        #expect(c.passwordValidators.count == 4)
        #expect(c.maxBodySize == 1_048_576)
        #expect(
            c.sessionCookieName == "sessionid" && c.csrfCookieName == "csrftoken" && c.csrfHeaderName == "X-CSRFToken")
        #expect(c.rateLimits?["login_failed"] == "10/m/ip,5/5m/key")
    }

    @Test("Reads the conformance suite's profile variables")
    func profiles() throws {
        let jwt = try RestAuthConfiguration(environment: [
            "SECRET_KEY": "s", "REST_AUTH_USE_JWT": "true", "REST_AUTH_SESSION_LOGIN": "false",
            "REST_AUTH_JWT_AUTH_HTTPONLY": "false", "REST_AUTH_JWT_AUTH_COOKIE": "jwt-auth",
            "REST_AUTH_JWT_AUTH_REFRESH_COOKIE": "jwt-refresh", "REST_AUTH_JWT_AUTH_RETURN_EXPIRATION": "true",
            "SIMPLE_JWT_ROTATE_REFRESH_TOKENS": "true", "SIMPLE_JWT_BLACKLIST_AFTER_ROTATION": "true",
            "REST_AUTH_JWT_AUTH_REFRESH_COOKIE_PATH": "/", "REST_AUTH_JWT_AUTH_COOKIE_USE_CSRF": "true",
            "ACCOUNT_RATE_LIMITS": "false",
        ])
        #expect(jwt.useJWT && !jwt.sessionLogin && !jwt.jwtAuthHTTPOnly && jwt.jwtAuthCookie == "jwt-auth")
        #expect(jwt.jwtAuthRefreshCookie == "jwt-refresh" && jwt.jwtAuthReturnExpiration && jwt.jwtRotateRefreshTokens)
        #expect(jwt.jwtBlacklistAfterRotation && jwt.jwtAuthCookieUseCSRF && jwt.rateLimits == nil)

        let strict = try RestAuthConfiguration(environment: [
            "SECRET_KEY": "s", "ACCOUNT_EMAIL_VERIFICATION": "mandatory", "ACCOUNT_LOGIN_METHODS": "email",
            "REST_AUTH_OLD_PASSWORD_FIELD_ENABLED": "true", "REST_AUTH_LOGOUT_ON_PASSWORD_CHANGE": "true",
            "REST_AUTH_SESSION_LOGIN": "false",
        ])
        #expect(strict.emailVerification == .mandatory && strict.loginMethods == [.email])
        #expect(strict.oldPasswordFieldEnabled && strict.logoutOnPasswordChange && !strict.sessionLogin)
    }

    @Test("Hashers, iterations, validators, lifetimes and cookies from the environment")
    func others() throws {
        let c = try RestAuthConfiguration(environment: [
            "SECRET_KEY": "s", "PBKDF2_ITERATIONS": "1234",
            "PASSWORD_HASHERS": "django.contrib.auth.hashers.PBKDF2PasswordHasher,md5",
            "AUTH_PASSWORD_VALIDATORS": "MinimumLengthValidator", "SIMPLE_JWT_ACCESS_TOKEN_LIFETIME": "60",
            "SIMPLE_JWT_ALGORITHM": "hs512", "SESSION_COOKIE_SAMESITE": "Strict",
            "CSRF_HEADER_NAME": "HTTP_X_XSRF_TOKEN",
            "CSRF_TRUSTED_ORIGINS": "https://a.example.com, https://*.example.org", "REST_AUTH_TOKEN_MODEL": "None",
            "ACCOUNT_RATE_LIMITS": #"{"login": "5/m/ip", "signup": false}"#, "DATA_UPLOAD_MAX_MEMORY_SIZE": "4096",
        ])
        #expect((c.passwordHashers[0] as? PBKDF2PasswordHasher)?.iterations == 1234)
        #expect(c.passwordHashers.map(\.algorithm) == ["pbkdf2_sha256", "md5"])
        #expect(c.passwordValidators.count == 1)
        #expect(c.jwtAccessTokenLifetime == 60 && c.jwtAlgorithm == .hs512)
        #expect(c.sessionCookieSameSite == .strict && c.csrfHeaderName == "X-Xsrf-Token")
        #expect(c.csrfTrustedOrigins == ["https://a.example.com", "https://*.example.org"])
        #expect(!c.tokenModel)
        #expect(
            c.rateLimits?["login"] == "5/m/ip" && c.rateLimits?["signup"] == nil
                && c.rateLimits?["reset_password"] == "20/m/ip,5/m/key")
        #expect(c.maxBodySize == 4096)
        #expect(
            try RestAuthConfiguration(environment: ["SECRET_KEY": "s", "AUTH_PASSWORD_VALIDATORS": ""])
                .passwordValidators.isEmpty)
    }

    @Test(
        "A value that cannot be read stops start-up and names the setting",
        arguments: [
            ("REST_AUTH_USE_JWT", "maybe"), ("ACCOUNT_EMAIL_VERIFICATION", "sometimes"),
            ("ACCOUNT_LOGIN_METHODS", "phone"),
            ("SIMPLE_JWT_ACCESS_TOKEN_LIFETIME", "soon"), ("PASSWORD_HASHERS", "sha1"),
            ("ACCOUNT_USERNAME_MIN_LENGTH", "0"),
            ("REST_AUTH_JWT_AUTH_SAMESITE", "Sideways"), ("ACCOUNT_RATE_LIMITS", "[1]"),
            ("SIMPLE_JWT_ALGORITHM", "none"),
            ("PBKDF2_ITERATIONS", "-5"), ("AUTH_PASSWORD_VALIDATORS", "Nope"),
        ])
    func invalid(name: String, value: String) {
        do {
            _ = try RestAuthConfiguration(environment: ["SECRET_KEY": "s", name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.setting == name)
            #expect(error.description.contains(name))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("Every SIMPLE_JWT variable, the JWT cookie settings and the e-mail settings are read")
    func jwtAndEmailVariables() throws {
        let c = try RestAuthConfiguration(environment: [
            "SECRET_KEY": "s", "SIMPLE_JWT_REFRESH_TOKEN_LIFETIME": "7200", "SIMPLE_JWT_SIGNING_KEY": "signing",
            "SIMPLE_JWT_VERIFYING_KEY": "verifying", "SIMPLE_JWT_AUDIENCE": "api",
            "SIMPLE_JWT_ISSUER": "https://issuer",
            "SIMPLE_JWT_LEEWAY": "30", "SIMPLE_JWT_USER_ID_CLAIM": "uid", "SIMPLE_JWT_AUTH_HEADER_TYPES": "Bearer,JWT",
            "SIMPLE_JWT_UPDATE_LAST_LOGIN": "true", "SIMPLE_JWT_BLACKLIST_AFTER_ROTATION": "true",
            "REST_AUTH_JWT_AUTH_SECURE": "true", "REST_AUTH_JWT_AUTH_SAMESITE": "None",
            "REST_AUTH_JWT_AUTH_COOKIE_DOMAIN": ".example.com", "REST_AUTH_JWT_AUTH_REFRESH_COOKIE_PATH": "/r/",
            "JWT_REFRESH_REUSE_GRACE": "0", "EMAIL_HOST": "smtp.example.com", "EMAIL_USE_SSL": "true",
            "EMAIL_TIMEOUT": "2.5", "EMAIL_HOST_USER": "mailer", "EMAIL_HOST_PASSWORD": "pw",
        ])
        #expect(c.jwtRefreshTokenLifetime == 7200 && c.jwtSigningKey == "signing" && c.jwtVerifyingKey == "verifying")
        #expect(c.jwtAudience == "api" && c.jwtIssuer == "https://issuer" && c.jwtLeeway == 30)
        #expect(c.jwtUserIDClaim == "uid" && c.jwtAuthHeaderTypes == ["Bearer", "JWT"])
        #expect(c.jwtUpdateLastLogin && c.jwtBlacklistAfterRotation && c.jwtRefreshReuseGrace == 0)
        #expect(c.jwtAuthSecure && c.jwtAuthSameSite == .none && c.jwtAuthCookieDomain == ".example.com")
        #expect(c.jwtAuthRefreshCookiePath == "/r/")
        let smtp = try #require(c.smtp)
        #expect(smtp.host == "smtp.example.com" && smtp.port == 465 && smtp.security == .tls)
        #expect(smtp.timeout == .milliseconds(2500) && smtp.username == "mailer" && smtp.password == "pw")
        let starttls = try #require(
            try RestAuthConfiguration(environment: ["SECRET_KEY": "s", "EMAIL_HOST": "h", "EMAIL_USE_TLS": "1"]).smtp)
        #expect(starttls.port == 25 && starttls.security == .startTLS && starttls.timeout == .seconds(30))
        let both = #expect(throws: ConfigurationError.self) {
            try RestAuthConfiguration(environment: [
                "SECRET_KEY": "s", "EMAIL_HOST": "h", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1",
            ])
        }
        #expect(both?.setting == "EMAIL_USE_TLS")
        let sites = #expect(throws: ConfigurationError.self) {
            try RestAuthConfiguration(environment: [
                "SECRET_KEY": "s", "REST_AUTH_PASSWORD_RESET_USE_SITES_DOMAIN": "1",
            ])
        }
        #expect(sites?.setting == "REST_AUTH_PASSWORD_RESET_USE_SITES_DOMAIN")
        #expect(
            try RestAuthConfiguration(environment: [
                "SECRET_KEY": "s", "REST_AUTH_PASSWORD_RESET_USE_SITES_DOMAIN": "1", "SITE_DOMAIN": "example.com",
            ]).passwordResetUseSitesDomain)
    }

    @Test("No way to authenticate is refused")
    func noAuthMethod() {
        #expect(throws: ConfigurationError.self) {
            try RestAuthConfiguration(environment: [
                "SECRET_KEY": "s", "REST_AUTH_TOKEN_MODEL": "None", "REST_AUTH_SESSION_LOGIN": "false",
            ])
        }
        #expect(throws: ConfigurationError.self) { try RestAuthConfiguration(environment: [:]) }
    }

    @Test("Typos in setting names are reported")
    func unrecognised() {
        #expect(
            RestAuthConfiguration.unrecognisedSettings(in: [
                "REST_AUTH_USE_JWTT": "1", "REST_AUTH_USE_JWT": "1", "PATH": "/",
            ]) == ["REST_AUTH_USE_JWTT"])
    }
}
