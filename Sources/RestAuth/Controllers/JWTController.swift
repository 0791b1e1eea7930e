import Fluent
import Vapor

/// `token/verify/` and `token/refresh/`, served only when `USE_JWT`.
struct JWTController: Sendable {
    let state: RestAuthState
    let jwt: JWTTokens

    static let token = CharField("token")
    static let refresh = CharField("refresh", required: false, allowBlank: true)

    var endpoints: [Endpoint] {
        [
            Endpoint(
                ["token", "verify"], name: "Token Verify", description: ViewMetadata.tokenVerify, permission: .allowAny,
                authenticates: false,
                handlers: [(.POST, .async(verify))],
                operations: [
                    (
                        .POST,
                        RestAuthOperation(
                            summary: "Check a token's signature and expiry",
                            request: OpenAPISchema.fields([Self.token]), response: OpenAPISchema.object([:]))
                    )
                ]),
            Endpoint(
                ["token", "refresh"], name: "Refresh View With Cookie Support", description: ViewMetadata.tokenRefresh,
                permission: .allowAny,
                authenticates: false,
                handlers: [(.POST, .async(refresh))],
                operations: [
                    (
                        .POST,
                        RestAuthOperation(
                            summary: "A new access token for a refresh token (from the body, else from its cookie)",
                            request: OpenAPISchema.fields([Self.refresh]),
                            response: OpenAPISchema.object(
                                [
                                    "access": OpenAPISchema.string, "refresh": OpenAPISchema.string,
                                    "access_expiration": OpenAPISchema.dateTime,
                                ],
                                required: ["access"]))
                    )
                ]),
        ]
    }

    /// simplejwt's `TokenViewBase`: a `TokenError` is a 401 with code `token_not_valid`.
    static func invalid(_ message: String) -> APIError {
        .detail(.unauthorized, message, code: "token_not_valid")
    }

    /// simplejwt's `TokenVerifyView`: 200 `{}` for a genuine, unexpired token of either type.
    @Sendable func verify(_ request: Request) async throws -> Response {
        var errors = ValidationErrors()
        let token = Self.token.read(from: try RequestBody.parse(request).fields(), into: &errors).string
        try errors.throwIfAny()
        let claims: JSONObject
        do {
            claims = try await jwt.validate(token ?? "", type: nil)
        } catch {
            throw Self.invalid(error.message)
        }
        let family = JWTTokens.family(in: claims)
        let jti = jwt.jti(in: claims)
        if jwt.type(of: claims) == .refresh,
            try await state.refreshTokens.isRevoked(jti: jti, family: family, on: request.restAuth.database)
        {
            throw ValidationErrors.nonField(RestAuthMessages.JWT.tokenBlacklisted.text)
        }
        // An access token of a login that ended (logout, a password change, a replayed
        // refresh) is refused here as `user/` refuses it.
        if jwt.type(of: claims) == .access, let family,
            try await state.refreshTokens.isFamilyRevoked(family, on: request.restAuth.database)
        {
            throw Self.invalid(JWTTokens.TokenError.blacklisted.message)
        }
        return .json([:])
    }

