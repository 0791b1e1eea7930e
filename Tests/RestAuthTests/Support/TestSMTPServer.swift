import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP server on 127.0.0.1 that records what it receives, so the tests drive the
/// real SMTP client over TCP: EHLO, STARTTLS or implicit TLS with the test certificate,
/// AUTH PLAIN and LOGIN, MAIL/RCPT/DATA with dot-stuffing, and the failures a client meets.
final class TestSMTPServer: @unchecked Sendable {
    struct Options: Sendable {
        var offerStartTLS = true
        var implicitTLS = false
        var authMethods: [String] = ["PLAIN", "LOGIN"]
        /// Username and password that AUTH accepts; nil accepts any mail without AUTH.
        var credentials: (String, String)? = nil
        /// Recipients refused with 550.
        var refusedRecipients: Set<String> = []
        /// Never send the greeting (the client times out).
        var silent = false
        /// After agreeing to STARTTLS, send this reply in plain text before the handshake
        /// (a man in the middle's injection).
        var injectAfterStartTLS: String? = nil
        /// After agreeing to STARTTLS, never take part in the handshake.
        var stallStartTLS = false
    }

    struct Received: Sendable {
        var mailFrom: String
        var recipients: [String]
        /// The message after un-dot-stuffing, lines joined with CRLF.
        var data: String
        var authenticatedAs: String?
        var overTLS: Bool
    }

    let port: Int
    private let channel: any Channel
    private let recorder: NIOLockedValueBox<[Received]>

    /// Every message received so far.
    var messages: [Received] { recorder.withLockedValue { $0 } }

    private init(port: Int, channel: any Channel, recorder: NIOLockedValueBox<[Received]>) {
        self.port = port
        self.channel = channel
        self.recorder = recorder
    }

