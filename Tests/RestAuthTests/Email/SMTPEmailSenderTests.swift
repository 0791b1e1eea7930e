import Foundation
import NIOCore
import NIOSSL
import Testing

@testable import RestAuth

@Suite("SMTP client against a real SMTP server over TCP")
struct SMTPEmailSenderTests {
    func trustingTestCertificate() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([
            try NIOSSLCertificate(bytes: Array(TestCertificate.certificatePEM.utf8), format: .pem)
        ])
        return tls
    }

    func message(to: [String] = ["ada@example.com"], text: String = "Hello\n.leading dot\nbye") -> EmailMessage {
        EmailMessage(from: "Site <webmaster@localhost>", to: to, subject: "Grüße", text: text, html: "<p>Hello</p>")
    }

    @Test("Plain SMTP: one message to several recipients, dot-stuffed, multipart")
    func plain() async throws {
        let server = try await TestSMTPServer.start()
        let sender = SMTPEmailSender(configuration: SMTPConfiguration(host: "127.0.0.1", port: server.port))
        // Recipients are addresses, sent to as written; a display name is not read out of one.
        await #expect(throws: SMTPError.self) {
            try await sender.send(message(to: ["Grace <grace@example.com>"]))
        }
        try await sender.send(message(to: ["ada@example.com", "grace@example.com"]))
        let received = try #require(await server.waitForMessages(1).first)
        #expect(received.mailFrom == "webmaster@localhost", "the sender is a mailbox, taken apart")
        #expect(received.recipients == ["ada@example.com", "grace@example.com"])
        #expect(!received.overTLS && received.authenticatedAs == nil)
        #expect(received.data.contains("Subject: =?utf-8?b?R3LDvMOfZQ==?="))
        #expect(received.data.contains("Content-Type: multipart/alternative"))
        #expect(received.data.contains("\r\n.leading dot\r\n"), "the server un-stuffs the line the client stuffed")
        #expect(received.data.contains("Content-Type: text/html"))
        await server.stop()
    }

    @Test("STARTTLS with the test certificate, then AUTH PLAIN")
    func startTLS() async throws {
        let server = try await TestSMTPServer.start(.init(credentials: ("mailer", "s3cret")))
        var configuration = SMTPConfiguration(
            host: "localhost", port: server.port, username: "mailer", password: "s3cret", security: .startTLS)
        configuration.tlsConfiguration = try trustingTestCertificate()
        try await SMTPEmailSender(configuration: configuration).send(message())
        let received = try #require(await server.waitForMessages(1).first)
        #expect(received.overTLS && received.authenticatedAs == "mailer")
        await server.stop()
    }

    @Test("Implicit TLS and AUTH LOGIN")
    func implicitTLS() async throws {
        let server = try await TestSMTPServer.start(
            .init(implicitTLS: true, authMethods: ["LOGIN"], credentials: ("mailer", "s3cret")))
        var configuration = SMTPConfiguration(
            host: "localhost", port: server.port, username: "mailer", password: "s3cret", security: .tls)
        configuration.tlsConfiguration = try trustingTestCertificate()
        try await SMTPEmailSender(configuration: configuration).send(message())
        let received = try #require(await server.waitForMessages(1).first)
        #expect(received.overTLS && received.authenticatedAs == "mailer")
        await server.stop()
    }

    @Test("An untrusted certificate is refused")
    func untrusted() async throws {
        let server = try await TestSMTPServer.start()
        let sender = SMTPEmailSender(
            configuration: SMTPConfiguration(host: "localhost", port: server.port, security: .startTLS))
        await #expect(throws: (any Error).self) { try await sender.send(message()) }
        #expect(server.messages.isEmpty)
        await server.stop()
    }

    @Test("Clear errors: wrong password, refused recipient, no STARTTLS, no AUTH, nobody listening, silence")
    func failures() async throws {
        let server = try await TestSMTPServer.start(.init(offerStartTLS: false, credentials: ("mailer", "s3cret")))
        let wrong = SMTPEmailSender(
            configuration: SMTPConfiguration(host: "127.0.0.1", port: server.port, username: "mailer", password: "nope")
        )
        await #expect(throws: SMTPError.self) { try await wrong.send(message()) }
        do {
            try await wrong.send(message())
        } catch let error as SMTPError {
            #expect(error.replyCode == 535 && error.description.contains("AUTH PLAIN"))
        }
        let tls = SMTPEmailSender(
            configuration: SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .startTLS))
        await #expect(throws: SMTPError.startTLSUnsupported) { try await tls.send(message()) }
        await server.stop()

        let refusing = try await TestSMTPServer.start(.init(authMethods: [], refusedRecipients: ["ghost@example.com"]))
        let sender = SMTPEmailSender(configuration: SMTPConfiguration(host: "127.0.0.1", port: refusing.port))
        do {
            try await sender.send(message(to: ["ghost@example.com"]))
            Issue.record("a refused recipient was accepted")
        } catch let error as SMTPError {
            #expect(error.replyCode == 550 && error.description.contains("RCPT TO"))
        }
        let auth = SMTPEmailSender(
            configuration: SMTPConfiguration(host: "127.0.0.1", port: refusing.port, username: "u", password: "p"))
        await #expect(throws: SMTPError.authUnsupported) { try await auth.send(message()) }
        await refusing.stop()

        let closed = SMTPEmailSender(
            configuration: SMTPConfiguration(host: "127.0.0.1", port: refusing.port, timeout: .seconds(2)))
        await #expect(throws: SMTPError.self) { try await closed.send(message()) }

        let silent = try await TestSMTPServer.start(.init(silent: true))
        // One timeout covers the connection and the greeting: long enough that a loaded machine
        // (the whole suite in parallel) still connects in time, so the greeting is what times out.
        let waiting = SMTPEmailSender(
            configuration: SMTPConfiguration(host: "127.0.0.1", port: silent.port, timeout: .seconds(2)))
        await #expect(throws: SMTPError.timedOut("greeting")) { try await waiting.send(message()) }
        await silent.stop()
    }

    @Test("STARTTLS: a reply injected before the handshake is refused; a stalled handshake times out")
    func startTLSAttacks() async throws {
        let injecting = try await TestSMTPServer.start(.init(injectAfterStartTLS: "250 injected"))
        var configuration = SMTPConfiguration(host: "localhost", port: injecting.port, security: .startTLS)
        configuration.tlsConfiguration = try trustingTestCertificate()
        do {
            try await SMTPEmailSender(configuration: configuration).send(message())
            Issue.record("a reply injected before TLS was read")
        } catch let error as SMTPError {
            #expect(error.description.contains("before the TLS handshake"), "\(error)")
        }
        #expect(injecting.messages.isEmpty)
        await injecting.stop()

        let stalling = try await TestSMTPServer.start(.init(stallStartTLS: true))
        configuration = SMTPConfiguration(
            host: "localhost", port: stalling.port, security: .startTLS, timeout: .milliseconds(500))
        configuration.tlsConfiguration = try trustingTestCertificate()
        let started = ContinuousClock.now
        await #expect(throws: SMTPError.self) {
            try await SMTPEmailSender(configuration: configuration).send(message())
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        await stalling.stop()
    }

    @Test("Some recipients refused: the others get the message, as smtplib's sendmail does")
    func partlyRefused() async throws {
        let server = try await TestSMTPServer.start(.init(authMethods: [], refusedRecipients: ["ghost@example.com"]))
        let sender = SMTPEmailSender(configuration: SMTPConfiguration(host: "127.0.0.1", port: server.port))
        try await sender.send(message(to: ["ghost@example.com", "ada@example.com"]))
        let received = try #require(await server.waitForMessages(1).first)
        #expect(received.recipients == ["ada@example.com"])
        await server.stop()
    }

    @Test("Header injection through an address is refused")
    func injection() async throws {
        let server = try await TestSMTPServer.start()
        let sender = SMTPEmailSender(configuration: SMTPConfiguration(host: "127.0.0.1", port: server.port))
        await #expect(throws: SMTPError.self) {
            try await sender.send(message(to: ["a@example.com>\r\nRCPT TO:<b@example.com"]))
        }
        await server.stop()
    }
}

