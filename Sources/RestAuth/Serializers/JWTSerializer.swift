import Foundation

/// What a JWT login hands out, for the serializer that writes the body.
public struct JWTLoginResponse: Sendable {
    public var access: String
    /// The refresh token, or "" under `JWT_AUTH_HTTPONLY` (it travels in its cookie only).
    public var refresh: String
    public var user: any RestAuthUser
    public var accessExpiration: Date
    public var refreshExpiration: Date
}

/// dj-rest-auth's `JWT_SERIALIZER` and `JWT_SERIALIZER_WITH_EXPIRATION`: the body of a
/// JWT login or sign-up.
///
/// ```swift
/// struct FlatJWT: JWTSerializer {
///     func representation(of response: JWTLoginResponse, context: RestAuthContext) async throws -> JSONValue {
///         ["token": .string(response.access), "user_id": .string(response.user.accountKey?.description ?? "")]
///     }
/// }
/// config.jwtSerializer = FlatJWT()
/// ```
public protocol JWTSerializer: Sendable {
    func representation(of response: JWTLoginResponse, context: RestAuthContext) async throws -> JSONValue
}

/// `{"access", "refresh", "user"}`, and `access_expiration`, `refresh_expiration` when
/// `includeExpiration` (DRF's date-time format).
public struct DefaultJWTSerializer: JWTSerializer {
    public var includeExpiration: Bool

    public init(includeExpiration: Bool = false) {
        self.includeExpiration = includeExpiration
    }

    public func representation(of response: JWTLoginResponse, context: RestAuthContext) async throws -> JSONValue {
        var body: JSONObject = [
            "access": .string(response.access),
            "refresh": .string(response.refresh),
            "user": try await context.userRepresentation(response.user),
        ]
        if includeExpiration {
            body["access_expiration"] = .string(DRFDateTime.string(response.accessExpiration))
            body["refresh_expiration"] = .string(DRFDateTime.string(response.refreshExpiration))
        }
        return .object(body)
    }
}
