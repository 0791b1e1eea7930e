import Fluent
import Vapor

/// dj-rest-auth's `LoginSerializer` with allauth's authentication backend: which fields
/// the login methods ask for, the user lookup, the password check on the hashing threads,
/// then the account checks, whose messages only follow a right password.
struct LoginSerializer: Sendable {
    let state: RestAuthState

    static let username = CharField("username", required: false, allowBlank: true)
    static let email = CharField.email("email", required: false, allowBlank: true)
    static let password = CharField("password")

    static let invalidCredentials = "Unable to log in with provided credentials."

    /// The user the credentials prove, with a new password hash to store when the stored
    /// one is due for an upgrade.
    struct Outcome {
        var user: AuthUser
        var upgradedPassword: String?
    }

    func validate(_ fields: JSONObject, on database: any Database) async throws -> Outcome {
        var errors = ValidationErrors()
        let username = Self.username.read(from: fields, into: &errors).string ?? ""
        let email = Self.email.read(from: fields, into: &errors).string ?? ""
        let password = Self.password.read(from: fields, into: &errors).string ?? ""
        try errors.throwIfAny()

        let methods = state.configuration.loginMethods
        let outcome: Outcome?
        if methods == [.email] {
            guard !email.isEmpty else { throw ValidationErrors.nonField(#"Must include "email" and "password"."#) }
            outcome = try await authenticate(email: email, password: password, on: database)
        } else if methods == [.username] {
            guard !username.isEmpty else {
                throw ValidationErrors.nonField(#"Must include "username" and "password"."#)
            }
            outcome = try await authenticate(username: username, password: password, on: database)
        } else if !email.isEmpty {
            outcome = try await authenticate(email: email, password: password, on: database)
        } else if !username.isEmpty {
            outcome = try await authenticate(username: username, password: password, on: database)
        } else {
            throw ValidationErrors.nonField(#"Must include either "username" or "email" and "password"."#)
        }
        guard let outcome else { throw ValidationErrors.nonField(Self.invalidCredentials) }
        guard outcome.user.isActive else { throw ValidationErrors.nonField("User account is disabled.") }
        if state.configuration.emailVerification == .mandatory,
            try await !state.users.hasVerifiedEmail(outcome.user, on: database)
        {
            throw ValidationErrors.nonField("E-mail is not verified.")
        }
        return outcome
    }

    /// allauth's backend with a username: tried as an e-mail address first when e-mail
    /// login is on, then as a username.
    private func authenticate(username: String, password: String, on database: any Database) async throws -> Outcome? {
        let methods = state.configuration.loginMethods
        var candidates: [AuthUser] = []
        if methods.contains(.email), username.contains("@") {
            candidates = try await state.users.users(email: username, on: database)
        }
        if methods.contains(.username), let user = try await state.users.user(username: username, on: database),
            !candidates.contains(where: { $0.id == user.id })
        {
            candidates.append(user)
        }
        return await check(password, against: candidates)
    }

    private func authenticate(email: String, password: String, on database: any Database) async throws -> Outcome? {
        guard state.configuration.loginMethods.contains(.email) else {
            await state.passwords.burnOneHash(password)
            return nil
        }
        return await check(password, against: try await state.users.users(email: email, on: database))
    }

    /// The first candidate whose password matches. With no candidate one hash is still
    /// computed, so an unknown user costs what a wrong password costs.
    private func check(_ password: String, against candidates: [AuthUser]) async -> Outcome? {
        guard !candidates.isEmpty else {
            await state.passwords.burnOneHash(password)
            return nil
        }
        for user in candidates.prefix(5) {
            if case .right(let upgraded) = await state.passwords.check(password, against: user.password) {
                return Outcome(user: user, upgradedPassword: upgraded)
            }
        }
        return nil
    }
}
