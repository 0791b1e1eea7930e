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
    public var database: any Database { request.restAuth.database }
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

    /// Logs the user in as `login/` does (JWT, token or session per the configuration,
    /// `last_login`, the `userLoggedIn` hook) and returns login's response.
    ///
    /// With MFA on and TOTP on for the user, and `secondFactor`, the answer is login's first
    /// step instead (`{"ephemeral_token": ..., "mfa_required": true}`, nothing else): pass
    /// false only where the user already proved both factors (an account already signed
    /// in, connecting a provider).
    public func logIn(_ user: any RestAuthUser, status: HTTPResponseStatus = .ok, secondFactor: Bool = true)
        async throws -> Response
    {
        if secondFactor,
            let challenge = try await state.secondFactorChallenge(for: LoginResult(user: user), context: self)
        {
            return challenge
        }
        let response = try await state.logIn(LoginResult(user: user), context: self).response(
            status: status, context: self)
        await publish(.userLoggedIn(user))
        return response
    }

    /// Whether a username is taken, without regard to case.
    public func usernameTaken(_ username: String) async throws -> Bool {
        try await state.users.usernameTaken(username, on: database)
    }

    /// Whether an account already uses this address (in the user table or, verified, as
    /// an address): allauth's `UNIQUE_EMAIL` check for social sign-ups.
    public func emailRegistered(_ email: String) async throws -> Bool {
        let users = state.users
        if try await users.emailTaken(email, on: database) { return true }
        return try await users.verifiedEmailExists(email, on: database)
    }

    /// Whether the user has a verified address (what `mandatory` verification waits for).
    public func hasVerifiedEmail(_ user: any RestAuthUser) async throws -> Bool {
        try await state.users.hasVerifiedEmail(user, on: database)
    }

    /// Sends the sign-up confirmation mail for an unverified address (as `registration/`
    /// does), and waits for it to leave.
    public func sendSignupConfirmation(for address: EmailAddress, user: any RestAuthUser) async {
        guard let addressID = address.id, !address.verified else { return }
        let key = state.confirmationKeys.key(forAddressID: addressID)
        await state.mailer.sendConfirmation(to: address.email, user: user, key: key, signup: true, context: self)
    }

    /// The response body of a user (the configured user-details serializer).
    public func userRepresentation(_ user: any RestAuthUser) async throws -> JSONValue {
        try await configuration.userDetailsSerializer.representation(of: user, context: self)
    }
}
