import Foundation
import Testing

@testable import RestAuth

// The expected values in these tests are what Python 3.11's gettext (GNUTranslations, c2py) and
// Django 5.2 answered for the same catalogs and inputs in the development runs; the catalogs are
// built here in code (no fixture file, no Python needed).

/// `.mo` data laid out as GNU msgfmt writes it (header, the two string tables, no hash table), in
/// either byte order.
enum MOBuilder {
    /// `entries`: original string (a plural entry's singular and plural joined by NUL) and
    /// translation (plural forms joined by NUL); the header entry has the empty original.
    static func build(
        _ entries: [(original: String, translation: String)], bigEndian: Bool = false, revision: UInt32 = 0
    ) -> Data {
        build(
            bytes: entries.map { (Array($0.original.utf8), Array($0.translation.utf8)) }, bigEndian: bigEndian,
            revision: revision)
    }

    /// The same from raw bytes (for text that is not UTF-8).
    static func build(bytes entries: [([UInt8], [UInt8])], bigEndian: Bool = false, revision: UInt32 = 0) -> Data {
        let sorted = entries.sorted { $0.0.lexicographicallyPrecedes($1.0) }
        let count = sorted.count
        let stringsStart = 28 + 16 * count
        var blob: [UInt8] = []
        var originals: [UInt32] = []
        var translations: [UInt32] = []
        for (original, _) in sorted {
            originals += [UInt32(original.count), UInt32(stringsStart + blob.count)]
            blob += original + [0]
        }
        for (_, translation) in sorted {
            translations += [UInt32(translation.count), UInt32(stringsStart + blob.count)]
            blob += translation + [0]
        }
        let header: [UInt32] = [0x9504_12de, revision, UInt32(count), 28, UInt32(28 + 8 * count), 0, 0]
        return words(header + originals + translations, bigEndian: bigEndian) + Data(blob)
    }

    /// A catalog written back as `.mo` data: its header fields, messages and plural forms.
    static func build(_ catalog: GettextCatalog) -> Data {
        var entries: [(original: String, translation: String)] = []
        if !catalog.headers.isEmpty {
            let header = catalog.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)\n" }.joined()
            entries.append(("", header))
        }
        for (key, text) in catalog.singulars { entries.append((key.text, text)) }
        for (key, forms) in catalog.plurals {
            entries.append((key.text + "\0" + key.text, forms.joined(separator: "\0")))
        }
        return build(entries)
    }

    static func words(_ values: [UInt32], bigEndian: Bool = false) -> Data {
        var data = Data()
        for value in values {
            let ordered = bigEndian ? value.bigEndian : value.littleEndian
            withUnsafeBytes(of: ordered) { data.append(contentsOf: $0) }
        }
        return data
    }
}

