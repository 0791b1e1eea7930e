/// Django's `EmailValidator`: a dot-atom or quoted local part, then a host name with a
/// top-level domain, `localhost`, or an address literal.
enum EmailAddressSyntax {
    static func isValid(_ value: String) -> Bool {
        guard !value.isEmpty, value.unicodeScalars.count <= 320,
            let at = value.lastIndex(of: "@")
        else { return false }
        let user = value[..<at]
        let domain = value[value.index(after: at)...]
        guard isValidUserPart(Substring.UnicodeScalarView(user.unicodeScalars)) else { return false }
        return domain == "localhost" || isValidDomain(String(domain))
    }

    private static let atext = Set("-!#$%&'*+/=?^_`{}|~".unicodeScalars)

    private static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (isASCIIAlnum(scalar) || atext.contains(scalar))
    }

    static func isASCIIAlnum(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
    }

    private static func isValidUserPart(_ scalars: Substring.UnicodeScalarView) -> Bool {
        let chars = Array(scalars)
        guard !chars.isEmpty else { return false }
        if chars.first == "\"" {
            // quoted-string: "([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-\011\013\014\016-\177])*"
            guard chars.count >= 2, chars.last == "\"" else { return false }
            var index = 1
            let end = chars.count - 1
            while index < end {
                let c = chars[index].value
                if c == 0x5C {  // backslash escape
                    guard index + 1 < end else { return false }
                    let n = chars[index + 1].value
                    guard (0x01...0x09).contains(n) || n == 0x0B || n == 0x0C || (0x0E...0x7F).contains(n) else {
                        return false
                    }
                    index += 2
                    continue
                }
                let ok =
                    (0x01...0x08).contains(c) || c == 0x0B || c == 0x0C || (0x0E...0x1F).contains(c)
                    || c == 0x21 || (0x23...0x5B).contains(c) || (0x5D...0x7F).contains(c)
                guard ok else { return false }
                index += 1
            }
            return true
        }
        // dot-atom
        var previousWasDot = true
        for c in chars {
            if c == "." {
                if previousWasDot { return false }
                previousWasDot = true
            } else if isAtext(c) {
                previousWasDot = false
            } else {
                return false
            }
        }
        return !previousWasDot
    }

    /// `[a-z\u00a1-\uffff0-9]`, case-insensitively.
    private static func isLabelChar(_ s: Unicode.Scalar, digits: Bool = true) -> Bool {
        if ("a"..."z").contains(s) || ("A"..."Z").contains(s) { return true }
        if digits && ("0"..."9").contains(s) { return true }
        return s.value >= 0xA1 && s.value <= 0xFFFF
    }

    private static func isValidDomain(_ domain: String) -> Bool {
        if domain.hasPrefix("[") && domain.hasSuffix("]") && domain.count > 2 {
            return IPAddressSyntax.isValid(String(domain.dropFirst().dropLast()))
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard labels.count >= 2 else { return false }
        for (index, label) in labels.enumerated() {
            guard let first = label.first, let last = label.last, first != "-", last != "-" else { return false }
            if index == labels.count - 1 {
                // Top-level domain: letters (no digits), 2-63, or a punycode label.
                let lower = String(String.UnicodeScalarView(label)).lowercased()
                if lower.hasPrefix("xn--") {
                    let rest = lower.dropFirst(4).unicodeScalars
                    return (1...59).contains(rest.count) && rest.allSatisfy { isASCIIAlnum($0) }
                }
                return (2...63).contains(label.count)
                    && label.allSatisfy { $0 == "-" || isLabelChar($0, digits: false) }
            }
            guard label.count <= 63, label.allSatisfy({ $0 == "-" || isLabelChar($0) }) else { return false }
        }
        return true
    }
}

/// Django's `validate_ipv46_address`, enough for address literals.
enum IPAddressSyntax {
    static func isValid(_ text: String) -> Bool {
        isIPv4(text) || isIPv6(text)
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit), let n = Int(part), n <= 255 else {
                return false
            }
            return part.count == 1 || part.first != "0"
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        var text = Substring(text)
        var groupsNeeded = 8
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard isIPv4(String(text[text.index(after: lastColon)...])) else { return false }
            text = text[...lastColon] + "0:0"
            groupsNeeded = 8
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ s: String) -> [Substring]? {
            if s.isEmpty { return [] }
            let g = s.split(separator: ":", omittingEmptySubsequences: false)
            return g.allSatisfy { !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isHexDigit) } ? g : nil
        }
        if halves.count == 2 {
            guard let a = groups(halves[0]), let b = groups(halves[1]) else { return false }
            return a.count + b.count < groupsNeeded
        }
        guard let all = groups(halves[0]) else { return false }
        return all.count == groupsNeeded
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
