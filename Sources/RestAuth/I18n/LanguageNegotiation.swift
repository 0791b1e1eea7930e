import Foundation

// The language of a request, as Django's LocaleMiddleware picks it (without i18n_patterns):
// `get_language_from_request(request, check_path=False)` of django/utils/translation/trans_real.py,
// with its helpers, regular expressions and limits. Foundation only, so it can be fuzzed alone.

/// One language range of an `Accept-Language` header, as Django's `parse_accept_lang_header`
/// returns it: lower-cased, with its quality (1 when the header gives none).
public struct AcceptLanguageEntry: Sendable, Equatable {
    /// The language range (`de-at`) or `*`.
    public let language: String
    /// The `q` value, from 0 to 1.
    public let quality: Double

    public init(language: String, quality: Double) {
        self.language = language
        self.quality = quality
    }
}

/// Django's choice of a request's language (`LocaleMiddleware`): the language cookie if it names a
/// supported language, else the first supported language of `Accept-Language`, else
/// `LANGUAGE_CODE`, each through `get_supported_language_variant`.
public struct LanguageNegotiation: Sendable {
    /// Django's `LANGUAGE_CODE_MAX_LENGTH`: longer codes and headers are cut or refused.
    public static let languageCodeMaxLength = 500
    /// Django's default `LANGUAGE_COOKIE_NAME`.
    public static let defaultCookieName = "django_language"

    /// The codes of Django 5.2's default `LANGUAGES` (`django/conf/global_settings.py`), in order.
    public static let djangoLanguages: [String] = [
        "af", "ar", "ar-dz", "ast", "az", "bg", "be", "bn", "br", "bs", "ca", "ckb", "cs", "cy", "da", "de", "dsb",
        "el", "en", "en-au", "en-gb", "eo", "es", "es-ar", "es-co", "es-mx", "es-ni", "es-ve", "et", "eu", "fa", "fi",
        "fr", "fy", "ga", "gd", "gl", "he", "hi", "hr", "hsb", "hu", "hy", "ia", "id", "ig", "io", "is", "it", "ja",
        "ka", "kab", "kk", "km", "kn", "ko", "ky", "lb", "lt", "lv", "mk", "ml", "mn", "mr", "ms", "my", "nb", "ne",
        "nl", "nn", "os", "pa", "pl", "pt", "pt-br", "ro", "ru", "sk", "sl", "sq", "sr", "sr-latn", "sv", "sw", "ta",
        "te", "tg", "th", "tk", "tr", "tt", "udm", "ug", "uk", "ur", "uz", "vi", "zh-hans", "zh-hant",
    ]

    /// The `fallback` entries of Django 5.2's `LANG_INFO` (`django/conf/locale/__init__.py`).
    static let langInfoFallbacks: [String: [String]] = [
        "zh-cn": ["zh-hans"], "zh-hk": ["zh-hant"], "zh-mo": ["zh-hant"], "zh-my": ["zh-hans"],
        "zh-sg": ["zh-hans"], "zh-tw": ["zh-hant"],
    ]

    /// `LANGUAGES` as Django's `get_languages()` keeps them: lower-cased, in order, each once.
    public let languages: [String]
    /// `LANGUAGE_CODE`.
    public let languageCode: String
    /// `LANGUAGE_COOKIE_NAME`.
    public let cookieName: String
    /// The codes of ``languages`` by code point (Python's dictionary compares them so; Swift's
    /// strings compare by canonical equivalence).
    private let supported: Set<[UInt32]>
    private let catalogExists: @Sendable (String) -> Bool

    /// - Parameters:
    ///   - languages: the codes of `LANGUAGES` (Django's full list by default).
    ///   - languageCode: `LANGUAGE_CODE`.
    ///   - cookieName: `LANGUAGE_COOKIE_NAME`.
    ///   - catalogExists: whether a catalog exists for a code that `LANGUAGES` offers (Django's
    ///     `check_for_language` looks for a `django.mo` in every locale directory), e.g.
    ///     `{ catalogSet.hasCatalog(for: $0) }`. Called only with codes that pass
    ///     ``isLanguageCode(_:)`` and the length limit.
    public init(
        languages: [String] = LanguageNegotiation.djangoLanguages, languageCode: String = "en-us",
        cookieName: String = LanguageNegotiation.defaultCookieName,
        catalogExists: @escaping @Sendable (String) -> Bool = { _ in true }
    ) {
        var seen: Set<[UInt32]> = []
        var ordered: [String] = []
        for code in languages {
            let lowered = code.lowercased()
            if seen.insert(Self.codePoints(lowered)).inserted { ordered.append(lowered) }
        }
        self.languages = ordered
        self.supported = seen
        self.languageCode = languageCode
        self.cookieName = cookieName
        self.catalogExists = catalogExists
    }

