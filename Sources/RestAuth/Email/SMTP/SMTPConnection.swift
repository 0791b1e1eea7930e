import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// One reply of an SMTP server: its code and its lines (without the code).
struct SMTPReply: Sendable {
    var code: Int
    var lines: [String]

    var message: String { lines.joined(separator: " ") }
}

/// Splits the byte stream into replies: `250-first`, `250-second`, `250 last`.
final class SMTPReplyDecoder: ByteToMessageDecoder, @unchecked Sendable {
    typealias InboundOut = SMTPReply
    // Touched only on the channel's event loop.
    private var lines: [String] = []
    /// Whether bytes were received that are not yet part of a whole reply.
    private(set) var hasPending = false
    /// A reply line longer than this is not SMTP (RFC 5321 allows 512 bytes).
    private let maximumLineLength = 4096
    /// A multi-line reply with more lines than this is not SMTP either (an EHLO reply has
    /// a few dozen at most): a hostile server cannot grow memory until the timeout.
    private let maximumLines = 512

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        // Kept on every way out: NIO does not call again for an emptied buffer.
        defer { hasPending = buffer.readableBytes > 0 || !lines.isEmpty }
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maximumLineLength { throw SMTPError.connectionFailed("reply line too long") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex + 1
        // Checked whether or not the newline came in the same read as the line.
        if length > maximumLineLength { throw SMTPError.connectionFailed("reply line too long") }
        guard var bytes = buffer.readBytes(length: length) else { return .needMoreData }
        // "\r\n" is one Character in Swift: strip the line ending byte by byte.
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard bytes.count >= 3, bytes[0..<3].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let code = Int(String(decoding: bytes[0..<3], as: UTF8.self))
        else {
            throw SMTPError.connectionFailed("not an SMTP reply: \(String(decoding: bytes.prefix(80), as: UTF8.self))")
        }
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        if lines.count > maximumLines { throw SMTPError.connectionFailed("reply of more than \(maximumLines) lines") }
        if separator != UInt8(ascii: "-") {
            let reply = SMTPReply(code: code, lines: lines)
            lines = []
            context.fireChannelRead(wrapInboundOut(reply))
        }
        return .continue
    }
}

/// Hands replies to whoever waits for them, in order; fails the waiters when the
/// connection ends.
final class SMTPReplyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = SMTPReply

    // Touched only on the channel's event loop.
    private var waiting: [EventLoopPromise<SMTPReply>] = []
    private var ready: [SMTPReply] = []
    private var failure: SMTPError?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        if waiting.isEmpty {
            ready.append(reply)
        } else {
            waiting.removeFirst().succeed(reply)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(error as? SMTPError ?? .connectionFailed(String(describing: error)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionClosed)
        context.fireChannelInactive()
    }

    func fail(_ error: SMTPError) {
        if failure == nil { failure = error }
        let pending = waiting
        waiting = []
        for promise in pending { promise.fail(error) }
    }

    /// Whether replies arrived that nobody asked for yet; call on the event loop.
    var hasUnreadReplies: Bool { !ready.isEmpty }

    /// The next reply; call on the event loop.
    func next(on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        eventLoop.preconditionInEventLoop()
        if !ready.isEmpty { return eventLoop.makeSucceededFuture(ready.removeFirst()) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiting.append(promise)
        return promise.futureResult
    }
}

/// A conversation with one SMTP server.
final class SMTPConnection: Sendable {
    let channel: any Channel
    let handler: SMTPReplyHandler
    let decoder: SMTPReplyDecoder
    let configuration: SMTPConfiguration

    private init(
        channel: any Channel, handler: SMTPReplyHandler, decoder: SMTPReplyDecoder, configuration: SMTPConfiguration
    ) {
        self.channel = channel
        self.handler = handler
        self.decoder = decoder
        self.configuration = configuration
    }

    static func connect(_ configuration: SMTPConfiguration, group: any EventLoopGroup) async throws -> SMTPConnection {
        let handler = SMTPReplyHandler()
        let decoder = SMTPReplyDecoder()
        let sslContext: NIOSSLContext? =
            configuration.security == .tls ? try NIOSSLContext(configuration: configuration.tlsConfiguration) : nil
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(configuration.timeout)
            .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let tls = try NIOSSLClientHandler(
                            context: sslContext, serverHostname: Self.sniName(configuration.host))
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch let error as SMTPError {
            throw error
        } catch {
            throw SMTPError.connectionFailed("\(configuration.host):\(configuration.port): \(error)")
        }
        return SMTPConnection(channel: channel, handler: handler, decoder: decoder, configuration: configuration)
    }

    /// SNI takes host names only, never IP addresses.
    static func sniName(_ host: String) -> String? {
        IPAddressSyntax.isValid(host) || host.hasPrefix("[") ? nil : host
    }

    /// Runs `start` on the event loop and waits for its future, within the timeout: when
    /// it passes, the stage fails and the connection closes.
    private func withinTimeout<T: Sendable>(
        _ stage: String, _ start: @escaping @Sendable (any Channel) -> EventLoopFuture<T>
    ) async throws -> T {
        let eventLoop = channel.eventLoop
        let timeout = configuration.timeout
        let future: EventLoopFuture<T> = eventLoop.flatSubmit { [handler, channel] in
            let result = start(channel)
            let timer = eventLoop.scheduleTask(in: timeout) {
                handler.fail(.timedOut(stage))
                channel.close(promise: nil)
            }
            result.whenComplete { _ in timer.cancel() }
            return result
        }
        return try await future.get()
    }

    /// Reads the next reply, within the timeout.
    func reply(_ stage: String) async throws -> SMTPReply {
        try await withinTimeout(stage) { [handler] channel in handler.next(on: channel.eventLoop) }
    }

    /// Sends one command and checks its reply's code.
    @discardableResult
    func command(_ line: String, expect codes: Set<Int>, display: String? = nil) async throws -> SMTPReply {
        try await write(line + "\r\n")
        let name = display ?? String(line.prefix(while: { $0 != " " && $0 != ":" }))
        let answer = try await reply(name)
        guard codes.contains(answer.code) else {
            throw SMTPError.rejected(command: name, code: answer.code, message: answer.message)
        }
        return answer
    }

    /// Writes within the timeout: a server that stops reading (or stalls a TLS handshake,
    /// which holds writes back) cannot hold the sender forever.
    func write(_ text: String) async throws {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        do {
            try await withinTimeout("write") { [buffer] channel in channel.writeAndFlush(buffer) }
        } catch let error as SMTPError {
            throw error
        } catch {
            throw SMTPError.connectionFailed("the connection failed while writing: \(error)")
        }
    }

    /// Switches the connection to TLS after the server agreed to STARTTLS. Anything the
    /// server sent after its 220 came before TLS and could be an attacker's (the STARTTLS
    /// injection of CVE-2011-0411): the connection is refused rather than read on.
    func startTLS() async throws {
        let context = try NIOSSLContext(configuration: configuration.tlsConfiguration)
        let serverHostname = Self.sniName(configuration.host)
        let channel = self.channel
        // The handler is made and added on the channel's event loop: it is not Sendable.
        try await channel.eventLoop.submit { [handler, decoder] in
            guard !handler.hasUnreadReplies, !decoder.hasPending else {
                throw SMTPError.connectionFailed("the server sent data before the TLS handshake of STARTTLS")
            }
            let tls = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
            try channel.pipeline.syncOperations.addHandler(tls, position: .first)
        }.get()
    }

    func close() async {
        try? await channel.close()
    }
}
