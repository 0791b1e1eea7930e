import Foundation

/// Python's two ways of filling named arguments into a translated text, as far as catalogs
/// use them. A placeholder a translation names but the code does not give is kept as it is
/// (Python would raise; a client sees the text rather than a 500).
///
/// Both read the text code point by code point, as Python reads a format string (a combining
/// mark after `%%` or after a placeholder is text of its own, not part of it), and look names up
/// by code point, as Python's `dict` does; each part of the text is searched once. (Found by
/// fuzzing: reading by `Character`, each `%(` or `{` searched the rest of the text for its `)`
/// or `}` again, and built the name up to it; a 20 KB translation of 10,000 `{a` or `%(`, with
/// no closing one or a single one at the end, took 2.5 s; and `%%\u{301}` stayed `%%\u{301}`
/// where Python writes `%\u{301}`.)
enum PythonFormat {
    /// `%(name)s` and `%(name)d` (any conversion letter), `%%`, and a positional `%s` or `%d`,
    /// filled from the argument named `""`.
    static func percent(_ text: String, _ values: [String: String]) -> String {
        let s = Array(text.unicodeScalars)
        guard s.contains("%") else { return text }
        var out = String.UnicodeScalarView()
        var close = NextIndex(of: ")")
        // Where the conversion letter after the last `)` used is looked for (`%(a%(b)s` shares it).
        var lastClose = -1
        var letterIndex = 0
        var i = 0
        while i < s.count {
            guard s[i] == "%" else {
                out.append(s[i])
                i += 1
                continue
            }
            let after = i + 1
            if after < s.count && s[after] == "%" {
                out.append("%")
                i = after + 1
                continue
            }
            if after < s.count && s[after] == "(", let end = close.find(in: s, from: after) {
                if end != lastClose {
                    // Flags, width and precision, then the conversion letter.
                    var t = end + 1
                    while t < s.count && "#0- +.123456789".unicodeScalars.contains(s[t]) { t += 1 }
                    (lastClose, letterIndex) = (end, t)
                }
                if letterIndex < s.count, Character(s[letterIndex]).isLetter,
                    let value = value(named: s[(after + 1)..<end], in: values)
                {
                    out.append(contentsOf: value.unicodeScalars)
                    i = letterIndex + 1
                    continue
                }
            }
            if after < s.count && (s[after] == "s" || s[after] == "d"), let value = values[""] {
                out.append(contentsOf: value.unicodeScalars)
                i = after + 1
                continue
            }
            out.append("%")
            i = after
        }
        return String(out)
    }

    /// `{name}`, `{{` and `}}`.
    static func brace(_ text: String, _ values: [String: String]) -> String {
        let s = Array(text.unicodeScalars)
        guard s.contains("{") || s.contains("}") else { return text }
        var out = String.UnicodeScalarView()
        var close = NextIndex(of: "}")
        var i = 0
        while i < s.count {
            let c = s[i]
            guard c == "{" || c == "}" else {
                out.append(c)
                i += 1
                continue
            }
            if i + 1 < s.count && s[i + 1] == c {
                out.append(c)
                i += 2
                continue
            }
            if c == "{", let end = close.find(in: s, from: i + 1),
                let value = value(named: s[(i + 1)..<end], in: values)
            {
                out.append(contentsOf: value.unicodeScalars)
                i = end + 1
                continue
            }
            out.append(c)
            i += 1
        }
        return String(out)
    }

    /// The argument whose name is exactly these code points (compared with each name in turn:
    /// never more than the names' own length, however long the text between the brackets).
    private static func value(named name: ArraySlice<Unicode.Scalar>, in values: [String: String]) -> String? {
        values.first { $0.key.unicodeScalars.elementsEqual(name) }?.value
    }

    /// The first index of a code point at or after a position, for positions asked in increasing
    /// order: the answer holds until a later position passes it, so the text is searched once.
    private struct NextIndex {
        let target: Unicode.Scalar
        /// The last answer; the text's length when there is none.
        var found = -1

        init(of target: Unicode.Scalar) {
            self.target = target
        }

        mutating func find(in s: [Unicode.Scalar], from start: Int) -> Int? {
            if found < start { found = s[start...].firstIndex(of: target) ?? s.count }
            return found < s.count ? found : nil
        }
    }
}
