import Foundation

// The translation parsers (GettextCatalog.swift, LanguageNegotiation.swift, PythonFormat.swift):
// catalogs come from LOCALE_PATHS, the language from each request's Accept-Language header and
// language cookie. The first byte (mod 6) picks what the rest is; each answers quickly, never
// crashes, and keeps what is said here:
//
//   0  a .mo file: what parses translates each message to what the file says (singular, each
//      plural form by the catalog's rule for n in 0, 1, 2, 5, 11, 21, 101, -1, Int.max...,
//      with and without a context); written back as a .mo (either byte order) and as a .po,
//      it reads back the same; merged by CatalogSet as Django merges LOCALE_PATHS, gettext,
//      ngettext, pgettext and npgettext answer what the catalog says, else the message
//   1  a .po text: the same
//   2  a plural expression: compiles (or not) alike as an expression and in a Plural-Forms
//      header; index(for:) is evaluate(_:) or form 0; "(e)", "!(e)", "(e) ? 1 : 0" and
//      "(e) + 0" evaluate as Python says they do from e's value
//   3  an Accept-Language header, then after a NUL the language cookie: parseAcceptLanguage gives
//      lower-case ranges that match Django's accept_language_re, qualities within 0...1, highest
//      first; the negotiated language (the i18n conformance profile's LANGUAGES, Django's default
//      list, LANGUAGES with catalogs for some codes only) is one of LANGUAGES or LANGUAGE_CODE
//   4  a locale name: normalize is idempotent, expand begins with it and differs in each name,
//      searchOrder is expand up to "C"; isLanguageCode agrees with language_code_re, and an
//      ASCII code comes back from to_language(to_locale(code)) lower-cased
//   5  a template, then NUL-separated arguments (`name=value`, or the positional one without
//      `=`): PythonFormat.percent and .brace agree with a reading by code point, as Python reads
//      a format string
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzI18n(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = selfCheck
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let input = bytes[1...]
    switch bytes[0] % 6 {
    case 0: checkMo(input)
    case 1: checkPo(input)
    case 2: checkPlural(String(decoding: input, as: UTF8.self))
    case 3: checkNegotiation(input)
    case 4: checkLocale(String(decoding: input, as: UTF8.self))
    default: checkFormat(input)
    }
    return 0
}

// MARK: - Settings and helpers

/// The counts every plural rule is asked about.
private let counts = [0, 1, 2, 3, 5, 11, 21, 22, 101, 111, 1_000_000, -1, -2, -11, Int.max, Int.max - 1, Int.min]

/// LANGUAGES of the i18n conformance profile (LANGUAGE_CODE en-us).
private let i18nLanguages = ["en", "de", "fr", "es", "pt-br", "ru"]

/// A catalog beneath the fuzzed one when two directories are merged.
private let fixedCatalog: GettextCatalog = {
    let text = """
        msgid ""
        msgstr ""
        "Content-Type: text/plain; charset=UTF-8\\n"
        "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"

        msgid "This field is required."
        msgstr "Обязательное поле."

        msgctxt "month"
        msgid "May"
        msgstr "Май"

        msgid "%(count)d item"
        msgid_plural "%(count)d items"
        msgstr[0] "%(count)d элемент"
        msgstr[1] "%(count)d элемента"
        msgstr[2] "%(count)d элементов"
        """
    do {
        return try GettextCatalog(poText: text)
    } catch {
        fatalError("the fixed catalog does not parse: \(error)")
    }
}()

/// Directories with a catalog for en, de, pt and pt_BR only: a `check_for_language` that fails
/// for fr, es and ru.
private let fixedSet: CatalogSet = {
    do {
        return try CatalogSet(
            localeCatalogs: [["en": fixedCatalog, "de": fixedCatalog, "pt": fixedCatalog, "pt_BR": fixedCatalog]],
            languages: i18nLanguages, languageCode: "en-us")
    } catch {
        fatalError("the fixed catalog set: \(error)")
    }
}()

private let negotiations: [LanguageNegotiation] = [
    LanguageNegotiation(languages: i18nLanguages, languageCode: "en-us"),
    LanguageNegotiation(languageCode: "en-us"),
    LanguageNegotiation(
        languages: i18nLanguages, languageCode: "en-us", catalogExists: { fixedSet.hasCatalog(for: $0) }),
    LanguageNegotiation(languages: ["pt-BR", "zh-hans", "sr-latn", "de-at", "PT-br"], languageCode: "pt-br"),
]

