import ArgumentParser
import Foundation
import RestAuthClient
import RestAuthQRCode

/// `restauth mfa`: the group of two-factor authentication commands.
struct MFACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mfa", abstract: "Manage two-factor authentication (TOTP).",
        subcommands: [MFAEnableCommand.self, MFAStatusCommand.self])
}

/// `restauth mfa enable`: adds a TOTP authenticator to the account: shows its secret (as a
/// QR code, a URI and text), confirms it with a code, and prints the recovery codes.
struct MFAEnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Turn on two-factor authentication with an authenticator app.",
        discussion: """
            Shows a new secret as a QR code, an otpauth:// URI and text, then asks for a code from the app \
            (read from a line of standard input when it is not a terminal) and prints the recovery codes, \
            which are shown only once.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The code from the authenticator app, instead of asking for it.")
    var code: String?

    @Flag(name: .customLong("no-qr"), help: "Do not draw the QR code.")
    var noQR = false

    @Flag(help: "Draw the QR code for a terminal with dark text on a light background.")
    var lightTerminal = false

    func run() async throws {
        let client = try global.makeClient()
        // The server would hand out a secret anyway, and refuse it only with the code.
        if try await client.mfaStatus().enabled {
            throw CLIError("Two-factor authentication is already on.")
        }
        let setup = try await client.beginTOTPActivation()
        print("Add this account to your authenticator app: scan the code, or open the URI, or type the secret.")
        print()
        if !noQR {
            if let qr = try? QRCode(setup.totpURL, errorCorrection: .low) {
                print(TerminalQR.render(qr, background: lightTerminal ? .light : .dark))
            } else {
                print("(The URI is too long for a QR code.)\n")
            }
        }
        print("URI:    \(setup.totpURL)")
        print("Secret: \(setup.secret)")
        print()
        let recoveryCodes = try await activate(client, setup)
        print("Two-factor authentication is on.")
        print("Recovery codes (each signs in once instead of a code; keep them safe, they are not shown again):")
        for recoveryCode in recoveryCodes { print("  \(recoveryCode)") }
    }

    /// Sends the code; at a terminal, a mistyped code may be typed again (three tries).
    private func activate(_ client: AuthClient, _ setup: TOTPSetup) async throws -> [String] {
        if let code { return try await client.activateTOTP(setup, code: code) }
        var tries = 1
        while true {
            let code = try Terminal.readLine(prompt: "Code from the app: ", what: "code")
            do {
                return try await client.activateTOTP(setup, code: code)
            } catch let error as RestAuthError where error.status == 400 && tries < 3 && Terminal.isInteractive {
                _ = Failure.report(error)
                tries += 1
            }
        }
    }
}

/// `restauth mfa status`: whether two-factor authentication is on.
struct MFAStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show whether two-factor authentication is on.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let status = try await global.makeClient().mfaStatus()
        print("Two-factor authentication: \(status.enabled ? "on" : "off")")
        guard status.enabled else { return }
        print("Activated: \(status.createdAt.map(Self.format) ?? "unknown")")
        print("Last used: \(status.lastUsedAt.map(Self.format) ?? "never")")
    }

    private static func format(_ date: Date) -> String {
        date.formatted(date: .abbreviated, time: .shortened)
    }
}
