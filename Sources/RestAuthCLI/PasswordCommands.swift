import ArgumentParser
import Foundation
import RestAuthClient

/// `restauth password`: the group of password commands.
struct PasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password", abstract: "Manage the password.", subcommands: [PasswordChangeCommand.self])
}

/// `restauth password change`: sets a new password for the signed-in user.
struct PasswordChangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Change the password.",
        discussion: """
            The new password is prompted for twice without echo when --new is not given (read from one line of \
            standard input when it is not a terminal). A server with OLD_PASSWORD_FIELD_ENABLED also wants the \
            current one: give --old, or type it when asked.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("old"), help: "The current password, for a server that asks for it.")
    var oldPassword: String?

    @Option(name: .customLong("new"), help: "The new password, for scripts (prompted for when not given).")
    var newPassword: String?

    func run() async throws {
        let client = try global.makeClient()
        // Fail before asking for passwords when there is nothing to change them with.
        guard await client.isSignedIn() else { throw RestAuthError.notSignedIn }
        let newPassword = try self.newPassword ?? Self.askNewPassword()
        var oldPassword = self.oldPassword
        let message: String
        do {
            message = try await client.changePassword(oldPassword: oldPassword, newPassword: newPassword)
        } catch let error as RestAuthError
            where oldPassword == nil && error.fieldErrors["old_password"] != nil && Terminal.isInteractive
        {
            // The server wants the current password: ask for it and try again.
            oldPassword = try Terminal.readSecret(prompt: "Current password: ", what: "current password")
            message = try await client.changePassword(oldPassword: oldPassword, newPassword: newPassword)
        }
        print(message.isEmpty ? "Password changed." : message)
    }

    /// The new password, typed twice at a terminal (once from a pipe).
    private static func askNewPassword() throws -> String {
        let password = try Terminal.readSecret(prompt: "New password: ", what: "new password")
        guard Terminal.isInteractive else { return password }
        let again = try Terminal.readSecret(prompt: "New password (again): ", what: "new password")
        guard again == password else { throw CLIError("The two passwords differ; nothing was changed.") }
        return password
    }
}
