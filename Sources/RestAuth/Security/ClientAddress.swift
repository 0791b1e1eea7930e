import Foundation
import Vapor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An address or a network in CIDR notation (`10.0.0.0/8`, `::1`, `fd00::/8`): what
/// `TRUSTED_PROXIES` lists.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    let bytes: [UInt8]
    let prefixLength: Int
    public let description: String

    /// nil when `text` is neither an address nor a network.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let bytes = IPNetwork.parse(String(parts[0])) else { return nil }
        let bits = bytes.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
            prefix = length
        }
        self.bytes = bytes
        self.prefixLength = prefix
        self.description = trimmed
    }

    func contains(_ address: [UInt8]) -> Bool {
        guard address.count == bytes.count else { return false }
        var remaining = prefixLength
        for index in bytes.indices where remaining > 0 {
            let take = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if address[index] & mask != bytes[index] & mask { return false }
            remaining -= take
        }
        return true
    }

    /// The bytes of an IPv4 or IPv6 address (an IPv4-mapped IPv6 address as IPv4); a zone,
    /// brackets and a port are ignored.
    static func parse(_ text: String) -> [UInt8]? {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") {
            text = String(text[text.index(after: text.startIndex)..<end])
        } else if text.filter({ $0 == ":" }).count == 1 {
            text = String(text.prefix(while: { $0 != ":" }))
        }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return Array(bytes[12...])
        }
        return bytes
    }
}

/// Who is on the other end of a request: the socket's peer, or, when the peer is one of
/// the trusted proxies, the nearest address in `X-Forwarded-For` that is not itself a
/// trusted proxy (read from the right, where the proxies append). A client cannot choose
/// its address by sending the header itself.
struct ClientAddress {
    let trustedProxies: [IPNetwork]

    func resolve(_ request: Request) -> String {
        resolve(peer: request.remoteAddress?.ipAddress, forwardedFor: request.headers[.xForwardedFor])
    }

    func resolve(peer: String?, forwardedFor: [String]) -> String {
        guard let peer, let peerBytes = IPNetwork.parse(peer) else { return peer ?? "unknown" }
        guard isTrusted(peerBytes) else { return Self.format(peerBytes) }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var client = Self.format(peerBytes)
        for hop in hops.reversed() {
            guard let bytes = IPNetwork.parse(hop) else {
                // Not an address, so no trusted proxy wrote it: the nearest trusted hop is
                // the best the request says.
                return client
            }
            client = Self.format(bytes)
            if !isTrusted(bytes) { return client }
        }
        return client
    }

    /// Whether the request reached the server over TLS: directly, or through one of the
    /// trusted proxies that says so in `X-Forwarded-Proto` (Django's
    /// `SECURE_PROXY_SSL_HEADER` convention). The header of anyone else is ignored, as
    /// `X-Forwarded-For` is, so a client cannot choose the scheme of its links.
    func isSecure(_ request: Request) -> Bool {
        if request.application.http.server.configuration.tlsConfiguration != nil { return true }
        guard let proto = request.headers.first(name: "X-Forwarded-Proto"),
            let peer = request.remoteAddress?.ipAddress.flatMap(IPNetwork.parse), isTrusted(peer)
        else { return false }
        // The proxy nearest the server appends last.
        let nearest = proto.split(separator: ",").last?.trimmingCharacters(in: .whitespaces) ?? ""
        return nearest.lowercased() == "https"
    }

    private func isTrusted(_ address: [UInt8]) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    static func format(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    /// What an `ip` rule counts by: an IPv4 address, or an IPv6 address's /64 network
    /// (one subscriber holds a whole /64).
    static func rateLimitSource(_ address: String) -> String {
        guard let bytes = IPNetwork.parse(address), bytes.count == 16 else { return address }
        return format(Array(bytes[0..<8]) + Array(repeating: 0, count: 8)) + "/64"
    }
}
