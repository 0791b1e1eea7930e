/// A `Host` header read as Django's `split_domain_port` reads it: a domain of
/// `[a-z0-9.-]` or a bracketed IPv6 literal, then an optional `:port` of digits, and
/// nothing else. The domain is lower-cased and loses one trailing dot. Anything else
/// (`localhost:@evil.example`, `a b`, `host:80:81`, `[::1]x`) is no host at all.
public struct RequestHost: Sendable, Equatable {
    /// The lower-cased domain, brackets kept for IPv6 (`[::1]`), trailing dot removed.
    public let domain: String
    /// The port's digits as written, or "".
    public let port: String

    /// The host to put in a link: domain, and `:port` when one was given.
    public var authority: String { port.isEmpty ? domain : "\(domain):\(port)" }

    public init?(_ header: String) {
        let bytes = Array(header.utf8)
        var index = 0
        var domain: [UInt8] = []
        if bytes.first == UInt8(ascii: "[") {
            // `\[[a-f0-9]*:[a-f0-9\.:]+\]`
            index = 1
            while index < bytes.count, Self.isHex(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            let rest = index
            while index < bytes.count,
                Self.isHex(bytes[index]) || bytes[index] == UInt8(ascii: ".")
                    || bytes[index] == UInt8(ascii: ":")
            {
                index += 1
            }
            guard index > rest, index < bytes.count, bytes[index] == UInt8(ascii: "]") else { return nil }
            index += 1
            domain = bytes[0..<index].map(Self.lower)
        } else {
            // `[a-z0-9.-]+`
            while index < bytes.count, Self.isDomainByte(bytes[index]) { index += 1 }
            guard index > 0 else { return nil }
            domain = bytes[0..<index].map(Self.lower)
            if domain.last == UInt8(ascii: ".") { domain.removeLast() }
        }
        var port = ""
        if index < bytes.count {
            // `(?::([0-9]+))?$`
            guard bytes[index] == UInt8(ascii: ":"), index + 1 < bytes.count else { return nil }
            let digits = bytes[(index + 1)...]
            guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            port = String(decoding: digits, as: UTF8.self)
        }
        // Django answers an empty domain (".", "[...]" cannot be empty) as invalid.
        guard !domain.isEmpty else { return nil }
        self.domain = String(decoding: domain, as: UTF8.self)
        self.port = port
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        switch lower(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): true
        default: false
        }
    }

    private static func isDomainByte(_ byte: UInt8) -> Bool {
        switch lower(byte) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."),
            UInt8(ascii: "-"):
            true
        default: false
        }
    }
}

/// Django's `ALLOWED_HOSTS` and its `validate_host`: `*` matches any domain, a pattern
/// with a leading dot matches that domain and its subdomains, any other pattern matches
/// exactly (case-insensitively). Patterns are compared with the domain alone: ports are
/// not part of them.
public struct AllowedHosts: Sendable {
    public let patterns: [String]

    public init(_ patterns: [String]) {
        self.patterns = patterns.map { $0.lowercased() }
    }

    public func allows(_ domain: String) -> Bool {
        patterns.contains { pattern in
            if pattern == "*" { return true }
            if pattern.hasPrefix(".") { return domain.hasSuffix(pattern) || domain == pattern.dropFirst() }
            return domain == pattern
        }
    }
}
