import Fluent
import Foundation
import Vapor

/// What Django's `createsuperuser` and `changepassword` do, without the terminal: the
/// commands ask their questions and call these.
public struct AccountAdministration: Sendable {
    let state: RestAuthState
    let database: any Database

    public init(application: Application, database: (any Database)? = nil) {
        self.state = application.restAuth.state
        self.database = database ?? application.db
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case invalid([String])
        case noSuchUser(String)

        public var description: String {
            switch self {
            case .invalid(let messages): messages.joined(separator: "\n")
            case .noSuchUser(let username): "user '\(username)' does not exist"
            }
        }
    }

    /// Whether the user model has usernames (else the e-mail address is the identifier).
    public var hasUsernames: Bool { state.users.fields.username != nil }

    /// Problems with a would-be superuser's username and e-mail address.
    public func problems(username: String, email: String) async throws -> [String] {
        var problems: [String] = []
        if !hasUsernames {
            // The address is the identifier: required, and unique.
            if email.isEmpty {
                problems.append("Email address: This field cannot be blank.")
            } else if !EmailAddressSyntax.isValid(email) {
                problems.append("Email address: Enter a valid email address.")
            } else if try await !state.users.users(email: email, on: database).isEmpty {
                problems.append("Error: That email address is already taken.")
            }
            return problems
        }
        if username.isEmpty {
            problems.append("Username: This field cannot be blank.")
        } else if username.unicodeScalars.count > state.configuration.usernameMaxLength {
            problems.append(
                "Username: Ensure this value has at most \(state.configuration.usernameMaxLength) characters.")
        } else if !UsernameSyntax.isValid(username) {
            problems.append("Username: \(UsernameSyntax.message)")
        } else if try await state.users.usernameTaken(username, on: database) {
            problems.append("Error: That username is already taken.")
        }
        if !email.isEmpty && !EmailAddressSyntax.isValid(email) {
            problems.append("Email address: Enter a valid email address.")
        }
        return problems
    }

    /// The validators' messages for a password of this user (Django asks whether to bypass them).
    public func passwordProblems(_ password: String, username: String, email: String) -> [String] {
        state.configuration.passwordValidators.messages(
            for: password, user: PasswordUserAttributes(username: username, firstName: "", lastName: "", email: email))
    }

    /// Creates a superuser (staff, active) with a verified primary address when one is given.
    /// With an app's own user model, the account its `newAccount` makes (a model of its own
    /// keeps its own notion of staff), identified by its address when it has no username.
    @discardableResult
    public func createSuperuser(username: String, email: String, password: String) async throws
        -> any RestAuthUser
    {
        let problems = try await problems(username: username, email: email)
        guard problems.isEmpty else { throw Failure.invalid(problems) }
        let hash = try await state.passwords.hash(password)
        let user: any RestAuthUser
        if state.configuration.userModel == AuthUser.self {
            user = AuthUser(
                username: username, email: Self.normalizedEmail(email), password: hash, isActive: true, isStaff: true,
                isSuperuser: true)
        } else {
            user = state.configuration.userModel.newAccount(
                username: hasUsernames ? username : nil, email: AccountCaseFolding.fold(email), password: hash)
        }
        try await database.transaction { db in
            try await user.create(on: db)
            if !email.isEmpty {
                try await EmailAddress(
                    email: AccountCaseFolding.fold(email), verified: true, primary: true,
                    userKey: user.requireAccountKey()
                )
                .create(on: db)
            }
        }
        return user
    }

    /// Django's `normalize_email`: the domain in lower case (folded as everywhere else:
    /// ``AccountCaseFolding``), the local part as given.
    static func normalizedEmail(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@") else { return email }
        return email[..<at] + AccountCaseFolding.fold(String(email[at...]))
    }

    /// Sets a user's password (Django's `changepassword`); their sessions end with the old
    /// hash, and every refresh token of theirs is revoked, as a reset does.
    public func changePassword(username: String, to password: String) async throws {
        guard let user = try await self.user(named: username) else {
            throw Failure.noSuchUser(username)
        }
        let key = try user.requireAccountKey()
        try await state.users.setPassword(of: key, to: try await state.passwords.hash(password), on: database)
        try await state.refreshTokens.revokeFamilies(of: key, except: nil, on: database)
    }

    /// The user's attributes, to validate a new password against.
    /// The user with this username (or, for a model without usernames, this address).
    public func user(named username: String) async throws -> (any RestAuthUser)? {
        if !hasUsernames {
            return try await state.users.users(email: username, on: database).first
        }
        return try await state.users.user(username: username, on: database)
    }
}