    /// The language Django answers in, as `get_language()` returns it once `LocaleMiddleware` has
    /// activated it (`pt-br`): what goes in `Content-Language`, and the key of its translation.
    /// - Parameters:
    ///   - cookie: the value of the ``cookieName`` cookie, if the request has one (as text: Django
    ///     decodes the `Cookie` header as UTF-8).
    ///   - acceptLanguage: the `Accept-Language` header (several headers joined with `,`).
    public func language(cookie: String?, acceptLanguage: String?) -> String {
        Self.toLanguage(languageFromRequest(cookie: cookie, acceptLanguage: acceptLanguage))
    }

    /// Django's `get_language_from_request(request, check_path=False)`: the code as Django hands it
    /// to `activate` (a cookie's own spelling, `DE`, is kept; ``language(cookie:acceptLanguage:)``
    /// gives it as `get_language()` does).
    public func languageFromRequest(cookie: String?, acceptLanguage: String?) -> String {
        if let cookie, supported.contains(Self.codePoints(cookie)), checkForLanguage(cookie) {
            return cookie
        }
        if let variant = supportedLanguageVariant(cookie) {
            return variant
        }
        for entry in Self.parseAcceptLanguage(acceptLanguage ?? "") {
            if entry.language == "*" { break }
            if !Self.isLanguageCode(entry.language) { continue }
            if let variant = supportedLanguageVariant(entry.language) {
                return variant
            }
        }
        return supportedLanguageVariant(languageCode) ?? languageCode
    }

    /// Django's `check_for_language`: a code within the length limit, matching `language_code_re`,
    /// with a catalog.
    public func checkForLanguage(_ code: String?) -> Bool {
        guard let code, code.unicodeScalars.count <= Self.languageCodeMaxLength, Self.isLanguageCode(code) else {
            return false
        }
        return catalogExists(code)
    }

    /// Django's `get_supported_language_variant`: `code` if `LANGUAGES` offers it, else its
    /// `LANG_INFO` fallbacks and more generic codes (`zh-hant` then `zh` for `zh-hant-tw`), each
    /// needing a catalog; else (unless `strict`) the first code of `LANGUAGES` that is a variant of
    /// the most generic one (`pt-br` for `pt-pt`). A code over 500 characters is cut at its last
    /// `-` within the limit (not when `strict`). `nil` where Django raises `LookupError`.
    public func supportedLanguageVariant(_ code: String?, strict: Bool = false) -> String? {
        guard let code, !code.isEmpty else { return nil }
        let scalars = Array(code.unicodeScalars)
        if scalars.count <= Self.languageCodeMaxLength {
            return variant(scalars, strict: strict)
        }
        if !strict, let index = scalars[..<Self.languageCodeMaxLength].lastIndex(of: "-"), index > 0 {
            return variant(Array(scalars[..<index]), strict: strict)
        }
        return nil
    }

    /// `_get_supported_language_variant`.
    private func variant(_ scalars: [Unicode.Scalar], strict: Bool) -> String? {
        let code = Self.string(scalars[...])
        var candidates = [code]
        candidates += Self.langInfoFallbacks[code] ?? []
        var end = scalars.count
        while let index = scalars[..<end].lastIndex(of: "-") {
            candidates.append(Self.string(scalars[..<index]))
            end = index
        }
        let generic = candidates[candidates.count - 1]
        for candidate in candidates
        where supported.contains(Self.codePoints(candidate.lowercased())) && checkForLanguage(candidate) {
            return candidate
        }
        if !strict {
            let prefix = Array((generic + "-").unicodeScalars)
            for language in languages where language.unicodeScalars.starts(with: prefix) {
                return language
            }
        }
        return nil
    }

    private static func codePoints(_ text: String) -> [UInt32] {
        text.unicodeScalars.map(\.value)
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(String.UnicodeScalarView(scalars))
    }

    // MARK: Accept-Language

