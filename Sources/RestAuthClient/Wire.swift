import Foundation

/// The client's cookie jar: one server's cookies by name, as `Set-Cookie` left them.
struct CookieJar: Sendable, Equatable {
    var cookies: [StoredCookie] = []

    /// Takes in the `Set-Cookie` headers of an answer (several headers may arrive folded
    /// into one, separated by commas, as `HTTPURLResponse` does): a cookie replaces the
    /// one of its name and path, and one that has expired (Django's deletion) removes it.
    mutating func receive(setCookie headers: [String], now: Date = Date()) {
        struct Key: Hashable {
            var name: String
            var path: String
        }
        var received: [StoredCookie] = []
        var last: [Key: Int] = [:]
        lines: for header in headers {
            for line in Self.split(header) {
                // A browser's limits (RFC 6265 §6.1 asks for at least 4096 bytes a cookie and 50
                // a domain): a server that sends more is not one this client can keep up with.
                guard received.count < Self.maximumCookiesPerAnswer else { break lines }
                guard line.utf8.count <= Self.maximumLineLength, let cookie = Self.parse(line, now: now) else {
                    continue
                }
                last[Key(name: cookie.name, path: cookie.path)] = received.count
                received.append(cookie)
            }
        }
        guard !received.isEmpty else { return }
        // As if each replaced the one of its name and path in turn: the last of each stays,
        // unless it has expired (Django's deletion).
        cookies.removeAll { last[Key(name: $0.name, path: $0.path)] != nil }
        for (index, cookie) in received.enumerated() where last[Key(name: cookie.name, path: cookie.path)] == index {
            if let expires = cookie.expires, expires <= now { continue }
            cookies.append(cookie)
        }
        if cookies.count > Self.maximumCookies { cookies.removeFirst(cookies.count - Self.maximumCookies) }
    }

    /// Cookies read from one answer; the rest are ignored.
    static let maximumCookiesPerAnswer = 64
    /// Cookies kept; the oldest go first.
    static let maximumCookies = 64
    /// Bytes of one `Set-Cookie` line; a longer one is ignored.
    static let maximumLineLength = 8192

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
    /// Like ``parse(_:now:)``, it splits code points, not characters.
    static func split(_ header: String) -> [String] {
        var lines: [String] = []
        for piece in header.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false) {
            if lines.isEmpty || piece.prefix(while: { $0 != ";" }).contains("=") {
                lines.append(String(Substring(piece)))
            } else {
                lines[lines.count - 1] += "," + String(Substring(piece))
            }
        }
        return lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// One `Set-Cookie` line (RFC 6265 §5.2), or `nil` when it has no `name=`. The line is
    /// split at code points, as the RFC splits octets: a `;` or `=` that a combining mark
    /// follows (one `Character` with it) still separates, as it does for the server that
    /// reads the `Cookie` header back.
    static func parse(_ line: String, now: Date) -> StoredCookie? {
        func text(_ scalars: Substring.UnicodeScalarView) -> String {
            String(Substring(scalars)).trimmingCharacters(in: .whitespaces)
        }
        var parts = line.unicodeScalars.split(separator: ";", omittingEmptySubsequences: false)
        guard !parts.isEmpty else { return nil }
        let pair = parts[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard pair.count == 2 else { return nil }
        let name = text(pair[0])
        var value = text(pair[1])
        guard !name.isEmpty else { return nil }
        if value.unicodeScalars.count >= 2, value.unicodeScalars.first == "\"", value.unicodeScalars.last == "\"" {
            value = String(Substring(value.unicodeScalars.dropFirst().dropLast()))
        }
        parts.removeFirst()
        var cookie = StoredCookie(name: name, value: value)
        var maxAge: Int?
        for attribute in parts {
            let pair = attribute.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = text(pair[0]).lowercased()
            let argument = pair.count > 1 ? text(pair[1]) : ""
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
    /// A cookie date as RFC 6265 §5.1.1 reads one, which takes every HTTP date form
    /// (`Thu, 01 Jan 1970 00:00:00 GMT`, `Thursday, 01-Jan-70 00:00:00 GMT`, asctime's):
    /// the first time, day of month, month name and year among its tokens. No
    /// `DateFormatter`: making one costs more than a request, and on Linux its parse traps on
    /// text that ends inside a grapheme cluster.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8.prefix(256))
        // Delimiters: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
        func isDelimiter(_ b: UInt8) -> Bool {
            b == 0x09 || (0x20...0x2F).contains(b) || (0x3B...0x40).contains(b) || (0x5B...0x60).contains(b)
                || (0x7B...0x7E).contains(b)
        }
        var time: (Int, Int, Int)?
        var day: Int?
        var month: Int?
        var year: Int?
        var index = 0
        while index < bytes.count {
            while index < bytes.count, isDelimiter(bytes[index]) { index += 1 }
            let start = index
            while index < bytes.count, !isDelimiter(bytes[index]) { index += 1 }
            let token = bytes[start..<index]
            guard !token.isEmpty else { continue }
            if time == nil, let parsed = Self.time(token) {
                time = parsed
            } else if day == nil, let value = Self.digits(token, 1...2) {
                day = value
            } else if month == nil, token.count >= 3, let found = Self.month(token) {
                month = found
            } else if year == nil, let value = Self.digits(token, 2...4) {
                year = value
            }
        }
        guard var year, let month, let day, let (hour, minute, second) = time else { return nil }
        if (70...99).contains(year) { year += 1900 } else if (0...69).contains(year) { year += 2000 }
        guard (1...31).contains(day), year >= 1601, hour <= 23, minute <= 59, second <= 59 else { return nil }
        // Days from 1970-01-01 to the civil date (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }

    /// 1 or 2 digits, `:`, 1 or 2, `:`, 1 or 2, then anything not a digit.
    private static func time(_ token: ArraySlice<UInt8>) -> (Int, Int, Int)? {
        var fields: [Int] = []
        var current = 0
        var count = 0
        var iterator = token.makeIterator()
        while let byte = iterator.next() {
            if (0x30...0x39).contains(byte), count < 2 {
                current = current * 10 + Int(byte - 0x30)
                count += 1
            } else if byte == UInt8(ascii: ":"), count > 0, fields.count < 2 {
                fields.append(current)
                current = 0
                count = 0
            } else if count > 0, fields.count == 2, !(0x30...0x39).contains(byte) {
                break
            } else {
                return nil
            }
        }
        guard count > 0, fields.count == 2 else { return nil }
        return (fields[0], fields[1], current)
    }

    /// `range` digits, then anything not a digit.
    private static func digits(_ token: ArraySlice<UInt8>, _ range: ClosedRange<Int>) -> Int? {
        let run = token.prefix { (0x30...0x39).contains($0) }
        guard range.contains(run.count),
            run.count == token.count || !(0x30...0x39).contains(token[token.startIndex + run.count])
        else { return nil }
        return run.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    private static func month(_ token: ArraySlice<UInt8>) -> Int? {
        let name = String(decoding: token.prefix(3), as: UTF8.self).lowercased()
        return ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].firstIndex(of: name)
            .map { $0 + 1 }
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
