// A stand-in for swift-nio-ssl, with only the names SMTPConfiguration.swift and
// SMTPConnection.swift use. The fuzz target drives SMTPReplyDecoder alone and never makes
// a TLS context; the real module would add a second BoringSSL to the fuzz build (minutes
// on two cores). Anything that does reach this code fails loudly.
import NIOCore

public struct TLSConfiguration: Sendable {
    public static func makeClientConfiguration() -> TLSConfiguration { TLSConfiguration() }
}

public struct NIOSSLStandInError: Error {}

public final class NIOSSLContext: Sendable {
    public init(configuration: TLSConfiguration) throws { throw NIOSSLStandInError() }
}

public final class NIOSSLClientHandler: ChannelInboundHandler {
    public typealias InboundIn = ByteBuffer
    public init(context: NIOSSLContext, serverHostname: String?) throws { throw NIOSSLStandInError() }
}
