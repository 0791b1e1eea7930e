/// dj-rest-auth's `TOKEN_CREATOR`: the DRF token a login hands out.
///
/// ```swift
/// struct FreshTokenEachLogin: TokenCreator {
///     func token(for user: any RestAuthUser, context: RestAuthContext) async throws -> String {
///         try await AuthToken.query(on: context.database).filter(\.$userKey == user.requireAccountKey()).delete()
///         return try await DefaultTokenCreator().token(for: user, context: context)
///     }
/// }
/// ```
public protocol TokenCreator: Sendable {
    func token(for user: any RestAuthUser, context: RestAuthContext) async throws -> String
}

/// DRF's `Token.objects.get_or_create(user=user)`: one token per user, the same on every
/// login until logout; parallel logins share it.
public struct DefaultTokenCreator: TokenCreator {
    public init() {}

    public func token(for user: any RestAuthUser, context: RestAuthContext) async throws -> String {
        try await context.state.users.tokenKey(for: user, on: context.database)
    }
}
