import Fluent
import Foundation
import Vapor

/// A value a check refused, with the message the client sees on the field.
public struct ValidationMessage: Error, Sendable, Equatable {
    public var message: String

    public init(_ message: String) { self.message = message }
}

/// allauth's `DefaultAccountAdapter`: how usernames and addresses are cleaned, how a new
/// user is made and saved, how messages are sent and links built. Every method has a
/// default (``DefaultAccountAdapter``); implement only what you change.
///
/// ```swift
/// struct CompanyOnlyAdapter: AccountAdapter {
///     func cleanEmail(_ email: String, context: RestAuthContext) async throws -> String {
///         guard email.lowercased().hasSuffix("@example.com") else {
///             throw ValidationMessage("Sign-up is open to example.com addresses only.")
///         }
///         return email
///     }
/// }
/// config.accountAdapter = CompanyOnlyAdapter()
/// ```
public protocol AccountAdapter: Sendable {
    /// allauth's `clean_username`: Django's username rules, the blacklist, and
    /// uniqueness without regard to case. `excluding` is the user renaming themselves.
    func cleanUsername(_ username: String, excluding: UserKey?, context: RestAuthContext) async throws -> String
    /// allauth's `clean_email`.
    func cleanEmail(_ email: String, context: RestAuthContext) async throws -> String
    /// allauth's `clean_password`: the messages of the password validators, empty when it passes.
    func passwordProblems(_ password: String, user: PasswordUserAttributes?, context: RestAuthContext) -> [String]
    /// allauth's `new_user` and `populate_username`: a new, unsaved user.
    func newUser(username: String?, email: String, passwordHash: String, context: RestAuthContext) -> any RestAuthUser
    /// allauth's `save_user`: stores a new user and their primary address, in one transaction;
    /// without an address (an optional e-mail left out at sign-up) the user alone, and nil.
    func saveUser(_ user: any RestAuthUser, email: String, context: RestAuthContext) async throws -> EmailAddress?
    /// allauth's `send_mail`: delivers a message (in the background unless `waiting`).
    func send(_ message: EmailMessage, purpose: String, waiting: Bool, context: RestAuthContext) async
    /// The link of a reset mail.
    func passwordResetURL(uid: String, token: String, site: String, context: RestAuthContext) -> String
    /// The link of a confirmation mail (allauth's `get_email_confirmation_url`).
    func emailConfirmationURL(key: String, site: String, context: RestAuthContext) -> String
}

extension AccountAdapter {
    public func cleanUsername(_ username: String, excluding: UserKey?, context: RestAuthContext) async throws -> String
    {
        let configuration = context.configuration
        let username = configuration.preserveUsernameCasing ? username : AccountCaseFolding.fold(username)
        guard UsernameSyntax.isValid(username) else { throw ValidationMessage(UsernameSyntax.message) }
        if configuration.usernameBlacklist.contains(where: { AccountCaseFolding.equal($0, username) }) {
            throw ValidationMessage(RestAuthMessages.Registration.usernameBlacklisted.text)
        }
        if try await context.state.users.usernameTaken(username, excluding: excluding, on: context.database) {
            throw ValidationMessage(UsernameRules.takenMessage)
        }
        return username
    }

    public func cleanEmail(_ email: String, context: RestAuthContext) async throws -> String {
        email
    }

    public func passwordProblems(_ password: String, user: PasswordUserAttributes?, context: RestAuthContext)
        -> [String]
    {
        context.configuration.passwordValidators.messages(for: password, user: user)
    }

    public func newUser(username: String?, email: String, passwordHash: String, context: RestAuthContext)
        -> any RestAuthUser
    {
        context.configuration.userModel.newAccount(username: username, email: email, password: passwordHash)
    }

    public func saveUser(_ user: any RestAuthUser, email: String, context: RestAuthContext) async throws
        -> EmailAddress?
    {
        guard !email.isEmpty else {
            try await user.create(on: context.database)
            return nil
        }
        let address = EmailAddress(email: email, verified: false, primary: true, userKey: .int(0))
        try await context.database.transaction { database in
            try await user.create(on: database)
            address.userKey = try user.requireAccountKey()
            try await address.create(on: database)
        }
        return address
    }

    public func send(_ message: EmailMessage, purpose: String, waiting: Bool, context: RestAuthContext) async {
        if waiting {
            await context.state.outbox.deliver(message, purpose: purpose)
        } else {
            context.state.outbox.post(message, purpose: purpose)
        }
    }

    public func passwordResetURL(uid: String, token: String, site: String, context: RestAuthContext) -> String {
        Mailer.fill(context.configuration.passwordResetURLTemplate, ["site": site, "uid": uid, "token": token])
    }

    public func emailConfirmationURL(key: String, site: String, context: RestAuthContext) -> String {
        Mailer.fill(
            context.configuration.emailConfirmationURLTemplate,
            ["site": site, "api": context.state.mounted.withLockedValue { $0?.prefix } ?? "/", "key": key])
    }
}

/// allauth's default behaviour, unchanged.
public struct DefaultAccountAdapter: AccountAdapter {
    public init() {}
}
