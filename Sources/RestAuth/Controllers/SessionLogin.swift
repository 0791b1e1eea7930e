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
        var grant = LoginGrant()
        if configuration.tokenModel && !configuration.useJWT {
            grant.tokenKey = try await users.tokenKey(for: user, on: request.db)
        }
        if configuration.sessionLogin {
            grant.cookies = try await startSession(for: user, request: request)
        }
        return grant
    }
}

/// The credentials a login produced.
struct LoginGrant: Sendable {
    var tokenKey: String?
    var cookies: [String: HTTPCookies.Value] = [:]

    /// dj-rest-auth's login response: `{"key": ...}` with a token, else 204 when only a
    /// session was started.
    func response(status: HTTPResponseStatus = .ok) -> Response {
        let response: Response
        if let tokenKey {
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
