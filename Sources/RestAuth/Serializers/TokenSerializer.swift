/// dj-rest-auth's `TOKEN_SERIALIZER`: the body of a token login.
///
/// ```swift
/// struct TokenWithUser: TokenSerializer {
///     func representation(ofToken key: String, user: any RestAuthUser, context: RestAuthContext) async throws -> JSONValue {
///         ["key": .string(key), "user": try await context.userRepresentation(user)]
///     }
/// }
/// ```
public protocol TokenSerializer: Sendable {
    func representation(ofToken key: String, user: any RestAuthUser, context: RestAuthContext) async throws -> JSONValue
}

/// `{"key": ...}`.
public struct DefaultTokenSerializer: TokenSerializer {
    public init() {}

    public func representation(ofToken key: String, user: any RestAuthUser, context: RestAuthContext) async throws
        -> JSONValue
    {
        ["key": .string(key)]
    }
}
