import Foundation
import Logging

/// Something that happened to an account, after it happened: what an app subscribes to
/// (allauth's and dj-rest-auth's signals).
public enum AccountEvent: Sendable {
    case userSignedUp(any RestAuthUser)
    case userLoggedIn(any RestAuthUser)
    /// The user who logged out, when the request was authenticated.
    case userLoggedOut((any RestAuthUser)?)
    case passwordChanged(any RestAuthUser)
    case passwordReset(any RestAuthUser)
    case emailConfirmed(email: String, user: any RestAuthUser)
    case socialAccountAdded(provider: String, uid: String, user: any RestAuthUser)
    case socialAccountRemoved(provider: String, uid: String, user: any RestAuthUser)

    /// The user the event is about.
    public var user: (any RestAuthUser)? {
        switch self {
        case .userSignedUp(let user), .userLoggedIn(let user), .passwordChanged(let user), .passwordReset(let user):
            user
        case .userLoggedOut(let user): user
        case .emailConfirmed(_, let user), .socialAccountAdded(_, _, let user), .socialAccountRemoved(_, _, let user):
            user
        }
    }

    var auditMetadata: Logger.Metadata {
        switch self {
        case .socialAccountAdded(let provider, _, _), .socialAccountRemoved(let provider, _, _):
            ["provider": .string(provider)]
        default: [:]
        }
    }

    /// A short name for logs.
    public var name: String {
        switch self {
        case .userSignedUp: "user_signed_up"
        case .userLoggedIn: "user_logged_in"
        case .userLoggedOut: "user_logged_out"
        case .passwordChanged: "password_changed"
        case .passwordReset: "password_reset"
        case .emailConfirmed: "email_confirmed"
        case .socialAccountAdded: "social_account_added"
        case .socialAccountRemoved: "social_account_removed"
        }
    }
}

/// A subscriber to account events. Hooks run one after the other, in the order they were
/// added, after the change is stored; a hook that throws is logged and the others still
/// run: the request that succeeded is not undone.
///
/// ```swift
/// config.hooks.append { event, context in
///     if case .userSignedUp(let user) = event {
///         try await Welcome.schedule(for: user.accountEmail, on: context.database)
///     }
/// }
/// ```
public typealias AccountHook = @Sendable (AccountEvent, RestAuthContext) async throws -> Void

extension RestAuthContext {
    /// Tells every hook, in order; failures are logged.
    public func publish(_ event: AccountEvent) async {
        audit(event.name, outcome: "success", user: event.user, metadata: event.auditMetadata)
        for hook in configuration.hooks {
            do {
                try await hook(event, self)
            } catch {
                logger.error("RestAuth: a hook failed on \(event.name): \(error)")
            }
        }
    }
}