private func fail(_ message: String) -> Never {
    fatalError(message)
}

/// Text in a message, cut short.
private func show(_ text: String) -> String {
    let scalars = text.unicodeScalars
    if scalars.count <= 120 { return text.debugDescription }
    return String(String.UnicodeScalarView(scalars.prefix(120))).debugDescription + "..."
}

/// Equal code point by code point, as Python compares (Swift's `==` goes by canonical equivalence).
private func same(_ a: String?, _ b: String?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (let a?, let b?): return a.utf8.elementsEqual(b.utf8)
    default: return false
    }
}

private func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
    String(String.UnicodeScalarView(scalars))
}

// MARK: - 0, 1: catalogs

private func checkMo(_ input: ArraySlice<UInt8>) {
    let catalog: GettextCatalog
    do {
        catalog = try GettextCatalog(moData: Data(input))
    } catch {
        _ = "\(error)"
        return
    }
    checkCatalog(catalog)
}

private func checkPo(_ input: ArraySlice<UInt8>) {
    let catalog: GettextCatalog
    do {
        catalog = try GettextCatalog(poText: String(decoding: input, as: UTF8.self))
    } catch {
        _ = "\(error)"
        return
    }
    checkCatalog(catalog)
}

private func checkCatalog(_ catalog: GettextCatalog) {
    let rule = catalog.pluralForms
    for n in counts where rule.index(for: n) != (rule.evaluate(n) ?? 0) {
        fail("index(for: \(n)) is not evaluate(\(n)) ?? 0 for \(rule)")
    }
    for (key, translation) in catalog.singulars.prefix(64) {
        let id = key.text
        let found = catalog.translate(id)
        let expected = translation.isEmpty ? catalog.pluralForm(id, rule.index(for: 1)) : translation
        guard same(found, expected) else {
            fail("translate(\(show(id))) is \(found.map(show) ?? "nil"), not \(expected.map(show) ?? "nil")")
        }
        checkContext(catalog, id)
    }
    for (key, forms) in catalog.plurals.prefix(64) {
        let id = key.text
        for n in counts {
            let index = rule.index(for: n)
            let expected = index >= 0 && index < forms.count && !forms[index].isEmpty ? forms[index] : nil
            let found = catalog.translatePlural(id, "plural", count: n)
            guard same(found, expected) else {
                fail("translatePlural(\(show(id)), count: \(n)) is \(found.map(show) ?? "nil")")
            }
        }
        if catalog.singular(id) == nil, !same(catalog.translate(id), catalog.pluralForm(id, rule.index(for: 1))) {
            fail("translate(\(show(id))) of a plural message is not its form for 1")
        }
        checkContext(catalog, id)
    }
    _ = catalog.translate("This field is required.")
    _ = catalog.translate("May", context: "month")
    for n in counts { _ = catalog.translatePlural("%(count)d item", "%(count)d items", count: n) }
    _ = catalog.headers.count + catalog.messageCount
    moRoundTrip(catalog, bigEndian: false)
    moRoundTrip(catalog, bigEndian: true)
    poRoundTrip(catalog)
    checkTranslations(catalog)
}

/// A key with a context reads the same through `translate(_:context:)`.
private func checkContext(_ catalog: GettextCatalog, _ key: String) {
    guard let (context, rest) = splitAtFirst(key, "\u{4}") else { return }
    let message = String(rest.unicodeScalars.dropFirst())
    guard same(catalog.translate(message, context: context), catalog.translate(key)) else {
        fail("translate(\(show(message)), context: \(show(context))) is not translate(\(show(key)))")
    }
    for n in [0, 1, 2, 5] {
        guard
            same(
                catalog.translatePlural(message, "p", count: n, context: context),
                catalog.translatePlural(key, "p", count: n))
        else { fail("translatePlural with context \(show(context)) differs") }
    }
}

private func header(_ catalog: GettextCatalog) -> String {
    "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=\(catalog.pluralForms.formCount ?? 2); plural="
        + catalog.pluralForms.expression + "\n"
}

