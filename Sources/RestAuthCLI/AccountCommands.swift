import ArgumentParser
import Foundation
import RestAuthClient

extension AuthMode: ExpressibleByArgument {}

/// `restauth login`: signs in with a username or an e-mail address and a password, and
/// with the second factor when the account has one; keeps the credential and the server.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in, and keep the credential for the other commands.",
        discussion: """
            The username and the password are prompted for when not given (the password without echo); \
            when standard input is not a terminal, each is read from a line of it instead. An account with \
            two-factor authentication is then asked for a code from its authenticator app, or a recovery code.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The username (prompted for when neither --username nor --email is given).")
    var username: String?

    @Option(help: "The e-mail address, for a server that signs in by e-mail.")
    var email: String?

    @Option(help: "The password (prompted for without echo when not given; options show in the process list).")
    var password: String?

    @Option(help: "How to authenticate (default: what the server's login answer carries).")
    var mode: AuthMode?

    @Option(help: "The authenticator code or recovery code, when the account has two-factor authentication.")
    var code: String?

    func run() async throws {
        let server = try global.serverURL()
        let client = global.makeClient(server: server, mode: mode)
        var username = self.username
        if username == nil, email == nil {
            username = try Terminal.readLine(prompt: "Username: ", what: "username")
        }
        let password = try self.password ?? Terminal.readSecret(prompt: "Password: ", what: "password")
        let signIn: SignIn
        switch try await client.login(username: username, email: email, password: password) {
        case .signedIn(let answer):
            signIn = answer
        case .mfaRequired(let challenge):
            let code =
                try self.code
                ?? Terminal.readLine(prompt: "Authenticator code or recovery code: ", what: "code")
            signIn = try await client.verifyMFA(challenge, code: code)
        }
        do {
            try Settings.saveLastServer(server)
        } catch {
            Terminal.error("Could not remember the server in \(Settings.lastServerFile.path): \(error)")
        }
        let user = try await client.user()
        print("Signed in as \(user.username ?? user.email ?? user.pk ?? "?") (\(signIn.mode.rawValue))")
    }
}

/// `restauth whoami`: the signed-in user, as the server's `user/` describes it.
struct WhoAmICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Show the signed-in user.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print every field of the answer as JSON.")
    var json = false

    func run() async throws {
        let user = try await global.makeClient().user()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(JSON.object(user.fields)), as: UTF8.self))
            return
        }
        let rows: [(String, String?)] = [
            ("username", user.username), ("email", user.email), ("pk", user.pk), ("first_name", user.firstName),
            ("last_name", user.lastName),
        ]
        for (name, value) in rows {
            guard let value else { continue }
            let line = "\(name):".padding(toLength: 12, withPad: " ", startingAt: 0) + value
            print(value.isEmpty ? "\(name):" : line)
        }
    }
}

/// `restauth logout`: ends the session on the server and forgets the credential here.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "Sign out: end the session on the server and forget the credential.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let client = try global.makeClient()
        guard await client.isSignedIn() else {
            print("Not signed in.")
            return
        }
        // The credential is forgotten even when the server cannot be reached (then reported).
        try await client.logout()
        print("Signed out.")
    }
}
