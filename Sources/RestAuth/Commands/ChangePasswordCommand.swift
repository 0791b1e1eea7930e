import ConsoleKit
import Vapor

/// `changepassword [username]`, as Django's: asks for the new password twice, runs the
/// validators, and saves it.
public struct ChangePasswordCommand: AsyncCommand {
    public struct Signature: CommandSignature {
        @Argument(name: "username", help: "The user whose password to change.")
        var username: String

        public init() {}
    }

    public init() {}

    public var help: String { "Changes a user's password (Django's changepassword)." }

    public func run(using context: CommandContext, signature: Signature) async throws {
        let admin = AccountAdministration(application: context.application)
        guard let user = try await admin.user(named: signature.username) else {
            throw AccountAdministration.Failure.noSuchUser(signature.username)
        }
        context.console.print("Changing password for user '\((user.accountUsername ?? user.accountEmail))'")
        let validators = context.application.restAuth.configuration.passwordValidators
        let password = try askPassword(context: context) { password in
            validators.messages(for: password, user: user.passwordAttributes)
        }
        try await admin.changePassword(username: (user.accountUsername ?? user.accountEmail), to: password)
        context.console.print("Password changed successfully for user '\((user.accountUsername ?? user.accountEmail))'")
    }
}
