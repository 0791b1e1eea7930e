import Foundation

/// One e-mail: a plain-text body and, optionally, an HTML alternative.
public struct EmailMessage: Sendable, Equatable {
    /// The sender, as configured: `addr@host` or `"Name <addr@host>"`.
    public var from: String
    /// The recipients: addresses (`addr@host`), sent to exactly as written. A display name
    /// here is not read out of the text: `"x<m@evil.example>"@corp.example` is one address.
    public var to: [String]
    public var subject: String
    public var text: String
    public var html: String?
    /// Extra header lines (`Reply-To`, `List-Unsubscribe`, ...).
    public var headers: [(name: String, value: String)]

    public init(
        from: String, to: [String], subject: String, text: String, html: String? = nil,
        headers: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = headers
    }

    public static func == (lhs: EmailMessage, rhs: EmailMessage) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.subject == rhs.subject && lhs.text == rhs.text
            && lhs.html == rhs.html && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    /// The bare address of a configured sender, `"Name <addr@host>"` or `addr@host`. Angle
    /// brackets count only outside a quoted string, so `"x<m@evil.example>"@corp.example`
    /// stays one address. Only senders are read this way: recipients (`to`) are the
    /// validated addresses themselves, never parsed for a `<...>` inside them.
    static func address(of mailbox: String) -> String {
        let trimmed = mailbox.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">") else { return trimmed }
        var open: String.Index? = nil
        let closed = unquotedScalars(of: trimmed) { index, scalar in
            if scalar == "<" { open = index }
            return true
        }
        guard closed, let open else { return trimmed }
        let inner = trimmed[trimmed.unicodeScalars.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        return inner.trimmingCharacters(in: .whitespaces)
    }

    /// Whether an address can stand in `MAIL FROM:<...>` / `RCPT TO:<...>` as it is: not
    /// empty, no line break or NUL anywhere, and no angle bracket outside a quoted local part.
    static func isSafeSMTPPath(_ address: String) -> Bool {
        guard !address.isEmpty, !address.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\u{0}" })
        else { return false }
        return unquotedScalars(of: address) { _, scalar in scalar != "<" && scalar != ">" }
    }

    /// Walks `text` as RFC 5322 reads it, calling `visit` with each scalar that stands outside
    /// a quoted string (`"..."`, with `\` escaping the next one inside); stops when `visit`
    /// answers false. True when the walk ended with every quote closed and nothing refused.
    private static func unquotedScalars(
        of text: String, _ visit: (String.Index, Unicode.Scalar) -> Bool
    ) -> Bool {
        var quoted = false
        var escaped = false
        let scalars = text.unicodeScalars
        for index in scalars.indices {
            let scalar = scalars[index]
            if escaped {
                escaped = false
            } else if quoted && scalar == "\\" {
                escaped = true
            } else if scalar == "\"" {
                quoted.toggle()
            } else if !quoted && !visit(index, scalar) {
                return false
            }
        }
        return !quoted
    }

    /// The message in RFC 5322 / MIME form, lines ending in CRLF: `multipart/alternative`
    /// when there is an HTML part, non-ASCII text as quoted-printable UTF-8, non-ASCII
    /// headers as encoded words.
    public func rendered(date: Date = Date(), messageID: String? = nil) -> String {
        let domain = Self.address(of: from).split(separator: "@").last.map(String.init) ?? "localhost"
        let id = messageID ?? "<\(UUID().uuidString.lowercased())@\(domain)>"
        var lines: [String] = [
            "From: \(MIME.encodeHeader(from))",
            "To: \(to.map(MIME.encodeHeader).joined(separator: ", "))",
            "Subject: \(MIME.encodeHeader(subject))",
            "Date: \(MIME.rfc5322Date(date))",
            "Message-ID: \(id)",
            "MIME-Version: 1.0",
        ]
        for header in headers where !header.name.contains(where: { $0 == ":" || $0.isNewline }) {
            lines.append("\(header.name): \(MIME.encodeHeader(header.value))")
        }
        if let html {
            let boundary = "===============\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))=="
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--\(boundary)")
            lines.append(contentsOf: MIME.part(text, subtype: "plain"))
            lines.append("--\(boundary)")
            lines.append(contentsOf: MIME.part(html, subtype: "html"))
            lines.append("--\(boundary)--")
        } else {
            lines.append(contentsOf: MIME.part(text, subtype: "plain"))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// The MIME encodings the messages need.
enum MIME {
    /// Header lines and body part for one text part.
    static func part(_ body: String, subtype: String) -> [String] {
        let normalised = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let lines = normalised.split(separator: "\n", omittingEmptySubsequences: false)
        let plain =
            normalised.unicodeScalars.allSatisfy { $0.isASCII && ($0.value >= 0x20 || $0 == "\n" || $0 == "\t") }
            && lines.allSatisfy { $0.utf8.count <= 998 }
        if plain {
            return ["Content-Type: text/\(subtype); charset=\"utf-8\"", "Content-Transfer-Encoding: 7bit", ""]
                + lines.map(String.init)
        }
        return ["Content-Type: text/\(subtype); charset=\"utf-8\"", "Content-Transfer-Encoding: quoted-printable", ""]
            + quotedPrintable(normalised)
    }

    /// RFC 2045 quoted-printable, soft-wrapped at 76 characters.
    static func quotedPrintable(_ text: String) -> [String] {
        var output: [String] = []
        let hex = Array("0123456789ABCDEF")
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                var piece: String
                if (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 0x20 || byte == 0x09) && !isLast)
                {
                    piece = String(UnicodeScalar(byte))
                } else {
                    piece = "=" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
                }
                if current.count + piece.count > 75 {
                    output.append(current + "=")
                    current = ""
                }
                current += piece
            }
            output.append(current)
        }
        return output
    }

    /// An RFC 2047 encoded word when the value is not plain ASCII.
    static func encodeHeader(_ value: String) -> String {
        let clean = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard clean.unicodeScalars.contains(where: { !$0.isASCII }) else { return clean }
        // Keep an address in angle brackets readable: encode only the display name.
        if let open = clean.lastIndex(of: "<"), clean.hasSuffix(">") {
            let name = clean[..<open].trimmingCharacters(in: .whitespaces)
            let address = clean[open...]
            return "\(encodedWord(name)) \(address)"
        }
        return encodedWord(clean)
    }

    static func encodedWord(_ text: String) -> String {
        "=?utf-8?b?\(Data(text.utf8).base64EncodedString())?="
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