    static func start(_ options: Options = Options()) async throws -> TestSMTPServer {
        let sslContext = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: [
                    .certificate(try NIOSSLCertificate(bytes: Array(TestCertificate.certificatePEM.utf8), format: .pem))
                ],
                privateKey: .privateKey(
                    try NIOSSLPrivateKey(bytes: Array(TestCertificate.privateKeyPEM.utf8), format: .pem))))
        let recorder = NIOLockedValueBox<[Received]>([])
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if options.implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        SessionHandler(options: options, sslContext: sslContext, recorder: recorder))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        return TestSMTPServer(port: channel.localAddress!.port!, channel: channel, recorder: recorder)
    }

    /// Waits until `count` messages arrived (or a second passed).
    func waitForMessages(_ count: Int, timeout: Double = 5) async -> [Received] {
        let deadline = Date().addingTimeInterval(timeout)
        while messages.count < count && Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        return messages
    }

    func stop() async {
        try? await channel.close()
    }

    final class LineDecoder: ByteToMessageDecoder {
        typealias InboundOut = String

        func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
                return .needMoreData
            }
            var bytes = buffer.readBytes(length: newline - buffer.readerIndex + 1)!
            while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
            context.fireChannelRead(wrapInboundOut(String(decoding: bytes, as: UTF8.self)))
            return .continue
        }
    }

    final class SessionHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = String
        typealias OutboundOut = ByteBuffer

        let options: Options
        let sslContext: NIOSSLContext
        let recorder: NIOLockedValueBox<[Received]>
        var tls: Bool
        var mailFrom: String?
        var recipients: [String] = []
        var inData = false
        var dataLines: [String] = []
        var authenticatedAs: String?
        var loginStep: Int?
        var stalled = false
        var loginUser = ""

        init(options: Options, sslContext: NIOSSLContext, recorder: NIOLockedValueBox<[Received]>) {
            self.options = options
            self.sslContext = sslContext
            self.recorder = recorder
            self.tls = options.implicitTLS
        }

        func channelActive(context: ChannelHandlerContext) {
            if !options.silent { send(context, "220 test.smtp ESMTP ready") }
            context.fireChannelActive()
        }

        func send(_ context: ChannelHandlerContext, _ line: String) {
            var buffer = context.channel.allocator.buffer(capacity: line.utf8.count + 2)
            buffer.writeString(line + "\r\n")
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let line = unwrapInboundIn(data)
            if stalled { return }
            if inData {
                if line == "." {
                    inData = false
                    let message = Received(
                        mailFrom: mailFrom ?? "", recipients: recipients, data: dataLines.joined(separator: "\r\n"),
                        authenticatedAs: authenticatedAs, overTLS: tls)
                    recorder.withLockedValue { $0.append(message) }
                    mailFrom = nil
                    recipients = []
                    dataLines = []
                    send(context, "250 OK queued")
                } else {
                    dataLines.append(line.hasPrefix(".") ? String(line.dropFirst()) : line)
                }
                return
            }
            if let step = loginStep {
                let decoded = String(decoding: Data(base64Encoded: line) ?? Data(), as: UTF8.self)
                if step == 0 {
                    loginUser = decoded
                    loginStep = 1
                    send(context, "334 UGFzc3dvcmQ6")
                } else {
                    loginStep = nil
                    checkCredentials(context, user: loginUser, password: decoded)
                }
                return
            }
            let upper = line.uppercased()
            if upper.hasPrefix("EHLO") {
                var lines = ["250-test.smtp greets you", "250-SIZE 10485760", "250-8BITMIME"]
                if options.offerStartTLS && !tls { lines.append("250-STARTTLS") }
                if !options.authMethods.isEmpty {
                    lines.append("250-AUTH \(options.authMethods.joined(separator: " "))")
                }
                lines.append("250 SMTPUTF8")
                for reply in lines { send(context, reply) }
            } else if upper.hasPrefix("HELO") {
                send(context, "250 test.smtp")
            } else if upper == "STARTTLS" {
                guard options.offerStartTLS, !tls else { return send(context, "502 not offered") }
                send(context, "220 Go ahead")
                if let injected = options.injectAfterStartTLS { send(context, injected) }
                if options.stallStartTLS {
                    stalled = true
                    return
                }
                tls = true
                try? context.pipeline.syncOperations.addHandler(
                    NIOSSLServerHandler(context: sslContext), position: .first)
            } else if upper.hasPrefix("AUTH PLAIN ") {
                let decoded = Data(base64Encoded: String(line.dropFirst(11))) ?? Data()
                let parts = decoded.split(separator: 0, omittingEmptySubsequences: false).map {
                    String(decoding: $0, as: UTF8.self)
                }
                checkCredentials(
                    context, user: parts.count > 1 ? parts[1] : "", password: parts.count > 2 ? parts[2] : "")
            } else if upper == "AUTH LOGIN" {
                loginStep = 0
                send(context, "334 VXNlcm5hbWU6")
            } else if upper.hasPrefix("MAIL FROM:") {
                if options.credentials != nil && authenticatedAs == nil {
                    return send(context, "530 Authentication required")
                }
                mailFrom = Self.address(line)
                send(context, "250 OK")
            } else if upper.hasPrefix("RCPT TO:") {
                let address = Self.address(line)
                if options.refusedRecipients.contains(address) { return send(context, "550 No such user here") }
                recipients.append(address)
                send(context, "250 OK")
            } else if upper == "DATA" {
                guard mailFrom != nil, !recipients.isEmpty else { return send(context, "503 Bad sequence of commands") }
                inData = true
                send(context, "354 End data with <CR><LF>.<CR><LF>")
            } else if upper == "QUIT" {
                send(context, "221 Bye")
                context.close(promise: nil)
            } else if upper == "RSET" || upper == "NOOP" {
                send(context, "250 OK")
            } else {
                send(context, "500 Unknown command")
            }
        }

        func checkCredentials(_ context: ChannelHandlerContext, user: String, password: String) {
            if let (expectedUser, expectedPassword) = options.credentials, user == expectedUser,
                password == expectedPassword
            {
                authenticatedAs = user
                send(context, "235 Authentication successful")
            } else {
                send(context, "535 Authentication credentials invalid")
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }

        static func address(_ line: String) -> String {
            guard let open = line.firstIndex(of: "<"), let close = line.lastIndex(of: ">"), open < close else {
                return ""
            }
            return String(line[line.index(after: open)..<close])
        }
    }
}
