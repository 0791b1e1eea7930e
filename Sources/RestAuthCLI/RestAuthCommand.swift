import ArgumentParser
import Foundation
import RestAuthClient

/// `restauth`: signs in to a dj-rest-auth API (this package's server, or Django's own)
/// and manages the account from a terminal, through ``RestAuthClient/AuthClient``.
///
/// The credential the login gets is kept in a file readable by its owner only (one per
/// server, see ``GlobalOptions``), and the server is remembered, so that the commands after
/// `restauth login --server URL` need no options:
///
/// ```
/// $ restauth login --server https://example.com/dj-rest-auth/ --username ada
/// Password:
/// Signed in as ada (token)
/// $ restauth whoami
/// $ restauth mfa enable
/// $ restauth logout
/// ```
///
/// A refusal prints the server's message, then its errors by field, on standard error, and
/// exits with status 1 (``Failure``).
@main
struct RestAuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restauth",
        abstract: "Sign in to a dj-rest-auth API and manage the account from a terminal.",
        discussion: """
            The server is --server, else $RESTAUTH_SERVER, else the one of the last `restauth login`. \
            The credential is kept in ~/.config/restauth/<host>_<port>.json (or under $XDG_CONFIG_HOME), \
            readable by its owner only.
            """,
        subcommands: [
            LoginCommand.self, WhoAmICommand.self, LogoutCommand.self, PasswordCommand.self, MFACommand.self,
        ]
    )

    /// ArgumentParser's own `main`, except that the failures the tool understands (the
    /// server's refusals, ``CLIError``) are reported in its own words instead of as
    /// `Error: <description>`.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard Failure.report(error) else { exit(withError: error) }
            exit(withError: ExitCode.failure)
        }
    }
}
