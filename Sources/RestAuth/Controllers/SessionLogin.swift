import Fluent
import Vapor

/// Django's `login()` and `logout()` for the session side of the API, and the response
/// parts every login shares.
extension RestAuthState {
    /// Starts a session for `user` (ending the one the request came with) and rotates the
    /// CSRF secret, as Django's `login()` does. Returns the cookies to set.
    func startSession(for user: any RestAuthUser, request: Request) async throws -> [String: HTTPCookies.Value] {
        if let previous = request.cookies[configuration.sessionCookieName]?.string {
            try await sessions.delete(key: previous, on: request.restAuth.database)
        }
        let key = try await sessions.create(for: user, on: request.restAuth.database)
        return [
            configuration.sessionCookieName: configuration.sessionCookie(key),
            configuration.csrfCookieName: configuration.csrfCookie(CSRF.newSecret()),
        ]
    }

    /// Django's `logout()`: the request's session row goes, and its cookie with it.
    func endSession(request: Request) async throws -> [String: HTTPCookies.Value] {
        guard let key = request.cookies[configuration.sessionCookieName]?.string else { return [:] }
        try await sessions.delete(key: key, on: request.restAuth.database)
        return [configuration.sessionCookieName: configuration.sessionCookieDeletion]
    }

    /// What a successful login or sign-up hands out: JWTs when `USE_JWT`, else the DRF
    /// token (when the token model is on), and a session (when `SESSION_LOGIN`).
    /// `last_login` is set on every login, not only session ones, so that reset links die
    /// after any login.
    func logIn(_ result: LoginResult, context: RestAuthContext) async throws -> LoginGrant {
        let user = result.user
        let now = Date()
        let recorded = try await users.recordLogin(
            user, at: now, upgradedPassword: result.upgradedPassword, verifiedHash: result.verifiedPasswordHash,
            on: context.database)
        // The password changed while this login checked the old one: it proves nothing now.
        guard recorded else { throw ValidationErrors.nonField(DefaultLoginSerializer.invalidCredentials) }
        if context.configuration.userModel.accountFields.lastLogin != nil { user.accountLastLogin = now }
        if let upgraded = result.upgradedPassword { user.accountPassword = upgraded }
        var grant = LoginGrant(user: user)
        if let jwt {
            let pair = try await issueJWTPair(
                for: user, jwt: jwt, context: context,
                boundTo: result.verifiedPasswordHash.map { result.upgradedPassword ?? $0 })
            grant.jwt = pair
            if let name = configuration.jwtAuthCookie {
                grant.cookies[name] = configuration.jwtAccessCookie(pair.access.token)
            }
            if let name = configuration.jwtAuthRefreshCookie {
                grant.cookies[name] = configuration.jwtRefreshCookie(pair.refresh.token)
            }
        } else if configuration.tokenModel {
            grant.tokenKey = try await configuration.tokenCreator.token(for: user, context: context)
        }
        if configuration.sessionLogin {
            grant.cookies.merge(try await startSession(for: user, request: context.request)) { $1 }
        }
        return grant
    }

    /// simplejwt's `RefreshToken.for_user(user)` and its `access_token`, in a new family,
    /// with the app's claims; the refresh token is recorded as outstanding.
    /// With `boundTo` (the hash the login's password proved, as stored now), the family is
    /// checked against the stored hash once it exists: a reset or change revokes the user's
    /// families after it writes the new hash, so either the revocation finds this family or
    /// this check finds the new hash. A login that raced the change is refused either way.
    func issueJWTPair(
        for user: any RestAuthUser, jwt: JWTTokens, context: RestAuthContext, boundTo passwordHash: String? = nil
    ) async throws -> JWTPair {
        let now = Date()
        let family = JWTTokens.newJTI()
        let extra = try await configuration.jwtClaimsSerializer.claims(for: user, context: context)
        let key = try user.requireAccountKey()
        let (claims, unsigned) = try jwt.refreshClaims(for: user, family: family, extra: extra, now: now)
        let refresh = try jwt.sign(claims, issued: unsigned)
        let access = try jwt.accessToken(from: claims, now: now)
        try await refreshTokens.startFamily(family, userKey: key, expiresAt: refresh.expiresAt, on: context.database)
        try await refreshTokens.recordOutstanding(
            jti: refresh.jti, token: refresh.token, userKey: key, expiresAt: refresh.expiresAt, on: context.database)
        if let passwordHash, try await !users.hasPassword(key, passwordHash, on: context.database) {
            try await refreshTokens.revoke(family: family, on: context.database)
            throw ValidationErrors.nonField(DefaultLoginSerializer.invalidCredentials)
        }
        return JWTPair(
            access: access, refresh: refresh,
            accessExpiration: now.addingTimeInterval(configuration.jwtAccessTokenLifetime),
            refreshExpiration: now.addingTimeInterval(configuration.jwtRefreshTokenLifetime))
    }
}

/// An access and refresh token pair with the expirations dj-rest-auth reports.
struct JWTPair: Sendable {
    var access: JWTTokens.Issued
    var refresh: JWTTokens.Issued
    var accessExpiration: Date
    var refreshExpiration: Date
}

/// The credentials a login produced.
struct LoginGrant: Sendable {
    var user: any RestAuthUser
    var tokenKey: String?
    var jwt: JWTPair?
    var cookies: [String: HTTPCookies.Value] = [:]

    init(user: any RestAuthUser) {
        self.user = user
    }

    /// dj-rest-auth's login response through the configured serializers: the JWT body
    /// (whose refresh is "" under `JWT_AUTH_HTTPONLY`), the token body, or 204 when only a
    /// session was started.
    func response(status: HTTPResponseStatus = .ok, context: RestAuthContext) async throws -> Response {
        let configuration = context.configuration
        let response: Response
        if let jwt {
            let serializer =
                configuration.jwtAuthReturnExpiration
                ? configuration.jwtSerializerWithExpiration : configuration.jwtSerializer
            let body = try await serializer.representation(
                of: JWTLoginResponse(
                    access: jwt.access.token, refresh: configuration.jwtAuthHTTPOnly ? "" : jwt.refresh.token,
                    user: user,
                    accessExpiration: jwt.accessExpiration, refreshExpiration: jwt.refreshExpiration),
                context: context)
            response = .json(body, status: status)
        } else if let tokenKey {
            response = .json(
                try await configuration.tokenSerializer.representation(ofToken: tokenKey, user: user, context: context),
                status: status)
        } else {
            response = Response(status: .noContent)
        }
        for (name, cookie) in cookies { response.setCookie(name, cookie) }
        return response
    }
}
