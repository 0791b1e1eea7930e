import ConsoleKit
import Foundation
import Vapor

/// `changepassword <username>`, as Django's: the new password is asked twice, a blank one
/// aborts, the validators run, and after three failed tries the command gives up. (The
/// username is required: ConsoleKit has no optional positional argument, so Django's
/// default of the system user is not offered.)
public struct ChangePasswordCommand: AsyncCommand {
    public struct Signature: CommandSignature {
        @Argument(name: "username", help: "The user whose password to change.")
        var username: String

        public init() {}
    }

    public init() {}

    public var help: String { "Changes a user's password (Django's changepassword)." }

    static let maximumTries = 3

    public func run(using context: CommandContext, signature: Signature) async throws {
        let admin = AccountAdministration(application: context.application)
        let username = signature.username
        guard let user = try await admin.user(named: username) else {
            throw AccountAdministration.Failure.noSuchUser(username)
        }
        let name = user.accountUsername ?? user.accountEmail
        context.console.print("Changing password for user '\(name)'")
        let validators = context.application.restAuth.configuration.passwordValidators
        var tries = 0
        var password: String?
        while password == nil && tries < Self.maximumTries {
            let first = context.console.ask("Password: ", isSecure: true)
            guard !first.isEmpty else { throw AccountAdministration.Failure.invalid(["aborted"]) }
            let again = context.console.ask("Password (again): ", isSecure: true)
            guard !again.isEmpty else { throw AccountAdministration.Failure.invalid(["aborted"]) }
            guard first == again else {
                context.console.print("Passwords do not match. Please try again.")
                tries += 1
                continue
            }
            let problems = validators.messages(for: first, user: user.passwordAttributes)
            if problems.isEmpty {
                password = first
            } else {
                context.console.error(problems.joined(separator: "\n"))
                tries += 1
            }
        }
        guard let password else {
            throw AccountAdministration.Failure.invalid([
                "Aborting password change for user '\(name)' after \(tries) attempts"
            ])
        }
        try await admin.changePassword(username: name, to: password)
        context.console.print("Password changed successfully for user '\(name)'")
    }
}
