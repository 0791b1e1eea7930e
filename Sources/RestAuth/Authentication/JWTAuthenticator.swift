import FluentSQL
import SQLKit
import Vapor

/// dj-rest-auth's `JWTCookieAuthentication` over simplejwt: `Authorization: Bearer
/// <access>` first, else the access cookie (with CSRF on unsafe requests when
/// `JWT_AUTH_COOKIE_USE_CSRF`, even without a cookie when
/// `JWT_AUTH_COOKIE_ENFORCE_CSRF_ON_UNAUTHENTICATED`). The user, and whether the token's
/// login was revoked, come back in one query.
struct JWTAuthenticator: EventLoopAuthenticator {
    let tokens: JWTTokens
    let users: UserStore
    let configuration: RestAuthConfiguration
    let csrf: CSRF

    var challenge: String? { "\(configuration.jwtAuthHeaderTypes[0]) realm=\"api\"" }

    func authenticate(_ request: Request) async throws -> Authentication? {
        try await authenticate(onEventLoop: request).get()
    }

    func authenticate(onEventLoop request: Request) -> EventLoopFuture<Authentication?> {
        let eventLoop = request.eventLoop
        let raw: String
        var fromCookie = false
        if let header = request.headers.first(name: .authorization) {
            let parts = header.split(whereSeparator: { $0 == " " || $0 == "\t" })
            // Another scheme is not ours; and, as in simplejwt, the cookie is then not read.
            guard let scheme = parts.first, configuration.jwtAuthHeaderTypes.contains(String(scheme)) else {
                return eventLoop.makeSucceededFuture(nil)
            }
            guard parts.count == 2 else {
                return eventLoop.makeFailedFuture(
                    APIError.detail(
                        .unauthorized, "Authorization header must contain two space-delimited values",
                        code: "bad_authorization_header", headers: ["WWW-Authenticate": challenge!]))
            }
            raw = String(parts[1])
        } else if let cookieName = configuration.jwtAuthCookie {
            let cookie = request.cookies[cookieName]?.string
            do {
                if configuration.jwtAuthCookieEnforceCSRFOnUnauthenticated
                    || (cookie != nil && configuration.jwtAuthCookieUseCSRF)
                {
                    try csrf.enforce(request)
                }
            } catch {
                return eventLoop.makeFailedFuture(error)
            }
            guard let cookie, !cookie.isEmpty else { return eventLoop.makeSucceededFuture(nil) }
            raw = cookie
            fromCookie = true
        } else {
            return eventLoop.makeSucceededFuture(nil)
        }

        switch tokens.codec.decodeCached(raw) {
        case .valid(let claims):
            return authenticate(claims, fromCookie: fromCookie, request: request)
        case .invalid:
            return eventLoop.makeFailedFuture(invalid(JWTTokens.TokenError.invalid.message(for: request), request))
        case .needsKey:
            // The token names a key of JWK_URL's set that is not at hand yet.
            let codec = tokens.codec
            let viaCookie = fromCookie
            return eventLoop.makeFutureWithTask { await codec.decode(raw) }.flatMap { claims in
                guard let claims else {
                    return eventLoop.makeFailedFuture(
                        invalid(JWTTokens.TokenError.invalid.message(for: request), request))
                }
                return authenticate(claims, fromCookie: viaCookie, request: request)
            }
        }
    }

    /// The rest of the checks, for the claims of a token whose signature is right.
    private func authenticate(_ signed: JSONObject, fromCookie: Bool, request: Request)
        -> EventLoopFuture<Authentication?>
    {
        let eventLoop = request.eventLoop
        let claims: JSONObject
        do {
            claims = try tokens.check(signed, type: .access)
        } catch {
            return eventLoop.makeFailedFuture(invalid(error.message(for: request), request))
        }
        guard let reference = tokens.userReference(in: claims) else {
            return eventLoop.makeFailedFuture(
                APIError.detail(
                    .unauthorized, RestAuthMessages.JWT.noUserIdentification.text(for: request),
                    code: "token_not_valid",
                    headers: ["WWW-Authenticate": challenge!]))
        }
        let family = JWTTokens.family(in: claims)
        let jti = tokens.jti(in: claims)
        let viaCookie = fromCookie
        return users.user(reference, family: family, on: request.restAuth.database).flatMapThrowing { found in
            // A disabled user's token fails as a deleted user's does.
            guard let (user, revoked) = found, user.accountIsActive else {
                throw APIError.detail(
                    .unauthorized, RestAuthMessages.JWT.userNotFound.text(for: request), code: "user_not_found",
                    headers: ["WWW-Authenticate": challenge!])
            }
            if revoked { throw invalid(JWTTokens.TokenError.blacklisted.message(for: request), request) }
            return Authentication(user: user, credential: .jwt(jti: jti, family: family, fromCookie: viaCookie))
        }
    }

    /// simplejwt's `InvalidToken` from `JWTAuthentication`.
    func invalid(_ message: String, _ request: Request) -> APIError {
        let body: JSONValue = [
            "detail": .string(RestAuthMessages.JWT.notValidForAnyType.text(for: request)),
            "code": "token_not_valid",
            "messages": [["token_class": "AccessToken", "token_type": "access", "message": .string(message)]],
        ]
        return APIError(status: .unauthorized, body: body, headers: ["WWW-Authenticate": challenge!])
    }
}
