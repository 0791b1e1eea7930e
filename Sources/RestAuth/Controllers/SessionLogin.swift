import Fluent
import Vapor

/// Django's `login()` and `logout()` for the session side of the API, and the response
/// parts every login shares.
extension RestAuthState {
    /// Starts a session for `user` (ending the one the request came with) and rotates the
    /// CSRF secret, as Django's `login()` does. Returns the cookies to set.
    func startSession(for user: AuthUser, request: Request) async throws -> [String: HTTPCookies.Value] {
        if let previous = request.cookies[configuration.sessionCookieName]?.string {
            try await sessions.delete(key: previous, on: request.db)
        }
        let key = try await sessions.create(for: user, on: request.db)
        return [
            configuration.sessionCookieName: configuration.sessionCookie(key),
            configuration.csrfCookieName: configuration.csrfCookie(CSRF.newSecret()),
        ]
    }

    /// Django's `logout()`: the request's session row goes, and its cookie with it.
    func endSession(request: Request) async throws -> [String: HTTPCookies.Value] {
        guard let key = request.cookies[configuration.sessionCookieName]?.string else { return [:] }
        try await sessions.delete(key: key, on: request.db)
        return [configuration.sessionCookieName: configuration.sessionCookieDeletion]
    }

    /// What a successful login or sign-up hands out: the DRF token (when the token model
    /// is on) and a session (when `sessionLogin`). `last_login` is set on every login,
    /// not only session ones, so that reset links die after any login.
    func logIn(_ user: AuthUser, upgradedPassword: String? = nil, request: Request) async throws -> LoginGrant {
        user.lastLogin = Date()
        if let upgradedPassword { user.password = upgradedPassword }
        try await user.save(on: request.db)
        var grant = LoginGrant(user: user, configuration: configuration)
        if let jwt {
            let pair = try await issueJWTPair(for: user, jwt: jwt, on: request.db)
            grant.jwt = pair
            if let name = configuration.jwtAuthCookie {
                grant.cookies[name] = configuration.jwtAccessCookie(pair.access.token)
            }
            if let name = configuration.jwtAuthRefreshCookie {
                grant.cookies[name] = configuration.jwtRefreshCookie(pair.refresh.token)
            }
        } else if configuration.tokenModel {
            grant.tokenKey = try await users.tokenKey(for: user, on: request.db)
        }
        if configuration.sessionLogin {
            grant.cookies = try await startSession(for: user, request: request)
        }
        return grant
    }
}

extension RestAuthState {
    /// simplejwt's `RefreshToken.for_user(user)` and its `access_token`, in a new family,
    /// with the app's claims; the refresh token is recorded as outstanding.
    func issueJWTPair(for user: AuthUser, jwt: JWTTokens, on database: any Database) async throws -> JWTPair {
        let now = Date()
        let family = JWTTokens.newJTI()
        let extra = configuration.jwtClaims?(user) ?? JSONObject()
        let (claims, unsigned) = jwt.refreshClaims(for: user, family: family, extra: extra, now: now)
        let refresh = try jwt.sign(claims, issued: unsigned)
        let access = try jwt.accessToken(from: claims, now: now)
        let userID = try user.requireID()
        try await refreshTokens.startFamily(family, userID: userID, expiresAt: refresh.expiresAt, on: database)
        try await refreshTokens.recordOutstanding(
            jti: refresh.jti, token: refresh.token, userID: userID, expiresAt: refresh.expiresAt, on: database)
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
    var user: AuthUser
    var configuration: RestAuthConfiguration
    var tokenKey: String?
    var jwt: JWTPair?
    var cookies: [String: HTTPCookies.Value] = [:]

    init(user: AuthUser, configuration: RestAuthConfiguration) {
        self.user = user
        self.configuration = configuration
    }

    /// dj-rest-auth's login response: `{"access", "refresh", "user"}` (and the
    /// expirations) with JWT, where the body's refresh is "" under `JWT_AUTH_HTTPONLY`;
    /// `{"key": ...}` with a token; else 204 when only a session was started.
    func response(status: HTTPResponseStatus = .ok) -> Response {
        let response: Response
        if let jwt {
            var body: JSONObject = [
                "access": .string(jwt.access.token),
                "refresh": .string(configuration.jwtAuthHTTPOnly ? "" : jwt.refresh.token),
                "user": UserDetailsSerializer.representation(of: user),
            ]
            if configuration.jwtAuthReturnExpiration {
                body["access_expiration"] = .string(DRFDateTime.string(jwt.accessExpiration))
                body["refresh_expiration"] = .string(DRFDateTime.string(jwt.refreshExpiration))
            }
            response = .json(.object(body), status: status)
        } else if let tokenKey {
            response = .json(["key": .string(tokenKey)], status: status)
        } else {
            response = Response(status: .noContent)
        }
        apply(to: response)
        return response
    }

    func apply(to response: Response) {
        for (name, cookie) in cookies { response.cookies[name] = cookie }
    }
}
