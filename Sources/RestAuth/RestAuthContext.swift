import Fluent
import Vapor

/// What serializers, the adapter, permissions and hooks can reach: the request, the
/// configuration and the package's services.
public struct RestAuthContext: Sendable {
    public let request: Request
    let state: RestAuthState

    init(request: Request, state: RestAuthState) {
        self.request = request
        self.state = state
    }

    public var configuration: RestAuthConfiguration { state.configuration }
    /// The request's database.
    public var database: any Database { request.db }
    /// Hashing and checking of passwords, on the hashing threads.
    public var passwords: PasswordService { state.passwords }
    /// The account adapter in use.
    public var adapter: any AccountAdapter { state.configuration.accountAdapter }
    public var logger: Logger { request.logger }

    /// The authenticated user, if any.
    public var user: (any RestAuthUser)? { request.restAuth.user }

    /// The user with this key.
    public func user(key: UserKey) async throws -> (any RestAuthUser)? {
        try await state.users.user(key: key, on: database)
    }

    /// allauth's username lookup (case-insensitive).
    public func user(username: String) async throws -> (any RestAuthUser)? {
        try await state.users.user(username: username, on: database)
    }

    /// allauth's e-mail lookup (case-insensitive, verified addresses first).
    public func users(email: String) async throws -> [any RestAuthUser] {
        try await state.users.users(email: email, on: database)
    }

    /// The response body of a user (the configured user-details serializer).
    public func userRepresentation(_ user: any RestAuthUser) async throws -> JSONValue {
        try await configuration.userDetailsSerializer.representation(of: user, context: self)
    }
}