/// The catalog's messages written as a .mo file (msgfmt's layout, no hash table) and read back.
private func moRoundTrip(_ catalog: GettextCatalog, bigEndian: Bool) {
    // A .mo file cannot say a msgid with a NUL (it would read as a plural) nor a form with one.
    func hasNUL(_ text: String) -> Bool { text.utf8.contains(0) }
    if catalog.singulars.keys.contains(where: { hasNUL($0.text) })
        || catalog.plurals.contains(where: { hasNUL($0.key.text) || $0.value.contains(where: hasNUL) })
    {
        return
    }
    var entries: [(original: [UInt8], translation: [UInt8])] = [([], Array(header(catalog).utf8))]
    for (key, translation) in catalog.singulars {
        entries.append((Array(key.text.utf8), Array(translation.utf8)))
    }
    for (key, forms) in catalog.plurals {
        entries.append((Array(key.text.utf8) + [0] + Array("plural".utf8), Array(forms.joined(separator: "\0").utf8)))
    }
    let count = entries.count
    let originals = 28
    let translations = originals + 8 * count
    var offset = translations + 8 * count
    var words = [0x9504_12de, 0, count, originals, translations, 0, offset]
    var strings: [UInt8] = []
    var table: [Int] = []
    for entry in entries {
        table += [entry.original.count, offset]
        strings += entry.original + [0]
        offset += entry.original.count + 1
    }
    for entry in entries {
        table += [entry.translation.count, offset]
        strings += entry.translation + [0]
        offset += entry.translation.count + 1
    }
    words += table
    var data = Data(capacity: 4 * words.count + strings.count)
    for word in words {
        let value = UInt32(word)
        withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian) { data.append(contentsOf: $0) }
    }
    data.append(contentsOf: strings)
    let back: GettextCatalog
    do {
        back = try GettextCatalog(moData: data)
    } catch {
        fail("the catalog written as a .mo file does not read back: \(error)")
    }
    compare(back, catalog.singulars, catalog.plurals, catalog.pluralForms, "a .mo file")
}

/// The catalog's messages written as a .po text and read back (msgfmt leaves out a message whose
/// first translation is empty, and the empty msgid is the header).
private func poRoundTrip(_ catalog: GettextCatalog) {
    let singulars = catalog.singulars.filter { !$0.value.isEmpty }
    let plurals = catalog.plurals.filter { !$0.key.text.isEmpty && !($0.value.first ?? "").isEmpty }
    // A .po file defines a (context, msgid) once: a .mo file's singular and plural with one msgid
    // have no .po form.
    if singulars.keys.contains(where: { plurals[$0] != nil }) { return }
    var po: [UInt8] = Array("msgid \"\"\nmsgstr ".utf8) + quoted(header(catalog)) + [0x0A]
    func message(_ key: String) {
        if let (context, rest) = splitAtFirst(key, "\u{4}") {
            po += Array("\nmsgctxt ".utf8) + quoted(context)
            po += Array("\nmsgid ".utf8) + quoted(String(rest.unicodeScalars.dropFirst()))
        } else {
            po += Array("\nmsgid ".utf8) + quoted(key)
        }
    }
    for (key, translation) in singulars {
        message(key.text)
        po += Array("\nmsgstr ".utf8) + quoted(translation) + [0x0A]
    }
    for (key, forms) in plurals {
        message(key.text)
        po += Array("\nmsgid_plural \"plural\"".utf8)
        for (index, form) in forms.enumerated() {
            po += Array("\nmsgstr[\(index)] ".utf8) + quoted(form)
        }
        po.append(0x0A)
    }
    let back: GettextCatalog
    do {
        back = try GettextCatalog(poText: String(decoding: po, as: UTF8.self))
    } catch {
        fail("the catalog written as a .po text does not read back: \(error)")
    }
    compare(back, singulars, plurals, catalog.pluralForms, "a .po text")
}

