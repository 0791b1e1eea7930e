import Foundation
import NIOCore
import NIOPosix

/// Delivers each message over its own SMTP connection (EHLO, STARTTLS or implicit TLS,
/// AUTH PLAIN or LOGIN, MAIL/RCPT/DATA with dot-stuffing), with a timeout on the
/// connection and on every reply. A refusal comes back as an ``SMTPError`` that says
/// which command the server refused and why.
public struct SMTPEmailSender: EmailSender {
    public let configuration: SMTPConfiguration
    let group: any EventLoopGroup

    public init(
        configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.group = eventLoopGroup
    }

    public func send(_ message: EmailMessage) async throws {
        // Only the configured sender is a mailbox to take apart; each recipient is the
        // validated address itself (a quoted local part may hold `<...>`).
        let sender = EmailMessage.address(of: message.from)
        let recipients = message.to.map { $0.trimmingCharacters(in: .whitespaces) }
        for address in [sender] + recipients where !EmailMessage.isSafeSMTPPath(address) {
            throw SMTPError.invalidAddress(address)
        }
        guard !recipients.isEmpty else { throw SMTPError.invalidAddress("") }

        let connection = try await SMTPConnection.connect(configuration, group: group)
        do {
            try await converse(connection, message: message, sender: sender, recipients: recipients)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    private func converse(_ connection: SMTPConnection, message: EmailMessage, sender: String, recipients: [String])
        async throws
    {
        let greeting = try await connection.reply("greeting")
        guard greeting.code == 220 else {
            throw SMTPError.rejected(command: "connection", code: greeting.code, message: greeting.message)
        }
        var capabilities = try await hello(connection)
        if configuration.security == .startTLS {
            guard capabilities.keys.contains("STARTTLS") else { throw SMTPError.startTLSUnsupported }
            try await connection.command("STARTTLS", expect: [220])
            try await connection.startTLS()
            capabilities = try await hello(connection)
        }
        if let username = configuration.username, !username.isEmpty {
            try await authenticate(
                connection, username: username, password: configuration.password ?? "", capabilities: capabilities)
        }
        let smtpUTF8 =
            capabilities.keys.contains("SMTPUTF8") && ([sender] + recipients).contains { !$0.allSatisfy(\.isASCII) }
        try await connection.command(
            "MAIL FROM:<\(sender)>" + (smtpUTF8 ? " SMTPUTF8" : ""), expect: [250], display: "MAIL FROM")
        // As smtplib's sendmail: the message goes to the recipients the server accepts; it
        // fails only when the server refuses them all.
        var refusals: [any Error] = []
        for recipient in recipients {
            do {
                try await connection.command("RCPT TO:<\(recipient)>", expect: [250, 251], display: "RCPT TO")
            } catch let error as SMTPError {
                guard error.replyCode != nil else { throw error }
                refusals.append(error)
            }
        }
        if refusals.count == recipients.count, let first = refusals.first { throw first }
        try await connection.command("DATA", expect: [354])
        try await connection.write(Self.dotStuffed(message.rendered()) + ".\r\n")
        let accepted = try await connection.reply("end of data")
        guard accepted.code == 250 else {
            throw SMTPError.rejected(command: "DATA", code: accepted.code, message: accepted.message)
        }
        _ = try? await connection.command("QUIT", expect: [221])
    }

    /// EHLO, falling back to HELO; the extensions the server offers, by keyword.
    private func hello(_ connection: SMTPConnection) async throws -> [String: String] {
        try await connection.write("EHLO \(configuration.heloName)\r\n")
        let reply = try await connection.reply("EHLO")
        guard reply.code == 250 else {
            try await connection.command("HELO \(configuration.heloName)", expect: [250], display: "HELO")
            return [:]
        }
        var capabilities: [String: String] = [:]
        for line in reply.lines.dropFirst() {
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "=" })
            guard let keyword = parts.first else { continue }
            capabilities[keyword.uppercased()] = parts.count > 1 ? String(parts[1]).uppercased() : ""
        }
        return capabilities
    }

    private func authenticate(
        _ connection: SMTPConnection, username: String, password: String, capabilities: [String: String]
    ) async throws {
        guard let methods = capabilities["AUTH"]?.split(separator: " ").map(String.init) else {
            throw SMTPError.authUnsupported
        }
        if methods.contains("PLAIN") {
            let credentials = Data(("\u{0}" + username + "\u{0}" + password).utf8).base64EncodedString()
            try await connection.command("AUTH PLAIN \(credentials)", expect: [235], display: "AUTH PLAIN")
        } else if methods.contains("LOGIN") {
            try await connection.command("AUTH LOGIN", expect: [334])
            try await connection.command(
                Data(username.utf8).base64EncodedString(), expect: [334], display: "AUTH LOGIN username")
            try await connection.command(
                Data(password.utf8).base64EncodedString(), expect: [235], display: "AUTH LOGIN password")
        } else {
            throw SMTPError.authUnsupported
        }
    }

    /// RFC 5321 §4.5.2: a line that starts with a dot gets another.
    static func dotStuffed(_ data: String) -> String {
        var out = data.hasPrefix(".") ? "." + data : data
        out = out.replacingOccurrences(of: "\r\n.", with: "\r\n..")
        return out.hasSuffix("\r\n") ? out : out + "\r\n"
    }
}
