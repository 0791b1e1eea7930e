import Foundation

/// Python's two ways of filling named arguments into a translated text, as far as catalogs
/// use them. A placeholder a translation names but the code does not give is kept as it is
/// (Python would raise; a client sees the text rather than a 500).
enum PythonFormat {
    /// `%(name)s` and `%(name)d` (any conversion letter), `%%`, and a positional `%s` or `%d`,
    /// filled from the argument named `""`.
    static func percent(_ text: String, _ values: [String: String]) -> String {
        guard text.contains("%") else { return text }
        var out = ""
        var rest = Substring(text)
        while let index = rest.firstIndex(of: "%") {
            out += rest[..<index]
            let after = rest[rest.index(after: index)...]
            if after.first == "%" {
                out += "%"
                rest = after.dropFirst()
                continue
            }
            if after.first == "(", let close = after.firstIndex(of: ")") {
                let name = String(after[after.index(after: after.startIndex)..<close])
                var tail = after[after.index(after: close)...]
                // Flags, width and precision, then the conversion letter.
                while let c = tail.first, "#0- +.123456789".contains(c) { tail = tail.dropFirst() }
                if let letter = tail.first, letter.isLetter, let value = values[name] {
                    out += value
                    rest = tail.dropFirst()
                    continue
                }
            }
            if let letter = after.first, letter == "s" || letter == "d", let value = values[""] {
                out += value
                rest = after.dropFirst()
                continue
            }
            out += "%"
            rest = after
        }
        return out + rest
    }

    /// `{name}`, `{{` and `}}`.
    static func brace(_ text: String, _ values: [String: String]) -> String {
        guard text.contains("{") || text.contains("}") else { return text }
        var out = ""
        var rest = Substring(text)
        while let index = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            out += rest[..<index]
            let c = rest[index]
            let after = rest[rest.index(after: index)...]
            if after.first == c {
                out.append(c)
                rest = after.dropFirst()
                continue
            }
            if c == "{", let close = after.firstIndex(of: "}"), let value = values[String(after[..<close])] {
                out += value
                rest = after[after.index(after: close)...]
                continue
            }
            out.append(c)
            rest = after
        }
        return out + rest
    }
}