    /// Django's `parse_accept_lang_header`: the header's language ranges, lower-cased, ordered by
    /// quality (highest first, header order among equals). A header that does not match
    /// `accept_language_re` throughout gives none. A header over 500 characters is read up to its
    /// last comma within the limit, and not at all without one.
    ///
    /// The header is taken as its UTF-8 bytes, each one character, as Django receives a header in
    /// `request.META` (WSGI and ASGI decode headers as ISO-8859-1).
    public static func parseAcceptLanguage(_ header: String) -> [AcceptLanguageEntry] {
        // Only the first 500 bytes can count: a header of any size costs no more than they do.
        let bytes = Array(header.utf8.prefix(languageCodeMaxLength + 1))
        if bytes.count <= languageCodeMaxLength {
            return parseAcceptLanguage(bytes[...])
        }
        if let comma = bytes[..<languageCodeMaxLength].lastIndex(of: UInt8(ascii: ",")), comma > 0 {
            return parseAcceptLanguage(bytes[..<comma])
        }
        return []
    }

    /// `_parse_accept_lang_header`: `accept_language_re.split` must leave nothing between or after
    /// its matches. The expression's matches are deterministic enough to follow by hand: a range
    /// (letters, then `-` subtags, at most 8 characters each; or `*`), an optional `;q=` value, then
    /// a comma (with white space around it) or the end of the text (`$`: or before a final newline).
    private static func parseAcceptLanguage(_ raw: ArraySlice<UInt8>) -> [AcceptLanguageEntry] {
        let text = raw.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        let end = text.count
        func isSpace(_ i: Int) -> Bool {
            guard i < end else { return false }
            switch text[i] {
            case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0: return true
            default: return false
            }
        }
        func isLetter(_ i: Int) -> Bool { i < end && text[i] >= 0x61 && text[i] <= 0x7A }
        func isDigit(_ i: Int) -> Bool { i < end && text[i] >= 0x30 && text[i] <= 0x39 }
        func skipSpaces(_ i: Int) -> Int {
            var i = i
            while isSpace(i) { i += 1 }
            return i
        }
        /// Where `(?:\s*,\s*|$)` ends a match that reached `i`, or `nil`.
        func separator(_ i: Int) -> Int? {
            let j = skipSpaces(i)
            if j < end && text[j] == UInt8(ascii: ",") { return skipSpaces(j + 1) }
            if i == end || (i == end - 1 && text[i] == 0x0A) { return i }
            return nil
        }

        var entries: [(entry: AcceptLanguageEntry, thousandths: Int)] = []
        var position = 0
        while position < end {
            var i = position
            if text[i] == UInt8(ascii: "*") {
                i += 1
            } else {
                var run = 0
                while isLetter(i) && run < 9 {
                    i += 1
                    run += 1
                }
                guard run >= 1 && run <= 8 else { return [] }
                while i < end && text[i] == UInt8(ascii: "-") {
                    var j = i + 1
                    var subtag = 0
                    while (isLetter(j) || isDigit(j)) && subtag < 9 {
                        j += 1
                        subtag += 1
                    }
                    guard subtag >= 1 && subtag <= 8 else { return [] }
                    i = j
                }
                // A letter or digit right after the range (a subtag of 9) cannot be followed.
                if isLetter(i) || isDigit(i) { return [] }
            }
            let language = String(decoding: text[position..<i], as: UTF8.self)
            var thousandths = 1000
            var matchEnd: Int?
            // The optional `\s*;\s*q=(0(?:\.[0-9]{,3})?|1(?:\.0{,3})?)`.
            let semicolon = skipSpaces(i)
            if semicolon < end && text[semicolon] == UInt8(ascii: ";") {
                let q = skipSpaces(semicolon + 1)
                if q + 2 < end && text[q] == UInt8(ascii: "q") && text[q + 1] == UInt8(ascii: "=")
                    && (text[q + 2] == UInt8(ascii: "0") || text[q + 2] == UInt8(ascii: "1"))
                {
                    let one = text[q + 2] == UInt8(ascii: "1")
                    var j = q + 3
                    var fraction = 0
                    if j < end && text[j] == UInt8(ascii: ".") {
                        j += 1
                        var digits = 0
                        while digits < 3 && (one ? (j < end && text[j] == UInt8(ascii: "0")) : isDigit(j)) {
                            fraction = fraction * 10 + Int(text[j] - 0x30)
                            j += 1
                            digits += 1
                        }
                        for _ in digits..<3 { fraction *= 10 }
                    }
                    // Backtracking to a shorter value leaves a digit or a dot, which no separator
                    // follows; so does skipping the q part, which leaves the `;`.
                    guard let next = separator(j) else { return [] }
                    thousandths = (one ? 1000 : 0) + fraction
                    matchEnd = next
                }
            }
            if matchEnd == nil {
                guard let next = separator(i) else { return [] }
                matchEnd = next
            }
            entries.append((AcceptLanguageEntry(language: language, quality: Double(thousandths) / 1000), thousandths))
            // A match that ends before a final newline (`$`) leaves the newline, which no range
            // starts: the next round gives up, as Python finds text after the last match.
            position = matchEnd!
        }
        // Stable: equal qualities keep the header's order, as Python's sort does.
        let order = entries.enumerated().sorted { a, b in
            a.element.thousandths != b.element.thousandths
                ? a.element.thousandths > b.element.thousandths : a.offset < b.offset
        }
        return order.map { $0.element.entry }
    }

