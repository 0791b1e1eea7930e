/// dj-rest-auth's `JWT_TOKEN_CLAIMS_SERIALIZER` (simplejwt's `TokenObtainPairSerializer.get_token`):
/// claims of the app's own to add to every token pair. A refresh token carries them and
/// its access tokens copy them; they cannot replace the registered claims.
///
/// ```swift
/// config.jwtClaimsSerializer = JWTClaims { user, _ in
///     ["username": .string(user.accountUsername ?? ""), "email": .string(user.accountEmail)]
/// }
/// ```
public protocol JWTClaimsSerializer: Sendable {
    func claims(for user: any RestAuthUser, context: RestAuthContext) async throws -> JSONObject
}

/// No claims of the app's own.
public struct DefaultJWTClaimsSerializer: JWTClaimsSerializer {
    public init() {}

    public func claims(for user: any RestAuthUser, context: RestAuthContext) async throws -> JSONObject {
        JSONObject()
    }
}

/// Claims from a closure.
public struct JWTClaims: JWTClaimsSerializer {
    let make: @Sendable (any RestAuthUser, RestAuthContext) async throws -> JSONObject

    public init(_ make: @escaping @Sendable (any RestAuthUser, RestAuthContext) async throws -> JSONObject) {
        self.make = make
    }

    public func claims(for user: any RestAuthUser, context: RestAuthContext) async throws -> JSONObject {
        try await make(user, context)
    }
}