@Suite("Messages")
struct EmailMessageTests {
    @Test("Quoted-printable for non-ASCII text, 7bit for ASCII, lines within limits")
    func encodings() {
        let ascii = EmailMessage(from: "a@x.com", to: ["b@x.com"], subject: "Hi", text: "plain text").rendered()
        #expect(ascii.contains("Content-Transfer-Encoding: 7bit") && ascii.contains("\r\nplain text\r\n"))
        let long = String(repeating: "é", count: 200)
        let utf8 = EmailMessage(from: "a@x.com", to: ["b@x.com"], subject: "Hi", text: long).rendered()
        #expect(utf8.contains("Content-Transfer-Encoding: quoted-printable"))
        #expect(utf8.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 || $0.hasPrefix("Message-ID") })
        #expect(MIME.quotedPrintable("a=b é") == ["a=3Db =C3=A9"])
        #expect(MIME.quotedPrintable("trailing ") == ["trailing=20"])
    }

    @Test("Header values cannot break out of their line")
    func headerInjection() {
        let message = EmailMessage(from: "a@x.com", to: ["b@x.com"], subject: "Hi\r\nBcc: evil@x.com", text: "x")
            .rendered()
        #expect(!message.contains("\r\nBcc:"))
    }

    @Test("Templates fill placeholders and escape HTML")
    func templates() {
        let template = EmailTemplate(
            subject: " Hi {{ name }} ", text: "Go {{link}} {{missing}}!", html: "<a href=\"{{ link }}\">{{ name }}</a>")
        let rendered = template.render(EmailContext(values: ["name": "<Ada>", "link": "https://x/?a=1&b=2"]))
        #expect(rendered.subject == "Hi <Ada>")
        #expect(rendered.text == "Go https://x/?a=1&b=2 !")
        #expect(rendered.html == "<a href=\"https://x/?a=1&amp;b=2\">&lt;Ada&gt;</a>")
    }
}