    // MARK: Codes and locale names

    /// Django's `language_code_re`,
    /// `^[a-z]{1,8}(?:-[a-z0-9]{1,8})*(?:@[a-z0-9]{1,20})?$` with `re.IGNORECASE` (so the letters
    /// are the ASCII ones and the four others Python folds onto them: İ, ı, ſ and the Kelvin sign);
    /// like Python's `$`, it also accepts a code followed by one final newline.
    public static func isLanguageCode(_ code: String) -> Bool {
        let scalars = Array(code.unicodeScalars)
        if matchesLanguageCode(scalars[...]) { return true }
        if let last = scalars.last, last == "\n" { return matchesLanguageCode(scalars.dropLast()) }
        return false
    }

    private static func matchesLanguageCode(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        func isLetter(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c)
                || c.value == 0x130 || c.value == 0x131 || c.value == 0x17F || c.value == 0x212A
        }
        func isAlphanumeric(_ c: Unicode.Scalar) -> Bool { isLetter(c) || ("0"..."9").contains(c) }
        var main = scalars
        if let at = scalars.firstIndex(of: "@") {
            let modifier = scalars[(at + 1)...]
            guard (1...20).contains(modifier.count), modifier.allSatisfy(isAlphanumeric) else { return false }
            main = scalars[..<at]
        }
        let parts = main.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (1...8).contains(first.count), first.allSatisfy(isLetter) else { return false }
        return parts.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.allSatisfy(isAlphanumeric) }
    }

    /// Django's `to_locale`: `pt-br` → `pt_BR`, `sr-latn` → `sr_Latn`, `de` → `de`.
    public static func toLocale(_ language: String) -> String {
        let (lang, rest) = partition(language.lowercased(), "-")
        guard !rest.isEmpty else {
            let scalars = Array(language.unicodeScalars)
            return string(scalars.prefix(3)[...]).lowercased() + string(scalars.dropFirst(3))
        }
        let (country, tail) = partition(rest, "-")
        var result = country.unicodeScalars.count > 2 ? pythonTitle(country) : country.uppercased()
        if !tail.isEmpty { result += "-" + tail }
        return lang + "_" + result
    }

    /// Django's `to_language`: `pt_BR` → `pt-br`, `en` → `en`.
    public static func toLanguage(_ locale: String) -> String {
        guard locale.unicodeScalars.contains("_") else { return locale.lowercased() }
        let (language, country) = partition(locale, "_")
        return language.lowercased() + "-" + country.lowercased()
    }

    /// Python's `str.partition` by code point, without the separator: the text before the first
    /// `separator` and the text after it (empty without one).
    private static func partition(_ text: String, _ separator: Unicode.Scalar) -> (String, String) {
        let scalars = text.unicodeScalars
        guard let index = scalars.firstIndex(of: separator) else { return (text, "") }
        return (String(scalars[..<index]), String(scalars[scalars.index(after: index)...]))
    }

    /// Python's `str.title()`: a cased character after an uncased one is title-cased, others
    /// lower-cased.
    private static func pythonTitle(_ text: some StringProtocol) -> String {
        var result = ""
        var previousCased = false
        for scalar in text.unicodeScalars {
            let properties = scalar.properties
            result += previousCased ? properties.lowercaseMapping : properties.titlecaseMapping
            previousCased = properties.isCased
        }
        return result
    }
}