/// The plural rules of some of Django's catalogs (django/conf/locale), as their headers give them.
enum PluralRules {
    static let counts = [0, 1, 2, 3, 5, 8, 11, 21, 22, 25, 101, 111]
    /// Rule, and Python's `plural(n)` for each of `counts`.
    static let table: [(language: String, rule: String, forms: [Int])] = [
        (
            "ar", "n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 && n%100<=99 ? 4 : 5",
            [0, 1, 2, 3, 3, 3, 4, 4, 4, 4, 5, 4]
        ),
        (
            "pl",
            "(n==1 ? 0 : (n%10>=2 && n%10<=4) && (n%100<12 || n%100>14) ? 1 : n!=1 && (n%10>=0 && n%10<=1) || "
                + "(n%10>=5 && n%10<=9) || (n%100>=12 && n%100<=14) ? 2 : 3)",
            [2, 0, 1, 1, 2, 2, 2, 2, 1, 2, 2, 2]
        ),
        (
            "cs", "(n == 1 && n % 1 == 0) ? 0 : (n >= 2 && n <= 4 && n % 1 == 0) ? 1: (n % 1 != 0 ) ? 2 : 3",
            [3, 0, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3]
        ),
        (
            "lt",
            "(n % 10 == 1 && (n % 100 > 19 || n % 100 < 11) ? 0 : (n % 10 >= 2 && n % 10 <=9) && "
                + "(n % 100 > 19 || n % 100 < 11) ? 1 : n % 1 != 0 ? 2: 3)",
            [3, 0, 1, 1, 1, 1, 3, 0, 1, 1, 0, 3]
        ),
        ("ga", "(n==1 ? 0 : n==2 ? 1 : n<7 ? 2 : n<11 ? 3 : 4)", [2, 0, 1, 2, 2, 3, 4, 4, 4, 4, 4, 4]),
        (
            "ru",
            "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : n%10==0 || "
                + "(n%10>=5 && n%10<=9) || (n%100>=11 && n%100<=14)? 2 : 3)",
            [2, 0, 1, 1, 2, 2, 2, 0, 1, 2, 0, 2]
        ),
        (
            "fr", "(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2",
            [0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
        ),
        ("de", "(n != 1)", [1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
    ]
}

@Suite("Plural-Forms expressions, as Python's gettext.c2py")
struct PluralFormsTests {
    @Test("Django's plural rules", arguments: PluralRules.table.map(\.language))
    func djangoRules(language: String) throws {
        let row = try #require(PluralRules.table.first { $0.language == language })
        let forms = try PluralForms(expression: row.rule)
        #expect(PluralRules.counts.map { forms.index(for: $0) } == row.forms)
    }

    /// Where C and Python read the same text differently, Python's reading wins (it is what Django
    /// runs): `!` covers what `not` covers, `&&` and `||` give an operand, `/` and `%` floor.
    @Test func pythonSemantics() throws {
        let counts = PluralRules.counts + [-7]
        let cases: [(String, [Int?])] = [
            ("!n == 1", [1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            ("!n + 1", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            ("n == 1 == 0", [1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            ("n < 1 < 2", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            ("n && 2", [0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
            ("n || 7", [7, 1, 2, 3, 5, 8, 11, 21, 22, 25, 101, 111, -7]),
            ("n / 2", [0, 0, 1, 1, 2, 4, 5, 10, 11, 12, 50, 55, -4]),
            ("(n - 10) / 3", [-4, -3, -3, -3, -2, -1, 0, 3, 4, 5, 30, 33, -6]),
            ("(n - 10) % 3", [2, 0, 1, 2, 1, 1, 1, 2, 0, 0, 1, 2, 1]),
            ("!!n", [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            ("007 + n", [7, 8, 9, 10, 12, 15, 18, 28, 29, 32, 108, 118, 0]),
            ("1 ? 2 : 3 ? 4 : 5", [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
            ("n ? 1 : n ? 2 : 3", [3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            // Python raises ZeroDivisionError: no value (form 0 for a lookup).
            ("n/0", Array(repeating: nil, count: 13)),
            ("n%0", Array(repeating: nil, count: 13)),
            ("n > 1 || n/0", [nil, nil, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, nil]),
            ("n < 1 && n/0", [nil, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, nil]),
        ]
        for (expression, expected) in cases {
            let forms = try PluralForms(expression: expression)
            #expect(counts.map { forms.evaluate($0) } == expected, "\(expression)")
            #expect(counts.map { forms.index(for: $0) } == expected.map { $0 ?? 0 }, "\(expression)")
        }
    }

    /// Expressions `c2py` refuses (ValueError, or SyntaxError from Python's compiler).
    @Test func rejected() throws {
        let deep = String(repeating: "(", count: 10_000) + "n" + String(repeating: ")", count: 10_000)
        let rejected = [
            "n == !n", "n + !n", "n ?", "(n", "n)", "n n", "1n", "n1", "= n", "n & 1", "", "-n", "a", "n\n", "n;",
            String(repeating: "(", count: 21) + "n" + String(repeating: ")", count: 21),
            String(repeating: "!", count: 1000) + "n", deep, String(repeating: "n?", count: 5_000) + "n",
            "99999999999999999999",  // Python's integers have no bound; these have 64 bits.
        ]
        for expression in rejected {
            #expect(throws: GettextError.self, "\(expression.prefix(40))") { try PluralForms(expression: expression) }
        }
        let accepted = [
            String(repeating: "(", count: 20) + "n" + String(repeating: ")", count: 20),
            String(repeating: "!", count: 999) + "n", String(repeating: "n?n:", count: 249) + "n",
        ]
        for expression in accepted {
            #expect(throws: Never.self) { try PluralForms(expression: expression) }
        }
        #expect(try PluralForms(expression: String(repeating: "!", count: 999) + "n").evaluate(0) == 1)
    }

    @Test func overflowHasNoValue() throws {
        let forms = try PluralForms(expression: "n * n > 5 ? 1 : 0")
        #expect(forms.evaluate(3) == 1)
        #expect(forms.evaluate(Int.max) == nil)
        #expect(forms.index(for: Int.max) == 0)
    }
}

/// A Russian catalog with a context, a plural entry, an empty translation and non-ASCII text.
enum RussianCatalog {
    static let rule = "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"
    static let entries: [(original: String, translation: String)] = [
        ("", "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=3; plural=\(rule);\n"),
        ("Not found.", "Не найдено."),
        ("menu\u{4}Open", "Открыть"),
        ("Open", "Открыть файл"),
        ("%d file\0%d files", "%d файл\0%d файла\0%d файлов"),
        ("Empty", ""),
        ("Ünïcode ✓", "Юникод ✓"),
    ]
    /// Python's `ngettext("%d file", "%d files", n)` for `PluralRules.counts`.
    static let files = [
        "%d файлов", "%d файл", "%d файла", "%d файла", "%d файлов", "%d файлов", "%d файлов", "%d файл", "%d файла",
        "%d файлов", "%d файл", "%d файлов",
    ]
}

@Suite("GettextCatalog: .mo files, as Python's GNUTranslations reads them")
struct GettextMOTests {
    @Test("both byte orders", arguments: [false, true])
    func readsMessages(bigEndian: Bool) throws {
        let catalog = try GettextCatalog(moData: MOBuilder.build(RussianCatalog.entries, bigEndian: bigEndian))
        #expect(catalog.translate("Not found.") == "Не найдено.")
        #expect(catalog.translate("Open", context: "menu") == "Открыть")
        #expect(catalog.translate("Open") == "Открыть файл")
        #expect(catalog.translate("Close", context: "menu") == nil)
        #expect(catalog.translate("Ünïcode ✓") == "Юникод ✓")
        #expect(catalog.translate("Missing") == nil)
        // An empty translation is no translation (msgfmt leaves such entries out).
        #expect(catalog.translate("Empty") == nil)
        let files = PluralRules.counts.map { catalog.translatePlural("%d file", "%d files", count: $0) }
        #expect(files == RussianCatalog.files)
        // gettext on a plural entry answers its form for 1.
        #expect(catalog.translate("%d file") == "%d файл")
        #expect(catalog.translatePlural("%d dir", "%d dirs", count: 2) == nil)
        #expect(catalog.charset == "UTF-8")
        #expect(catalog.pluralForms.formCount == 3)
        #expect(catalog.headers["content-type"] == "text/plain; charset=UTF-8")
        #expect(catalog.messageCount == 6)
    }

    /// Python's dictionary tells "é" from "e" + U+0301; so does the catalog.
    @Test func keysCompareByCodePoint() throws {
        let catalog = try GettextCatalog(
            moData: MOBuilder.build([
                ("", "Content-Type: text/plain; charset=UTF-8\n"), ("caf\u{E9}", "composed"),
                ("cafe\u{301}", "decomposed"),
            ]))
        #expect(catalog.translate("caf\u{E9}") == "composed")
        #expect(catalog.translate("cafe\u{301}") == "decomposed")
        #expect(catalog.messageCount == 2)
    }

    @Test func revisionOneAndPluralDefault() throws {
        let entries: [(original: String, translation: String)] = [("a\0as", "x\0y\0z")]
        for revision: UInt32 in [1, 0x0001_FFFF] {
            let catalog = try GettextCatalog(moData: MOBuilder.build(entries, revision: revision))
            // Without a header: ASCII text, germanic plurals (n != 1); a third form is never picked.
            #expect([0, 1, 2].map { catalog.translatePlural("a", "as", count: $0) } == ["y", "x", "y"])
        }
    }

    @Test func charsets() throws {
        let latin1 = try GettextCatalog(
            moData: MOBuilder.build(bytes: [
                (Array("".utf8), Array("Content-Type: text/plain; charset=ISO-8859-1\n".utf8)),
                (Array("ok".utf8), [0x64, 0xE9, 0x6A, 0xE0]),
            ]))
        #expect(latin1.translate("ok") == "déjà")
        // Without a header the text is ASCII, and a non-ASCII byte is an error, as in Python.
        #expect(throws: GettextError.self) { try GettextCatalog(moData: MOBuilder.build([("ok", "déjà")])) }
        let invalid: [[UInt8]] = [[0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xFF]]
        for bytes in invalid {
            #expect(throws: GettextError.self) {
                try GettextCatalog(
                    moData: MOBuilder.build(bytes: [
                        (Array("".utf8), Array("Content-Type: text/plain; charset=UTF-8\n".utf8)),
                        (Array("a".utf8), bytes),
                    ]))
            }
        }
        for header in ["Content-Type: text/plain; charset=CHARSET\n", "Content-Type: text/plain\n"] {
            #expect(throws: GettextError.self) {
                try GettextCatalog(moData: MOBuilder.build([("", header), ("a", "b")]))
            }
        }
    }
}

/// A small deterministic generator (SplitMix64), for the mutation test.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("GettextCatalog: malformed .mo data")
struct GettextHostileTests {
    static let valid = MOBuilder.build(RussianCatalog.entries)

    /// Each is refused by Python's GNUTranslations too.
    @Test func refused() {
        let magic: UInt32 = 0x9504_12de
        var endsAtLastByte = MOBuilder.words([magic, 0, 1, 28, 36, 0, 0, 1, 44, 1, 44])
        endsAtLastByte.append(contentsOf: Array("a".utf8))
        var twoNULs = MOBuilder.build([("a\0b\0c", "x")])
        twoNULs.append(0)
        let cases: [(String, Data)] = [
            ("empty", Data()),
            ("three bytes", Data([0xDE, 0x12, 0x04])),
            ("bad magic", MOBuilder.words([0x1234_5678, 0, 0, 28, 28])),
            ("truncated header", Data(MOBuilder.words([magic, 0, 0, 28, 28]).prefix(19))),
            ("revision 2", MOBuilder.words([magic, 0x0002_0000, 0, 28, 28])),
            ("huge count", MOBuilder.words([magic, 0, 0xFFFF_FFFF, 20, 20])),
            ("huge count, big-endian", MOBuilder.words([magic, 0, 0xFFFF_FFFF, 20, 20], bigEndian: true)),
            ("table past the end", MOBuilder.words([magic, 0, 2, 28, 0xFFFF_FFF0, 0, 0, 0, 0])),
            (
                "offset past the end",
                MOBuilder.words([magic, 0, 1, 28, 36, 0, 0, 1, 0xFFFF_FFFF, 1, 44]) + Data([0x61, 0])
            ),
            (
                "length past the end",
                MOBuilder.words([magic, 0, 1, 28, 36, 0, 0, 0xFFFF_FFFF, 44, 1, 44]) + Data([0x61, 0])
            ),
            ("a string ending at the last byte", endsAtLastByte),
            ("two NULs in a msgid", MOBuilder.build([("a\0b\0c", "x")])),
            ("bad plural expression", MOBuilder.build([("", "Plural-Forms: nplurals=2; plural=n/;\n")])),
            ("Plural-Forms without plural=", MOBuilder.build([("", "Plural-Forms: nplurals=2; n != 1;\n")])),
            ("Plural-Forms without ;", MOBuilder.build([("", "Plural-Forms: plural=n != 1\n")])),
            (
                "a plural expression nested 10,000 deep",
                MOBuilder.build([
                    ("", "Plural-Forms: nplurals=2; plural=" + String(repeating: "(", count: 10_000) + "n" + ";\n")
                ])
            ),
        ]
        for (name, data) in cases {
            #expect(throws: GettextError.self, "\(name)") { try GettextCatalog(moData: data) }
        }
    }

    /// Python reads these; so does the catalog.
    @Test func tolerated() throws {
        // Both tables at the same place: every msgid is its own translation (and the header, empty,
        // names no charset: ASCII).
        var data = MOBuilder.build([("", "Content-Type: text/plain; charset=UTF-8\n"), ("Not found.", "Не найдено.")])
        data.replaceSubrange(16..<20, with: MOBuilder.words([28]))
        let overlapping = try GettextCatalog(moData: data)
        #expect(overlapping.translate("Not found.") == "Not found.")
        // No entries at all.
        let empty = try GettextCatalog(moData: MOBuilder.words([0x9504_12de, 0, 0, 0xFFFF_FFFF, 0xFFFF_FFFF]))
        #expect(empty.messageCount == 0)
        #expect(empty.isEmptyForPython)
        // Division by zero in the plural rule: Python raises on lookup; form 0 here.
        let zero = try GettextCatalog(
            moData: MOBuilder.build([("", "Plural-Forms: nplurals=2; plural=n/0;\n"), ("a\0as", "x\0y")]))
        #expect(zero.translatePlural("a", "as", count: 5) == "x")
    }

    /// 10,000 entries that all point at the same 64 KiB string: Python reads 1.3 GB for them; the
    /// catalog refuses once it would read 16 times the data.
    @Test func overlapIsBounded() {
        let count = 10_000
        let stringStart = 28 + 16 * count
        var words: [UInt32] = [0x9504_12de, 0, UInt32(count), 28, UInt32(28 + 8 * count), 0, 0]
        for _ in 0..<(2 * count) { words += [1 << 16, UInt32(stringStart)] }
        var data = MOBuilder.words(words)
        data.append(Data(repeating: 0x61, count: (1 << 16) + 1))
        #expect(throws: GettextError.excessiveOverlap) { try GettextCatalog(moData: data) }
        // The same string once is fine.
        var once = MOBuilder.words([0x9504_12de, 0, 1, 28, 36, 0, 0, 1 << 16, 44, 1 << 16, 44])
        once.append(Data(repeating: 0x61, count: (1 << 16) + 1))
        #expect(throws: Never.self) { try GettextCatalog(moData: once) }
    }

    /// Random corruption of a valid file: an error or an answer, never a crash or a hang.
    @Test func mutations() {
        var random = SplitMix64(state: 42)
        let original = [UInt8](Self.valid)
        for round in 0..<3_000 {
            var bytes = original
            switch round % 4 {
            case 0:
                bytes.removeLast(Int.random(in: 0..<bytes.count, using: &random))
            case 1:
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            case 2:
                let word = Int.random(in: 1..<11, using: &random) * 4
                let value = [
                    0, 1, 0xFFFF_FFFF, 0x7FFF_FFFF, UInt32(bytes.count), UInt32.random(in: 0...1000, using: &random),
                ]
                .randomElement(using: &random)!
                bytes.replaceSubrange(word..<(word + 4), with: MOBuilder.words([value]))
            default:
                bytes[Int.random(in: 28..<bytes.count, using: &random)] = [0, 0x0A, 0x80, 0xFF].randomElement(
                    using: &random)!
            }
            if let catalog = try? GettextCatalog(moData: Data(bytes)) {
                _ = catalog.translate("Not found.")
                _ = catalog.translatePlural("%d file", "%d files", count: 5)
            }
        }
    }
}

@Suite("GettextCatalog: .po text, as GNU msgfmt compiles it")
struct GettextPOTests {
    static let polish = #"""
        # Translator comment
        #: file.py:1
        msgid ""
        msgstr ""
        "Project-Id-Version: test\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Plural-Forms: nplurals=3; plural=(n==1 ? 0 : "
        "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

        msgid "Hello"
        msgstr "Cześć"

        msgid ""
        "Multi "
        "line"
        msgstr ""
        "Wiele "
        "linii"

        msgctxt "menu"
        msgid "Open"
        msgstr "Otwórz"

        msgid "Escapes \"q\" \\ \t"
        msgstr "Tab\there \"q\" back\\slash new\nline \101\x42 \303\263 \a\b\f\v\r"

        #, fuzzy
        msgid "Fuzzy"
        msgstr "Rozmyte"

        #, python-format, fuzzy
        msgid "Fuzzy too"
        msgstr "Też"

        msgid "Untranslated"
        msgstr ""

        msgid "%d file"
        msgid_plural "%d files"
        msgstr[0] "%d plik"
        msgstr[1] "%d pliki"
        msgstr[2] "%d plików"

        msgid "%d dir"
        msgid_plural "%d dirs"
        msgstr[0] ""
        msgstr[1] "%d katalogi"
        msgstr[2] "%d katalogów"

        #~ msgid "Obsolete"
        #~ msgstr "Przestarzałe"
        """#

    /// Python's `ngettext("%d file", "%d files", n)` on msgfmt's output, for `PluralRules.counts`.
    static let files = [
        "%d plików", "%d plik", "%d pliki", "%d pliki", "%d plików", "%d plików", "%d plików", "%d plików",
        "%d pliki", "%d plików", "%d plików", "%d plików",
    ]

    @Test("LF and CRLF line ends", arguments: ["\n", "\r\n"])
    func compiles(lineEnd: String) throws {
        let catalog = try GettextCatalog(poText: Self.polish.replacingOccurrences(of: "\n", with: lineEnd))
        #expect(catalog.translate("Hello") == "Cześć")
        #expect(catalog.translate("Multi line") == "Wiele linii")
        #expect(catalog.translate("Open", context: "menu") == "Otwórz")
        #expect(catalog.translate("Open") == nil)
        #expect(
            catalog.translate("Escapes \"q\" \\ \t")
                == "Tab\there \"q\" back\\slash new\nline AB ó \u{7}\u{8}\u{C}\u{B}\r")
        for untranslated in ["Fuzzy", "Fuzzy too", "Untranslated", "Obsolete", "%d dir"] {
            #expect(catalog.translate(untranslated) == nil, "\(untranslated)")
        }
        #expect(PluralRules.counts.map { catalog.translatePlural("%d file", "%d files", count: $0) } == Self.files)
        #expect(catalog.headers["project-id-version"] == "test")
        #expect(catalog.messageCount == 5)
    }

    @Test func fuzzyHeaderIsKept() throws {
        let catalog = try GettextCatalog(
            poText: #"""
                #, fuzzy
                msgid ""
                msgstr ""
                "Content-Type: text/plain; charset=UTF-8\n"
                "Plural-Forms: nplurals=2; plural=(n > 1);\n"

                msgid "%d file"
                msgid_plural "%d files"
                msgstr[0] "%d fichier"
                msgstr[1] "%d fichiers"
                """#)
        #expect(
            [0, 1, 2].map { catalog.translatePlural("%d file", "%d files", count: $0) } == [
                "%d fichier", "%d fichier", "%d fichiers",
            ])
    }

    /// Each is rejected by GNU msgfmt too.
    @Test func refused() {
        let texts = [
            "msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"a\"\nmsgstr \"c\"\n",
            "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[1] \"b\"\nmsgstr[0] \"c\"\n",
            "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\nmsgstr[2] \"c\"\n",
            "msgid \"a\"\n",
            "msgid \"a\" x\nmsgstr \"b\"\n",
            "msgid \"a\\q\"\nmsgstr \"b\"\n",
            "msgid \"a\nmsgstr \"b\"\n",
            "msgword \"a\"\nmsgstr \"b\"\n",
            "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr \"b\"\n",
            "msgid \"a\"\nmsgstr[0] \"b\"\n",
            "\"a\"\nmsgid \"a\"\nmsgstr \"b\"\n",
            "msgctxt \"c\"\nmsgctxt \"d\"\nmsgid \"a\"\nmsgstr \"b\"\n",
            "msgid \"a\"\nmsgstr \"\\xZZ\"\n",
            "msgctxt \"c\"\nmsgid \"a\"\nmsgstr \"b\"\n\nmsgctxt \"c\"\nmsgid \"a\"\nmsgstr \"d\"\n",
            "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=n+;\\n\"\n",
        ]
        for text in texts {
            #expect(throws: GettextError.self, "\(text)") { try GettextCatalog(poText: text) }
        }
        // The same msgid in two contexts, or with and without one, is no duplicate.
        #expect(throws: Never.self) {
            try GettextCatalog(poText: "msgctxt \"c\"\nmsgid \"a\"\nmsgstr \"b\"\n\nmsgid \"a\"\nmsgstr \"d\"\n")
        }
    }
}

/// The catalogs of `DjangoFixture`, in memory.
enum FixtureCatalogs {
    static func catalog(_ text: String) throws -> GettextCatalog {
        // An empty text stands for a .mo file without entries (msgfmt writes none for an empty .po).
        text.isEmpty
            ? try GettextCatalog(moData: MOBuilder.words([0x9504_12de, 0, 0, 28, 28, 0, 0]))
            : try GettextCatalog(poText: text)
    }

    static func localeCatalogs() throws -> [[String: GettextCatalog]] {
        try DjangoFixture.directories.map { try $0.mapValues(catalog) }
    }

    /// Header-only catalogs with the plural rules of Django's own catalogs (their messages are not
    /// the fixture's, so only the rules matter).
    static func djangoCatalogs() throws -> [String: GettextCatalog] {
        try DjangoFixture.djangoPluralForms.mapValues { rule in
            var header = "Content-Type: text/plain; charset=UTF-8\\n"
            if let rule { header += "Plural-Forms: \(rule)\\n" }
            return try GettextCatalog(poText: "msgid \"\"\nmsgstr \"\(header)\"\n")
        }
    }

    static let languages = ["ru", "pt-br", "de", "en", "fr"]
}

@Suite("CatalogSet: catalogs merged as Django merges LOCALE_PATHS")
struct CatalogSetTests {
    static func check(_ set: CatalogSet) throws {
        for row in DjangoFixture.gettextAnswers {
            let translation = try #require(set.translation(for: row.language))
            #expect(translation.gettext(row.message) == row.answer, "\(row.language) \(row.message)")
        }
        for row in DjangoFixture.ngettextAnswers {
            let translation = try #require(set.translation(for: row.language))
            let answers = DjangoFixture.counts.map { translation.ngettext(row.singular, row.plural, $0) }
            #expect(answers == row.answers, "\(row.language) \(row.singular)")
        }
        for row in DjangoFixture.contextAnswers {
            let translation = try #require(set.translation(for: row.language))
            let parts = row.message.split(separator: "|").map(String.init)
            let answer =
                parts.count == 2
                ? translation.npgettext(row.context, parts[0], parts[1], 3)
                : translation.pgettext(row.context, row.message)
            #expect(answer == row.answer, "\(row.language) \(row.context) \(row.message)")
        }
    }

    @Test func inMemory() throws {
        let set = try CatalogSet(
            localeCatalogs: FixtureCatalogs.localeCatalogs(), languages: FixtureCatalogs.languages,
            languageCode: "en-us", djangoCatalogs: FixtureCatalogs.djangoCatalogs())
        try Self.check(set)
        #expect(set.languages == ["de", "en", "en-us", "fr", "pt-br", "ru"])
        #expect(set.translation(for: "pt_BR")?.language == "pt-br")
        #expect(set.translation(for: "it") == nil)
    }

    /// The same catalogs as `.mo` files in locale directories, beside files Django does not read.
    @Test func fromFiles() throws {
        let manager = FileManager.default
        let root = manager.temporaryDirectory.appendingPathComponent("catalogset-\(UUID().uuidString)")
        defer { try? manager.removeItem(at: root) }
        func write(_ data: Data, _ path: String) throws {
            let url = root.appendingPathComponent(path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        let locale = try FixtureCatalogs.localeCatalogs()
        for (index, directory) in locale.enumerated() {
            for (folder, catalog) in directory {
                let data =
                    catalog.isEmptyForPython
                    ? MOBuilder.words([0x9504_12de, 0, 0, 28, 28, 0, 0]) : MOBuilder.build(catalog)
                try write(data, "\(index)/\(folder)/LC_MESSAGES/django.mo")
            }
        }
        for (folder, catalog) in try FixtureCatalogs.djangoCatalogs() {
            try write(MOBuilder.build(catalog), "django/\(folder)/LC_MESSAGES/django.mo")
        }
        // Django reads django.mo only: not the JavaScript catalog, nor a partial download.
        let decoy = MOBuilder.build([("Fixture login", "decoy"), ("Fixture shared", "decoy")])
        try write(decoy, "1/ru/LC_MESSAGES/djangojs.mo")
        try write(Data(), "1/ru/LC_MESSAGES/.!65629!django.mo")
        try write(decoy, "1/de/LC_MESSAGES/django.po")
        try write(Data(), "1/notes.txt")
        let paths =
            (0..<locale.count).map { root.appendingPathComponent("\($0)") } + [root.appendingPathComponent("missing")]
        let set = try CatalogSet(
            localePaths: paths, languages: FixtureCatalogs.languages, languageCode: "en-us",
            djangoLocalePath: root.appendingPathComponent("django"))
        try Self.check(set)
        #expect(set.hasCatalog(for: "ru"))
        #expect(set.hasCatalog(for: "ru-RU"))
        #expect(set.hasCatalog(for: "de-at"))
        #expect(set.hasCatalog(for: "pt"))
        #expect(!set.hasCatalog(for: "it"))
        #expect(!set.hasCatalog(for: "pt_BR"))  // not a language code

        // A catalog that does not parse is an error when its language is built, as in Django.
        try write(Data([1, 2, 3]), "2/ga/LC_MESSAGES/django.mo")
        #expect(throws: GettextError.self) {
            try CatalogSet(localePaths: paths, languages: ["ga"], languageCode: "en-us")
        }
        #expect(throws: Never.self) { try CatalogSet(localePaths: paths, languages: ["de"], languageCode: "en-us") }
    }

    @Test func defaultLanguageNeedsACatalog() throws {
        #expect(throws: GettextError.noCatalogForDefaultLanguage("it")) {
            try CatalogSet(localeCatalogs: FixtureCatalogs.localeCatalogs(), languages: ["de"], languageCode: "it")
        }
        // Without Django's own catalogs, the first merged catalog is the last LOCALE_PATHS folder's.
        let set = try CatalogSet(
            localeCatalogs: FixtureCatalogs.localeCatalogs(), languages: ["ru"], languageCode: "en-us")
        #expect(set.translation(for: "ru")?.gettext("Fixture login") == "B ru login")
    }
}

/// Catalogs and answers of scripts run against Django 5.2 in development: these `.po` texts,
/// compiled with GNU msgfmt into LOCALE_PATHS folders (Django's own catalogs merged first, as
/// always), and what `django.utils.translation` answered with LANGUAGE_CODE en-us.
enum DjangoFixture {
    static let counts = [0, 1, 2, 3, 5, 8, 11, 12, 21, 22, 25, 101, 111]

    static func untranslated(_ singular: String, _ plural: String) -> [String] {
        counts.map { $0 == 1 ? singular : plural }
    }

    /// The fixture directories, in LOCALE_PATHS order: locale folder and `.po` text (an empty
    /// text stands for a `.mo` file without entries).
    static let directories: [[String: String]] = [
        [
            "ru_RU": #"""
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=UTF-8\n"
            "Plural-Forms: nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 "
            ": n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : "
            "n%10==0 || (n%10>=5 && n%10<=9) || (n%100>=11 && "
            "n%100<=14)? 2 : 3);\n"

            msgid "Fixture login2"
            msgstr "A ru_RU login2"

            msgid "Fixture %d file"
            msgid_plural "Fixture %d files"
            msgstr[0] "A ru_RU %d file 0"
            msgstr[1] "A ru_RU %d file 1"
            msgstr[2] "A ru_RU %d file 2"
            msgstr[3] "A ru_RU %d file 3"
            """#,
            "ru": #"""
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=UTF-8\n"
            "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 "
            ": n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

            msgid "Fixture login"
            msgstr "A ru login"

            msgid "Fixture only in A ru"
            msgstr "A ru only"
            """#,
            "pt_BR": #"""
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=UTF-8\n"
            "Plural-Forms: nplurals=2; plural=(n > 1);\n"

            msgid "Fixture login"
            msgstr "A pt_BR login"
            """#,
            "pt": #"""
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=UTF-8\n"
            "Plural-Forms: nplurals=2; plural=(n != 1);\n"

            msgid "Fixture pt only"
            msgstr "A pt only"

            msgid "Fixture login"
            msgstr "A pt login"
            """#,
            "de": #"""
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=UTF-8\n"
            "Plural-Forms: nplurals=2; plural=(n != 1);\n"

            msgid "Fixture shared"
            msgstr "A de shared"

            msgctxt "Fixture menu"
            msgid "Fixture Open"
            msgstr "A de Öffnen (Menü)"

            msgid "Fixture %d file"
            msgid_plural "Fixture %d files"
            msgstr[0] "A de %d Datei"
            msgstr[1] "A de %d Dateien"
            """#,
            "en": #"""
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=UTF-8\n"
            "Plural-Forms: nplurals=2; plural=(n != 1);\n"

            msgid "Fixture English"
            msgstr "A en English"
            """#,
        ],
        [
            "ru": #"""
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=UTF-8\n"
            "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 "
            ": n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

            msgid "Fixture login"
            msgstr "B ru login"

            msgid "Fixture login2"
            msgstr "B ru login2"

            msgid "Fixture %d item"
            msgid_plural "Fixture %d items"
            msgstr[0] "B ru %d item 0"
            msgstr[1] "B ru %d item 1"
            msgstr[2] "B ru %d item 2"
            """#,
            "de": #"""
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=UTF-8\n"
            "Plural-Forms: nplurals=2; plural=(n != 1);\n"

            msgid "Fixture shared"
            msgstr "B de shared"

            msgid "Fixture\nline"
            msgstr "B de Zeile"

            #, fuzzy
            msgid "Fixture fuzzy"
            msgstr "B de fuzzy"

            msgid "Fixture empty"
            msgstr ""
            """#,
        ],
        [
            "ru_RU": #"""
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=UTF-8\n"
            "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 "
            ": n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

            msgid "Fixture token invalid"
            msgstr "C ru_RU token"
            """#
        ],
        [
            "ru_RU": "",
            "ru": #"""
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=UTF-8\n"
            "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 "
            ": n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

            msgid "Fixture D ru"
            msgstr "D ru"
            """#,
        ],
    ]

    /// `Plural-Forms` of Django's own catalogs (django/conf/locale), which Django merges first.
    static let djangoPluralForms: [String: String?] = [
        "ru":
            "nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 "
            + "|| n%100>14) ? 1 : n%10==0 || (n%10>=5 && n%10<=9) || (n%100>=11 && n%100<=14)? "
            + "2 : 3);",
        "pt_BR":
            "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;",
        "pt":
            "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;",
        "de":
            "nplurals=2; plural=(n != 1);",
        "en":
            nil,
        "fr":
            "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;",
    ]

    /// Django 5.2's `gettext` over the fixture directories.
    static let gettextAnswers: [(language: String, message: String, answer: String)] = [
        ("ru", "Fixture login", "B ru login"),
        ("ru", "Fixture login2", "A ru_RU login2"),
        ("ru", "Fixture only in A ru", "A ru only"),
        ("ru", "Fixture token invalid", "C ru_RU token"),
        ("ru", "Fixture D ru", "Fixture D ru"),
        ("ru", "Fixture pt only", "Fixture pt only"),
        ("ru", "Fixture shared", "Fixture shared"),
        ("ru", "Fixture English", "A en English"),
        ("ru", "Fixture\r\nline", "Fixture\nline"),
        ("ru", "Fixture fuzzy", "Fixture fuzzy"),
        ("ru", "Fixture empty", "Fixture empty"),
        ("ru", "Fixture %d item", "B ru %d item 0"),
        ("ru", "Fixture %d file", "A ru_RU %d file 0"),
        ("ru", "Fixture nothing", "Fixture nothing"),
        ("pt-br", "Fixture login", "A pt_BR login"),
        ("pt-br", "Fixture login2", "Fixture login2"),
        ("pt-br", "Fixture only in A ru", "Fixture only in A ru"),
        ("pt-br", "Fixture token invalid", "Fixture token invalid"),
        ("pt-br", "Fixture D ru", "Fixture D ru"),
        ("pt-br", "Fixture pt only", "A pt only"),
        ("pt-br", "Fixture shared", "Fixture shared"),
        ("pt-br", "Fixture English", "A en English"),
        ("pt-br", "Fixture\r\nline", "Fixture\nline"),
        ("pt-br", "Fixture fuzzy", "Fixture fuzzy"),
        ("pt-br", "Fixture empty", "Fixture empty"),
        ("pt-br", "Fixture %d item", "Fixture %d item"),
        ("pt-br", "Fixture %d file", "Fixture %d file"),
        ("pt-br", "Fixture nothing", "Fixture nothing"),
        ("de", "Fixture login", "Fixture login"),
        ("de", "Fixture login2", "Fixture login2"),
        ("de", "Fixture only in A ru", "Fixture only in A ru"),
        ("de", "Fixture token invalid", "Fixture token invalid"),
        ("de", "Fixture D ru", "Fixture D ru"),
        ("de", "Fixture pt only", "Fixture pt only"),
        ("de", "Fixture shared", "A de shared"),
        ("de", "Fixture English", "A en English"),
        ("de", "Fixture\r\nline", "B de Zeile"),
        ("de", "Fixture fuzzy", "Fixture fuzzy"),
        ("de", "Fixture empty", "Fixture empty"),
        ("de", "Fixture %d item", "Fixture %d item"),
        ("de", "Fixture %d file", "A de %d Datei"),
        ("de", "Fixture nothing", "Fixture nothing"),
        ("en", "Fixture login", "Fixture login"),
        ("en", "Fixture login2", "Fixture login2"),
        ("en", "Fixture only in A ru", "Fixture only in A ru"),
        ("en", "Fixture token invalid", "Fixture token invalid"),
        ("en", "Fixture D ru", "Fixture D ru"),
        ("en", "Fixture pt only", "Fixture pt only"),
        ("en", "Fixture shared", "Fixture shared"),
        ("en", "Fixture English", "A en English"),
        ("en", "Fixture\r\nline", "Fixture\nline"),
        ("en", "Fixture fuzzy", "Fixture fuzzy"),
        ("en", "Fixture empty", "Fixture empty"),
        ("en", "Fixture %d item", "Fixture %d item"),
        ("en", "Fixture %d file", "Fixture %d file"),
        ("en", "Fixture nothing", "Fixture nothing"),
        ("fr", "Fixture login", "Fixture login"),
        ("fr", "Fixture login2", "Fixture login2"),
        ("fr", "Fixture only in A ru", "Fixture only in A ru"),
        ("fr", "Fixture token invalid", "Fixture token invalid"),
        ("fr", "Fixture D ru", "Fixture D ru"),
        ("fr", "Fixture pt only", "Fixture pt only"),
        ("fr", "Fixture shared", "Fixture shared"),
        ("fr", "Fixture English", "A en English"),
        ("fr", "Fixture\r\nline", "Fixture\nline"),
        ("fr", "Fixture fuzzy", "Fixture fuzzy"),
        ("fr", "Fixture empty", "Fixture empty"),
        ("fr", "Fixture %d item", "Fixture %d item"),
        ("fr", "Fixture %d file", "Fixture %d file"),
        ("fr", "Fixture nothing", "Fixture nothing"),
    ]

    /// Django 5.2's `ngettext` over the fixture directories, for `counts`.
    static let ngettextAnswers: [(language: String, singular: String, plural: String, answers: [String])] = [
        (
            "ru", "Fixture %d file", "Fixture %d files",
            [
                "A ru_RU %d file 2", "A ru_RU %d file 0", "A ru_RU %d file 1", "A ru_RU %d file 1", "A ru_RU %d file 2",
                "A ru_RU %d file 2", "A ru_RU %d file 2", "A ru_RU %d file 2", "A ru_RU %d file 0", "A ru_RU %d file 1",
                "A ru_RU %d file 2", "A ru_RU %d file 0", "A ru_RU %d file 2",
            ]
        ),
        (
            "ru", "Fixture %d item", "Fixture %d items",
            [
                "B ru %d item 2", "B ru %d item 0", "B ru %d item 1", "B ru %d item 1", "B ru %d item 2",
                "B ru %d item 2", "B ru %d item 2", "B ru %d item 2", "B ru %d item 0", "B ru %d item 1",
                "B ru %d item 2", "B ru %d item 0", "B ru %d item 2",
            ]
        ),
        ("pt-br", "Fixture %d file", "Fixture %d files", untranslated("Fixture %d file", "Fixture %d files")),
        ("pt-br", "Fixture %d item", "Fixture %d items", untranslated("Fixture %d item", "Fixture %d items")),
        (
            "de", "Fixture %d file", "Fixture %d files",
            [
                "A de %d Dateien", "A de %d Datei", "A de %d Dateien", "A de %d Dateien", "A de %d Dateien",
                "A de %d Dateien", "A de %d Dateien", "A de %d Dateien", "A de %d Dateien", "A de %d Dateien",
                "A de %d Dateien", "A de %d Dateien", "A de %d Dateien",
            ]
        ),
        ("de", "Fixture %d item", "Fixture %d items", untranslated("Fixture %d item", "Fixture %d items")),
        ("en", "Fixture %d file", "Fixture %d files", untranslated("Fixture %d file", "Fixture %d files")),
        ("en", "Fixture %d item", "Fixture %d items", untranslated("Fixture %d item", "Fixture %d items")),
        ("fr", "Fixture %d file", "Fixture %d files", untranslated("Fixture %d file", "Fixture %d files")),
        ("fr", "Fixture %d item", "Fixture %d items", untranslated("Fixture %d item", "Fixture %d items")),
    ]

    /// Django 5.2's `pgettext` and `npgettext` (count 3) over the fixture directories.
    static let contextAnswers: [(language: String, context: String, message: String, answer: String)] = [
        ("ru", "Fixture menu", "Fixture Open", "Fixture Open"),
        ("ru", "Fixture other", "Fixture shared", "Fixture shared"),
        ("ru", "Fixture menu", "Fixture %d file|Fixture %d files", "A ru_RU %d file 1"),
        ("pt-br", "Fixture menu", "Fixture Open", "Fixture Open"),
        ("pt-br", "Fixture other", "Fixture shared", "Fixture shared"),
        ("pt-br", "Fixture menu", "Fixture %d file|Fixture %d files", "Fixture %d files"),
        ("de", "Fixture menu", "Fixture Open", "A de Öffnen (Menü)"),
        ("de", "Fixture other", "Fixture shared", "Fixture shared"),
        ("de", "Fixture menu", "Fixture %d file|Fixture %d files", "A de %d Dateien"),
        ("en", "Fixture menu", "Fixture Open", "Fixture Open"),
        ("en", "Fixture other", "Fixture shared", "Fixture shared"),
        ("en", "Fixture menu", "Fixture %d file|Fixture %d files", "Fixture %d files"),
        ("fr", "Fixture menu", "Fixture Open", "Fixture Open"),
        ("fr", "Fixture other", "Fixture shared", "Fixture shared"),
        ("fr", "Fixture menu", "Fixture %d file|Fixture %d files", "Fixture %d files"),
    ]
}
