import Foundation

/// The client's cookie jar: one server's cookies by name, as `Set-Cookie` left them.
struct CookieJar: Sendable, Equatable {
    var cookies: [StoredCookie] = []

    /// Takes in the `Set-Cookie` headers of an answer (several headers may arrive folded
    /// into one, separated by commas, as `HTTPURLResponse` does): a cookie replaces the
    /// one of its name and path, and one that has expired (Django's deletion) removes it.
    mutating func receive(setCookie headers: [String], now: Date = Date()) {
        for header in headers {
            for line in Self.split(header) {
                guard let cookie = Self.parse(line, now: now) else { continue }
                cookies.removeAll { $0.name == cookie.name && $0.path == cookie.path }
                if let expires = cookie.expires, expires <= now { continue }
                cookies.append(cookie)
            }
        }
    }

    /// The `Cookie` header for a request to `url`, or `nil` when no cookie applies.
    func header(for url: URL, now: Date = Date()) -> String? {
        let path = url.path.isEmpty ? "/" : url.path
        let https = url.scheme?.lowercased() == "https"
        let sent = cookies.filter { cookie in
            (cookie.expires.map { $0 > now } ?? true) && (!cookie.secure || https)
                && Self.pathMatches(cookie.path, path)
        }
        guard !sent.isEmpty else { return nil }
        return sent.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    func value(_ name: String) -> String? { cookies.last { $0.name == name }?.value }

    mutating func set(_ cookie: StoredCookie) {
        cookies.removeAll { $0.name == cookie.name && $0.path == cookie.path }
        cookies.append(cookie)
    }

    /// RFC 6265 §5.1.4: the cookie's path is the request's, or a prefix of it ending at a `/`.
    static func pathMatches(_ cookiePath: String, _ requestPath: String) -> Bool {
        if cookiePath == requestPath || cookiePath == "/" { return true }
        guard requestPath.hasPrefix(cookiePath) else { return false }
        return cookiePath.hasSuffix("/") || requestPath.dropFirst(cookiePath.count).first == "/"
    }

    /// Splits folded `Set-Cookie` values: a comma starts a new cookie only when the text
    /// after it, up to its first `;`, is a `name=value` pair (an `Expires` date's comma is not).
    static func split(_ header: String) -> [String] {
        var lines: [String] = []
        for piece in header.split(separator: ",", omittingEmptySubsequences: false) {
            let head = piece.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            if lines.isEmpty || head.contains("=") {
                lines.append(String(piece))
            } else {
                lines[lines.count - 1] += "," + piece
            }
        }
        return lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// One `Set-Cookie` line (RFC 6265 §5.2), or `nil` when it has no `name=`.
    static func parse(_ line: String, now: Date) -> StoredCookie? {
        var parts = line.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard !parts.isEmpty, let equals = parts[0].firstIndex(of: "=") else { return nil }
        let name = String(parts[0][..<equals]).trimmingCharacters(in: .whitespaces)
        var value = String(parts[0][parts[0].index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            value = String(value.dropFirst().dropLast())
        }
        parts.removeFirst()
        var cookie = StoredCookie(name: name, value: value)
        var maxAge: Int?
        for attribute in parts {
            let pair = attribute.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = pair[0].trimmingCharacters(in: .whitespaces).lowercased()
            let argument = pair.count > 1 ? pair[1].trimmingCharacters(in: .whitespaces) : ""
            switch key {
            case "path" where argument.hasPrefix("/"): cookie.path = argument
            case "secure": cookie.secure = true
            case "max-age":
                if let seconds = Int(argument) { maxAge = seconds } else if argument.hasPrefix("-") { maxAge = 0 }
            case "expires": cookie.expires = HTTPDate.parse(argument) ?? cookie.expires
            default: break
            }
        }
        // Max-Age wins over Expires (§5.3 step 3).
        if let maxAge { cookie.expires = now.addingTimeInterval(TimeInterval(max(0, min(maxAge, 400 * 86_400)))) }
        return cookie
    }
}

/// Dates as they come over the wire.
enum HTTPDate {
    /// An HTTP date (`Thu, 01 Jan 1970 00:00:00 GMT`, with or without dashes).
    static func parse(_ text: String) -> Date? {
        for format in [
            "EEE, dd MMM yyyy HH:mm:ss zzz", "EEE, dd-MMM-yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz",
        ] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// `Retry-After`: seconds, or an HTTP date (then the seconds from `now`).
    static func retryAfter(_ text: String?, now: Date = Date()) -> TimeInterval? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Int(text), seconds >= 0 { return TimeInterval(seconds) }
        return parse(text).map { max(0, $0.timeIntervalSince(now)) }
    }

    /// An ISO 8601 time as DRF writes it (`2026-11-30T17:04:05.123456Z`, `+01:00`, or no
    /// fraction), with any number of fractional digits.
    static func iso8601(_ text: String) -> Date? {
        var base = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return nil }
            fraction = Double("0." + digits) ?? 0
            base = String(text[..<dot]) + text[text.index(after: dot)...].dropFirst(digits.count)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: base).map { $0.addingTimeInterval(fraction) }
    }
}

/// Reads a JWT's `exp` without verifying it: only to know when to refresh. The server
/// verifies every token it receives; the client trusts nothing else in it.
enum JWTPeek {
    static func expiration(_ token: String) -> Date? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].count <= 8192 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let claims = JSON(data: data),
            case .number(let exp)? = claims["exp"], exp.isFinite
        else { return nil }
        return Date(timeIntervalSince1970: exp)
    }
}
