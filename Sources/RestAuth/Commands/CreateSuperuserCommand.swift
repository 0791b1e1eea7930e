import ConsoleKit
import Foundation
import Vapor

/// `createsuperuser`, as Django's: asks for a username, an e-mail address and a password
/// (twice), and offers to bypass the password validators. With `--noinput` the password
/// comes from `DJANGO_SUPERUSER_PASSWORD` and the username and e-mail from the options or
/// `DJANGO_SUPERUSER_USERNAME` / `DJANGO_SUPERUSER_EMAIL`.
public struct CreateSuperuserCommand: AsyncCommand {
    public struct Signature: CommandSignature {
        @Option(name: "username", help: "The superuser's username.")
        var username: String?

        @Option(name: "email", help: "The superuser's e-mail address.")
        var email: String?

        @Flag(name: "noinput", help: "Do not prompt; read the password from DJANGO_SUPERUSER_PASSWORD.")
        var noInput: Bool

        public init() {}
    }

    public init() {}

    public var help: String { "Creates a superuser account (Django's createsuperuser)." }

    public func run(using context: CommandContext, signature: Signature) async throws {
        let admin = AccountAdministration(application: context.application)
        let env = ProcessInfo.processInfo.environment
        if signature.noInput {
            let username = signature.username ?? env["DJANGO_SUPERUSER_USERNAME"] ?? ""
            let email = signature.email ?? env["DJANGO_SUPERUSER_EMAIL"] ?? ""
            guard let password = env["DJANGO_SUPERUSER_PASSWORD"], !password.isEmpty else {
                throw AccountAdministration.Failure.invalid([
                    "CommandError: DJANGO_SUPERUSER_PASSWORD must be set with --noinput."
                ])
            }
            try await admin.createSuperuser(username: username, email: email, password: password)
            context.console.print("Superuser created successfully.")
            return
        }
        var username = signature.username ?? ""
        var email = signature.email ?? ""
        var tries = 0
        while true {
            if admin.hasUsernames && (signature.username == nil || username.isEmpty) {
                username = context.console.ask("Username: ")
            }
            if signature.email == nil { email = context.console.ask("Email address: ") }
            let problems = try await admin.problems(username: username, email: email)
            if problems.isEmpty { break }
            for problem in problems { context.console.error(problem) }
            tries += 1
            // Input that has run out answers blank forever: give up rather than loop.
            if signature.username != nil || tries >= askLimit { throw AccountAdministration.Failure.invalid(problems) }
        }
        let password = try askPassword(context: context) { password in
            admin.passwordProblems(password, username: username, email: email)
        }
        try await admin.createSuperuser(username: username, email: email, password: password)
        context.console.print("Superuser created successfully.")
    }
}

/// How many times a prompt is repeated before the command gives up (Django's prompts
/// repeat until the terminal closes; this stops when piped input runs out, too).
let askLimit = 10

/// Django's password prompt: twice, not blank, validators shown with the offer to bypass them.
func askPassword(context: CommandContext, problems: (String) -> [String]) throws -> String {
    for _ in 0..<askLimit {
        let password = context.console.ask("Password: ", isSecure: true)
        let again = context.console.ask("Password (again): ", isSecure: true)
        guard password == again else {
            context.console.error("Error: Your passwords didn't match.")
            continue
        }
        guard !password.isEmpty else {
            context.console.error("Error: Blank passwords aren't allowed.")
            continue
        }
        let found = problems(password)
        if found.isEmpty { return password }
        for problem in found { context.console.error(problem) }
        if context.console.confirm("Bypass password validation and create user anyway? [y/N]") { return password }
    }
    throw AccountAdministration.Failure.invalid(["Operation cancelled."])
}