/// A .po string: C escapes for the quote, the backslash and control characters.
private func quoted(_ string: String) -> [UInt8] {
    var out: [UInt8] = [UInt8(ascii: "\"")]
    for byte in string.utf8 {
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            out += [UInt8(ascii: "\\"), byte]
        } else if byte < 0x20 || byte == 0x7F {
            out += [UInt8(ascii: "\\"), 0x30 + byte >> 6, 0x30 + (byte >> 3) & 7, 0x30 + byte & 7]
        } else {
            out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
    return out
}

private func compare(
    _ back: GettextCatalog, _ singulars: [ExactText: String], _ plurals: [ExactText: [String]], _ rule: PluralForms,
    _ written: String
) {
    guard back.singulars.count == singulars.count, back.plurals.count == plurals.count else {
        fail(
            "written as \(written), \(singulars.count) + \(plurals.count) messages read back as "
                + "\(back.singulars.count) + \(back.plurals.count)")
    }
    for (key, translation) in singulars where !same(back.singulars[key], translation) {
        fail("written as \(written), \(show(key.text)) reads back as \(back.singulars[key].map(show) ?? "nil")")
    }
    for (key, forms) in plurals {
        guard let read = back.plurals[key], read.count == forms.count, zip(read, forms).allSatisfy({ same($0, $1) })
        else { fail("written as \(written), the plural \(show(key.text)) does not read back") }
    }
    for n in counts where back.pluralForms.evaluate(n) != rule.evaluate(n) {
        fail("written as \(written), \(rule) reads back as \(back.pluralForms) (n = \(n))")
    }
}

/// The catalog as the only one of a LOCALE_PATHS directory (for en, de, pt_BR and ru_RU), then
/// above a fixed catalog: each language's translation answers what the catalog says, else the
/// message (fr and es, without a catalog, through the default language's).
private func checkTranslations(_ catalog: GettextCatalog) {
    let set: CatalogSet
    do {
        set = try CatalogSet(
            localeCatalogs: [["en": catalog, "de": catalog, "pt_BR": catalog, "ru_RU": catalog]],
            languages: i18nLanguages, languageCode: "en-us")
    } catch {
        guard catalog.isEmptyForPython, case GettextError.noCatalogForDefaultLanguage = error else {
            fail("CatalogSet refused a catalog: \(error)")
        }
        return
    }
    if catalog.isEmptyForPython { fail("CatalogSet built without a catalog for en-us") }
    var keys = ["", "x", "This field is required.", "%(count)d item"]
    keys += catalog.singulars.keys.prefix(16).map(\.text) + catalog.plurals.keys.prefix(16).map(\.text)
    keys = keys.filter { !$0.unicodeScalars.contains("\r") }
    for language in ["en", "en-us", "de", "fr", "es", "pt-br", "ru"] {
        guard let translation = set.translation(for: language) else { fail("no translation for \(language)") }
        for key in keys {
            let expected = key.isEmpty ? "" : (catalog.translate(key) ?? key)
            let found = translation.gettext(key)
            guard same(found, expected) else {
                fail("\(language): gettext(\(show(key))) is \(show(found)), not \(show(expected))")
            }
            for n in counts {
                let plural = translation.ngettext(key, "plurals", n)
                guard same(plural, catalog.translatePlural(key, "plurals", count: n) ?? (n == 1 ? key : "plurals"))
                else { fail("\(language): ngettext(\(show(key)), \(n)) is \(show(plural))") }
            }
            guard let (context, rest) = splitAtFirst(key, "\u{4}") else { continue }
            let message = String(rest.unicodeScalars.dropFirst())
            let inContext = translation.pgettext(context, message)
            guard same(inContext, found.unicodeScalars.contains("\u{4}") ? message : found) else {
                fail("\(language): pgettext(\(show(context)), \(show(message))) is \(show(inContext))")
            }
            for n in [0, 1, 2, 5] {
                let plural = translation.ngettext(key, context + "\u{4}plurals", n)
                let expected =
                    plural.unicodeScalars.contains("\u{4}") ? translation.ngettext(message, "plurals", n) : plural
                guard same(translation.npgettext(context, message, "plurals", n), expected) else {
                    fail("\(language): npgettext(\(show(context)), \(show(message)), \(n)) differs")
                }
            }
        }
    }
    _ = set.languages
    _ = set.hasCatalog(for: "de") && set.hasCatalog(for: "pt-BR") && !set.hasCatalog(for: "fr")

    // Above a fixed catalog for de (LOCALE_PATHS' first directory ranks highest).
    guard
        let merged = try? CatalogSet(
            localeCatalogs: [["de": catalog], ["de": fixedCatalog, "en": fixedCatalog, "pt": fixedCatalog]],
            languages: i18nLanguages, languageCode: "en-us"),
        let german = merged.translation(for: "de")
    else { fail("CatalogSet refused two directories") }
    for key in keys {
        let found = german.gettext(key)
        if let translation = catalog.singular(key), !key.isEmpty, !same(found, translation) {
            fail("merged: gettext(\(show(key))) is \(show(found)), not the first directory's \(show(translation))")
        }
        for n in [0, 1, 2, 5, Int.max] { _ = german.ngettext(key, "plurals", n) }
        _ = merged.translation(for: "pt-br")?.npgettext("month", key, "plurals", 2)
    }
}

// MARK: - 2: plural expressions

private func checkPlural(_ expression: String) {
    let rule: PluralForms
    // In a Plural-Forms header, the expression ends at a ";" or a second "plural=".
    let sameInHeader = !expression.unicodeScalars.contains(";") && pythonSplit(expression, "plural=").count == 1
    do {
        rule = try PluralForms(expression: expression)
    } catch {
        _ = "\(error)"
        if sameInHeader, (try? PluralForms(headerValue: "nplurals=3; plural=" + expression)) != nil {
            fail("\(show(expression)) compiles in a header only")
        }
        return
    }
    let values = counts.map { rule.evaluate($0) }
    for (n, value) in zip(counts, values) where rule.index(for: n) != value ?? 0 {
        fail("\(show(expression)): index(for: \(n)) is not evaluate ?? 0")
    }
    if sameInHeader {
        guard let header = try? PluralForms(headerValue: "nplurals=3; plural=" + expression), header.formCount == 3,
            counts.map({ header.evaluate($0) }) == values
        else { fail("\(show(expression)) reads otherwise in a Plural-Forms header") }
    }
    // Python's value of e in parentheses, `not`, a conditional and a sum, from e's value.
    let derived: [(String, (Int) -> Int)] = [
        ("(" + expression + ")", { $0 }),
        ("!(" + expression + ")", { $0 == 0 ? 1 : 0 }),
        ("(" + expression + ") ? 1 : 0", { $0 != 0 ? 1 : 0 }),
        ("(" + expression + ") + 0", { $0 }),
    ]
    for (text, expected) in derived {
        guard let other = try? PluralForms(expression: text) else { continue }
        for (n, value) in zip(counts, values) where other.evaluate(n) != value.map(expected) {
            let found = other.evaluate(n).map(String.init) ?? "nil"
            fail("\(show(text)) for n = \(n) is \(found), e is \(value.map(String.init) ?? "nil")")
        }
    }
}

// MARK: - 3: Accept-Language and the language cookie

private func checkNegotiation(_ input: ArraySlice<UInt8>) {
    let nul = input.firstIndex(of: 0)
    let header = String(decoding: input[..<(nul ?? input.endIndex)], as: UTF8.self)
    let cookie = nul.map { String(decoding: input[($0 + 1)...], as: UTF8.self) }

    let entries = LanguageNegotiation.parseAcceptLanguage(header)
    let bytes = Array(header.utf8)
    if bytes.count > LanguageNegotiation.languageCodeMaxLength,
        !bytes[..<LanguageNegotiation.languageCodeMaxLength].dropFirst().contains(UInt8(ascii: ",")), !entries.isEmpty
    {
        fail("a header over 500 bytes without a comma in them gave ranges")
    }
    if entries.count > bytes.count(where: { $0 == UInt8(ascii: ",") }) + 1 {
        fail("more ranges than commas in \(show(header))")
    }
    for (index, entry) in entries.enumerated() {
        guard entry.quality >= 0, entry.quality <= 1 else { fail("quality \(entry.quality) in \(show(header))") }
        if index > 0, entries[index - 1].quality < entry.quality { fail("ranges out of order in \(show(header))") }
        guard entry.language == "*" || isLanguageRange(entry.language) else {
            fail("range \(show(entry.language)) from \(show(header))")
        }
        if entry.language != "*", !LanguageNegotiation.isLanguageCode(entry.language) {
            fail("range \(show(entry.language)) is no language code")
        }
    }

    for negotiation in negotiations {
        let allowed =
            negotiation.languages.map { Array($0.utf8) } + [
                Array(LanguageNegotiation.toLanguage(negotiation.languageCode).utf8)
            ]
        let requests: [(String?, String?)] = [(cookie, header), (nil, header), (cookie, nil), (header, cookie)]
        for (cookie, header) in requests {
            let chosen = negotiation.languageFromRequest(cookie: cookie, acceptLanguage: header)
            let language = negotiation.language(cookie: cookie, acceptLanguage: header)
            guard same(language, LanguageNegotiation.toLanguage(chosen)) else {
                fail("language(...) is not to_language(get_language_from_request(...))")
            }
            guard allowed.contains(Array(language.utf8)) else {
                fail(
                    "cookie \(cookie.map(show) ?? "none"), Accept-Language \(header.map(show) ?? "none"): "
                        + "\(show(language)) is not among LANGUAGES \(negotiation.languages)")
            }
        }
        for code in [cookie, header] {
            for strict in [false, true] {
                guard let variant = negotiation.supportedLanguageVariant(code, strict: strict) else { continue }
                guard allowed.contains(Array(variant.lowercased().utf8)) else {
                    fail("supportedLanguageVariant(\(code.map(show) ?? "nil"), strict: \(strict)) is \(show(variant))")
                }
            }
            _ = negotiation.checkForLanguage(code)
        }
    }
}

/// `[a-z]{1,8}(?:-[a-z0-9]{1,8})*`, lower-case, as accept_language_re's range (after `lower()`).
private func isLanguageRange(_ range: String) -> Bool {
    let parts = Array(range.utf8).split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
    guard let first = parts.first, (1...8).contains(first.count), first.allSatisfy({ (0x61...0x7A).contains($0) })
    else { return false }
    return parts.dropFirst().allSatisfy {
        (1...8).contains($0.count) && $0.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
    }
}

// MARK: - 4: locale names

private func checkLocale(_ name: String) {
    let normalized = GettextLocale.normalize(name)
    guard same(GettextLocale.normalize(normalized), normalized) else {
        fail("normalize(\(show(name))) is \(show(normalized)), which normalizes again")
    }
    let expanded = GettextLocale.expand(name)
    guard let first = expanded.first, same(first, normalized), [1, 2, 4, 8].contains(expanded.count) else {
        fail("expand(\(show(name))) is \(expanded)")
    }
    let distinct = Set(expanded.map { Array($0.utf8) })
    if distinct.count != expanded.count { fail("expand(\(show(name))) repeats a name") }
    let language = String(normalized.unicodeScalars.prefix { $0 != "@" && $0 != "." && $0 != "_" })
    if let other = expanded.first(where: { !hasPythonPrefix($0, language) }) {
        fail("expand(\(show(name))) gives \(show(other)), not of \(show(language))")
    }
    let order = GettextLocale.searchOrder(name)
    let expected = Array(expanded.prefix { !same($0, "C") })
    guard order.count == expected.count, zip(order, expected).allSatisfy({ same($0, $1) }) else {
        fail("searchOrder(\(show(name))) is \(order), not \(expected)")
    }

    let isCode = LanguageNegotiation.isLanguageCode(name)
    if isCode != matchesLanguageCodeRE(Array(name.unicodeScalars)) {
        fail("isLanguageCode(\(show(name))) is \(isCode)")
    }
    let locale = LanguageNegotiation.toLocale(name)
    let back = LanguageNegotiation.toLanguage(locale)
    if isCode, name.unicodeScalars.allSatisfy(\.isASCII), !same(back, name.lowercased()) {
        fail("to_language(to_locale(\(show(name)))) is \(show(back))")
    }
    _ = GettextLocale.searchOrder(locale)
}

/// Django's `language_code_re`, `^[a-z]{1,8}(?:-[a-z0-9]{1,8})*(?:@[a-z0-9]{1,20})?$` with
/// `re.IGNORECASE`: ASCII letters and the four that Python's case folding makes ASCII (İ, ı, ſ,
/// the Kelvin sign); `$` also before a final newline. Read left to right, without splitting.
private func matchesLanguageCodeRE(_ scalars: [Unicode.Scalar]) -> Bool {
    func letter(_ c: Unicode.Scalar) -> Bool {
        (c.value | 0x20 >= 0x61 && c.value | 0x20 <= 0x7A) || [0x130, 0x131, 0x17F, 0x212A].contains(c.value)
    }
    func alphanumeric(_ c: Unicode.Scalar) -> Bool { letter(c) || (0x30...0x39).contains(c.value) }
    var end = scalars.count
    if end > 0, scalars[end - 1] == "\n" { end -= 1 }
    func run(_ i: Int, _ test: (Unicode.Scalar) -> Bool, _ most: Int) -> Int? {
        var j = i
        while j < end, test(scalars[j]) { j += 1 }
        return (1...most).contains(j - i) ? j : nil
    }
    guard var i = run(0, letter, 8) else { return false }
    while i < end, scalars[i] == "-" {
        guard let next = run(i + 1, alphanumeric, 8) else { return false }
        i = next
    }
    if i < end, scalars[i] == "@" {
        guard let next = run(i + 1, alphanumeric, 20) else { return false }
        i = next
    }
    return i == end
}

// MARK: - 5: templates

private func checkFormat(_ input: ArraySlice<UInt8>) {
    let pieces = input.split(separator: 0, maxSplits: 8, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
    }
    let template = pieces.first ?? ""
    var values: [String: String] = [:]
    for piece in pieces.dropFirst() {
        if let (name, rest) = splitAtFirst(piece, "=") {
            values[name] = String(rest.unicodeScalars.dropFirst())
        } else {
            values[""] = piece
        }
    }
    for values in [values, [:], ["count": "3", "": "x", "name": "%(name)s {name}"]] {
        let percent = PythonFormat.percent(template, values)
        let expectedPercent = referencePercent(template, values)
        guard same(percent, expectedPercent) else {
            fail("percent(\(show(template)), \(values)) is \(show(percent)), not \(show(expectedPercent))")
        }
        let brace = PythonFormat.brace(template, values)
        let expectedBrace = referenceBrace(template, values)
        guard same(brace, expectedBrace) else {
            fail("brace(\(show(template)), \(values)) is \(show(brace)), not \(show(expectedBrace))")
        }
    }
}

/// The argument whose name is exactly the code points `name`, as Python's `dict` finds it.
private func value(_ values: [String: String], _ name: ArraySlice<Unicode.Scalar>) -> String? {
    for (key, value) in values where key.unicodeScalars.elementsEqual(name) { return value }
    return nil
}

/// For each position, where the next `scalar` is (or the end).
private func nextIndices(_ scalars: [Unicode.Scalar], _ scalar: Unicode.Scalar) -> [Int] {
    var next = [Int](repeating: scalars.count, count: scalars.count + 1)
    var index = scalars.count - 1
    while index >= 0 {
        next[index] = scalars[index] == scalar ? index : next[index + 1]
        index -= 1
    }
    return next
}

/// What PythonFormat.percent documents, code point by code point: `%%`; `%(name)` then flags,
/// width and precision, then a letter; `%s` and `%d` from the argument named "".
private func referencePercent(_ template: String, _ values: [String: String]) -> String {
    let s = Array(template.unicodeScalars)
    let close = nextIndices(s, ")")
    // For each position, the first one past flags, width and precision.
    var pastFlags = [Int](repeating: s.count, count: s.count + 1)
    var index = s.count - 1
    while index >= 0 {
        pastFlags[index] = "#0- +.123456789".unicodeScalars.contains(s[index]) ? pastFlags[index + 1] : index
        index -= 1
    }
    var out = String.UnicodeScalarView()
    var i = 0
    while i < s.count {
        guard s[i] == "%" else {
            out.append(s[i])
            i += 1
            continue
        }
        let a = i + 1
        if a < s.count, s[a] == "%" {
            out.append("%")
            i = a + 1
            continue
        }
        if a < s.count, s[a] == "(", close[a] < s.count {
            let t = pastFlags[close[a] + 1]
            if t < s.count, Character(s[t]).isLetter, let value = value(values, s[(a + 1)..<close[a]]) {
                out.append(contentsOf: value.unicodeScalars)
                i = t + 1
                continue
            }
        }
        if a < s.count, s[a] == "s" || s[a] == "d", let value = values[""] {
            out.append(contentsOf: value.unicodeScalars)
            i = a + 1
            continue
        }
        out.append("%")
        i = a
    }
    return String(out)
}

/// What PythonFormat.brace documents, code point by code point: `{{`, `}}` and `{name}`.
private func referenceBrace(_ template: String, _ values: [String: String]) -> String {
    let s = Array(template.unicodeScalars)
    let close = nextIndices(s, "}")
    var out = String.UnicodeScalarView()
    var i = 0
    while i < s.count {
        let c = s[i]
        guard c == "{" || c == "}" else {
            out.append(c)
            i += 1
            continue
        }
        if i + 1 < s.count, s[i + 1] == c {
            out.append(c)
            i += 2
            continue
        }
        if c == "{", close[i + 1] < s.count, let value = value(values, s[(i + 1)..<close[i + 1]]) {
            out.append(contentsOf: value.unicodeScalars)
            i = close[i + 1] + 1
            continue
        }
        out.append(c)
        i += 1
    }
    return String(out)
}

// MARK: - Once: what Django and the conformance suite say

private let selfCheck: Void = {
    // test_i18n.py's ACCEPT_LANGUAGE and LANGUAGE_COOKIE, on the i18n profile's settings.
    let profile = negotiations[0]
    let cases: [(String?, String?, String)] = [
        (nil, nil, "en"), (nil, "de", "de"), (nil, "de-AT", "de"), (nil, "DE-at", "de"), (nil, "es-419", "es"),
        (nil, "ru-RU", "ru"), (nil, "pt", "pt-br"), (nil, "pt-PT", "pt-br"),
        (nil, "fr;q=0.5, de;q=0.9, en;q=0.1", "de"), (nil, "fr;q=0.5, de;q=0.5", "fr"), (nil, "it, de;q=0.5", "de"),
        (nil, "de;q=0", "de"), (nil, "it", "en"), (nil, "en-GB", "en"), (nil, "*", "en"), (nil, "*, de", "en"),
        (nil, "de;q=1.5, fr", "en"), ("fr", "de", "fr"), ("de-at", "fr", "de"), ("pt", nil, "pt-br"),
        ("en", "de", "en"), ("it", "es", "es"),
    ]
    for (cookie, header, expected) in cases {
        let found = profile.language(cookie: cookie, acceptLanguage: header)
        if found != expected { fail("self-check: cookie \(cookie ?? "-"), header \(header ?? "-"): \(found)") }
    }
    // Django's `to_locale`, `to_language` and gettext's search order (the file's own examples).
    let pairs = [("pt-br", "pt_BR"), ("sr-latn", "sr_Latn"), ("de", "de"), ("zh-hant-tw", "zh_Hant-tw")]
    for (language, locale) in pairs where LanguageNegotiation.toLocale(language) != locale {
        fail("self-check: to_locale(\(language))")
    }
    guard GettextLocale.searchOrder("pt_BR") == ["pt_BR.ISO8859-1", "pt_BR", "pt.ISO8859-1", "pt"],
        GettextLocale.searchOrder("ru") == ["ru_RU.UTF-8", "ru_RU", "ru.UTF-8", "ru"]
    else { fail("self-check: searchOrder") }
    // The Russian rule, and Python's floor division and remainder.
    guard
        let russian = try? PluralForms(
            expression: "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"),
        [1, 2, 5, 11, 21, 22, 101, 111, 0].map(russian.index(for:)) == [0, 1, 2, 2, 0, 1, 0, 2, 2],
        (try? PluralForms(expression: "n%10"))?.evaluate(-1) == 9,
        (try? PluralForms(expression: "n/3"))?.evaluate(-1) == -1,
        (try? PluralForms(expression: "n/0"))?.evaluate(1) == nil,
        (try? PluralForms(expression: "n && 5"))?.evaluate(3) == 5
    else { fail("self-check: plural rules") }
    guard PythonFormat.percent("%(count)d items, 100%%", ["count": "3"]) == "3 items, 100%",
        PythonFormat.brace("{{x}} {name}", ["name": "Ann"]) == "{x} Ann",
        // A combining mark after `%%` or a placeholder is text of its own, as in Python.
        same(PythonFormat.percent("%%\u{301} %(name)s\u{301}", ["name": "Ann"]), "%\u{301} Ann\u{301}"),
        same(PythonFormat.brace("{name}\u{301} }}\u{301}", ["name": "Ann"]), "Ann\u{301} }\u{301}")
    else { fail("self-check: PythonFormat") }
}()