    /// dj-rest-auth's `RefreshViewWithCookieSupport`: the refresh token from the body,
    /// else from its cookie; a new access token (and its cookie); with rotation a new
    /// refresh token too, the old one blacklisted. A rotated token that comes back (a
    /// replay, or the loser of a race) revokes its whole family.
    @Sendable func refresh(_ request: Request) async throws -> Response {
        let configuration = state.configuration
        var errors = ValidationErrors()
        let fromBody = Self.refresh.read(from: try RequestBody.parse(request).fields(), into: &errors).string
        try errors.throwIfAny()
        var raw = fromBody ?? ""
        if raw.isEmpty, let cookieName = configuration.jwtAuthRefreshCookie,
            let cookie = request.cookies[cookieName]?.string
        {
            raw = cookie
        }
        guard !raw.isEmpty else { throw Self.invalid(RestAuthMessages.JWT.noValidRefreshToken.text) }

        let claims: JSONObject
        do {
            claims = try await jwt.validate(raw, type: .refresh)
        } catch {
            throw Self.invalid(error.message)
        }
        let jti = jwt.jti(in: claims)
        let family = JWTTokens.family(in: claims)
        if try await state.refreshTokens.isRevoked(jti: jti, family: family, on: request.restAuth.database) {
            try await revokeFamilyOfReplay(jti: jti, family: family, on: request.restAuth.database)
            throw Self.invalid(JWTTokens.TokenError.blacklisted.message)
        }
        guard let reference = jwt.userReference(in: claims),
            let user = try await state.users.user(reference, on: request.restAuth.database),
            user.accountIsActive, let userKey = user.accountKey
        else {
            throw APIError.detail(
                .unauthorized, RestAuthMessages.JWT.noActiveAccount.text, code: "no_active_account")
        }

        let now = Date()
        let access = try jwt.accessToken(from: claims, now: now)
        var body: JSONObject = ["access": .string(access.token)]
        var newRefresh: JWTTokens.Issued?
        if configuration.jwtRotateRefreshTokens {
            if configuration.jwtBlacklistAfterRotation {
                let expiresAt = Date(timeIntervalSince1970: TimeInterval(JWTTokens.number(claims["exp"]) ?? 0))
                guard
                    try await state.refreshTokens.blacklist(
                        jti: jti, userKey: userKey, expiresAt: expiresAt, on: request.restAuth.database)
                else {
                    // Another request rotated this token first: the loser of a race, or a replay.
                    try await revokeFamilyOfReplay(jti: jti, family: family, on: request.restAuth.database)
                    throw Self.invalid(JWTTokens.TokenError.blacklisted.message)
                }
            }
            let (rotatedClaims, unsigned) = jwt.rotated(claims, now: now)
            let rotated = try jwt.sign(rotatedClaims, issued: unsigned)
            try await state.refreshTokens.recordOutstanding(
                jti: rotated.jti, token: rotated.token, userKey: userKey, expiresAt: rotated.expiresAt,
                on: request.restAuth.database)
            if let family {
                try await state.refreshTokens.extendFamily(family, to: rotated.expiresAt, on: request.restAuth.database)
            }
            newRefresh = rotated
            body["refresh"] = .string(rotated.token)
        }
        body["access_expiration"] = .string(
            DRFDateTime.string(now.addingTimeInterval(configuration.jwtAccessTokenLifetime)))
        if newRefresh != nil {
            if configuration.jwtAuthHTTPOnly {
                body["refresh"] = nil
            } else {
                body["refresh_expiration"] = .string(
                    DRFDateTime.string(now.addingTimeInterval(configuration.jwtRefreshTokenLifetime)))
            }
        }
        let response = Response.json(.object(body))
        if let name = configuration.jwtAuthCookie {
            response.setCookie(name, configuration.jwtAccessCookie(access.token))
        }
        if let name = configuration.jwtAuthRefreshCookie, let newRefresh {
            response.setCookie(name, configuration.jwtRefreshCookie(newRefresh.token))
        }
        return response
    }

    /// A blacklisted refresh token came back. Under rotation with blacklisting that is a
    /// replay (a stolen token, or the client's own copy after a thief used it first): the
    /// whole family goes, the tokens the rotation handed out too. Within
    /// `jwtRefreshReuseGrace` of the rotation it is taken for the loser of a race between
    /// two requests of one client instead, refused without harm to the winner's tokens.
    private func revokeFamilyOfReplay(jti: String, family: String?, on database: any Database) async throws {
        let configuration = state.configuration
        guard configuration.jwtRotateRefreshTokens, configuration.jwtBlacklistAfterRotation, let family else { return }
        if configuration.jwtRefreshReuseGrace > 0,
            let rotatedAt = try await state.refreshTokens.blacklistedAt(jti: jti, on: database),
            Date().timeIntervalSince(rotatedAt) < configuration.jwtRefreshReuseGrace
        {
            return
        }
        try await state.refreshTokens.revoke(family: family, on: database)
    }

    /// dj-rest-auth's JWT logout: the refresh token (from the cookie under
    /// `JWT_AUTH_HTTPONLY`, else from the body) is blacklisted and its family revoked;
    /// the cookies go in any case.
    static func logOut(_ request: Request, state: RestAuthState, jwt: JWTTokens) async throws -> APIError? {
        let configuration = state.configuration
        let raw: String?
        if configuration.jwtAuthHTTPOnly {
            raw = configuration.jwtAuthRefreshCookie.flatMap { request.cookies[$0]?.string }
            guard let raw, !raw.isEmpty else {
                return .detail(.unauthorized, RestAuthMessages.JWT.refreshNotInCookie.text)
            }
        } else {
            let fields = try RequestBody.parse(request).fields()
            raw = fields["refresh"]?.stringValue
            guard let raw, !raw.isEmpty else {
                return .detail(.unauthorized, RestAuthMessages.JWT.refreshNotInRequest.text)
            }
        }
        let claims: JSONObject
        do {
            claims = try await jwt.validate(raw ?? "", type: .refresh)
        } catch {
            return .detail(.unauthorized, error.message)
        }
        let jti = jwt.jti(in: claims)
        let family = JWTTokens.family(in: claims)
        if try await state.refreshTokens.isRevoked(jti: jti, family: family, on: request.restAuth.database) {
            return .detail(.unauthorized, JWTTokens.TokenError.blacklisted.message)
        }
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(JWTTokens.number(claims["exp"]) ?? 0))
        _ = try await state.refreshTokens.blacklist(
            jti: jti,
            userKey: try await jwt.userKey(in: claims, users: state.users, on: request.restAuth.database),
            expiresAt: expiresAt, on: request.restAuth.database)
        if let family { try await state.refreshTokens.revoke(family: family, on: request.restAuth.database) }
        return nil
    }
}
