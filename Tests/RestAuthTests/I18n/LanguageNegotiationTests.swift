import Foundation
import Testing

@testable import RestAuth

// Expected values: what Django 5.2 (django.utils.translation.trans_real) answered for the same
// settings and requests in the development runs. Every language these settings offer has a catalog
// in the conformance suite's LOCALE_PATHS except "xx", so `catalogExists` says so.

@Suite("LanguageNegotiation: the language of a request, as Django's LocaleMiddleware picks it")
struct LanguageNegotiationTests {
    static let longWithComma =
        "fr;q=0.9, " + String(repeating: "x", count: 480) + ", de, " + String(repeating: "y", count: 200)
    static let longWithoutComma = "de-" + String(repeating: "a", count: 600)
    /// Exactly 500 characters, Django's limit.
    static let atTheLimit = "it, " + String(repeating: "de;q=0.5, ", count: 49) + "es-419"

    static func check(
        _ negotiation: LanguageNegotiation,
        _ rows: [(cookie: String?, header: String?, activated: String, language: String)]
    ) {
        for row in rows {
            let header = row.header.map { String($0.prefix(30)) } ?? "nil"
            let cookie = row.cookie.map { String($0.prefix(30)) } ?? "nil"
            #expect(
                negotiation.languageFromRequest(cookie: row.cookie, acceptLanguage: row.header) == row.activated,
                "cookie \(cookie), header \(header)")
            #expect(
                negotiation.language(cookie: row.cookie, acceptLanguage: row.header) == row.language,
                "cookie \(cookie), header \(header)")
        }
    }

    /// The conformance suite's i18n profile (its ACCEPT_LANGUAGE and LANGUAGE_COOKIE tables first):
    /// the cookie before the header, q-values, a region's variant falling to its language (de-AT to
    /// de), a language to the variant offered (pt to pt-br), `*`, malformed and over-long headers,
    /// and LANGUAGE_CODE for the rest.
    @Test func suiteProfile() {
        let negotiation = LanguageNegotiation(
            languages: ["en", "de", "fr", "es", "pt-br", "ru"], languageCode: "en-us")
        Self.check(negotiation, Self.suite)
    }

    /// LANG_INFO fallbacks (zh-hk to zh-hant), generic codes, the first variant offered, and a
    /// language offered without a catalog ("xx"), which is passed over.
    @Test func variants() {
        let negotiation = LanguageNegotiation(
            languages: ["en", "de-at", "pt-br", "pt-pt", "zh-hant", "sr-latn", "xx", "es-419"], languageCode: "en-us",
            catalogExists: { !$0.lowercased().hasPrefix("xx") })
        Self.check(negotiation, Self.variants)
    }

    /// A LANGUAGE_CODE that LANGUAGES does not offer is answered as it is.
    @Test func unlistedDefault() {
        Self.check(LanguageNegotiation(languages: ["de", "fr"], languageCode: "it"), Self.unlistedDefault)
    }

    @Test func parsesAcceptLanguage() {
        for row in Self.parsed {
            let entries = LanguageNegotiation.parseAcceptLanguage(row.header)
            #expect(entries == row.entries.map { AcceptLanguageEntry(language: $0.0, quality: $0.1) }, "\(row.header)")
        }
        // Over 500 characters: up to the last comma within the limit, or nothing.
        // (What is left here holds a range of 480 letters: it does not parse.)
        #expect(LanguageNegotiation.parseAcceptLanguage(Self.longWithComma).isEmpty)
        #expect(LanguageNegotiation.parseAcceptLanguage(String(repeating: "de;q=0.5, ", count: 52)).count == 50)
        #expect(LanguageNegotiation.parseAcceptLanguage(Self.longWithoutComma).isEmpty)
        #expect(LanguageNegotiation.parseAcceptLanguage(Self.atTheLimit).count == 51)
        #expect(LanguageNegotiation.parseAcceptLanguage(Self.atTheLimit + "x").count == 50)
    }

    @Test func codesAndLocales() {
        for row in Self.codes {
            #expect(LanguageNegotiation.toLocale(row.code) == row.locale, "\(row.code)")
            #expect(LanguageNegotiation.toLanguage(row.code) == row.language, "\(row.code)")
            #expect(LanguageNegotiation.isLanguageCode(row.code) == row.isCode, "\(row.code)")
            #expect(GettextLocale.searchOrder(LanguageNegotiation.toLocale(row.code)) == row.searchOrder, "\(row.code)")
        }
    }

    @Test func supportedVariants() {
        let negotiation = LanguageNegotiation(languages: ["en", "de", "pt-br"], languageCode: "en-us")
        #expect(negotiation.supportedLanguageVariant("de-at") == "de")
        #expect(negotiation.supportedLanguageVariant("pt") == "pt-br")
        #expect(negotiation.supportedLanguageVariant("pt", strict: true) == nil)
        #expect(negotiation.supportedLanguageVariant("it") == nil)
        #expect(negotiation.supportedLanguageVariant(nil) == nil)
        #expect(negotiation.supportedLanguageVariant("") == nil)
        // Over 500 characters: cut at the last "-" within the limit (not when strict).
        let long = "de-" + String(repeating: "x", count: 498) + "-y"
        #expect(negotiation.supportedLanguageVariant(long) == "de")
        #expect(negotiation.supportedLanguageVariant(long, strict: true) == nil)
        #expect(LanguageNegotiation().languages.count == 99)
        #expect(LanguageNegotiation(languages: ["DE", "de", "Pt-BR"]).languages == ["de", "pt-br"])
    }

    /// Django 5.2 with LANGUAGES ['en', 'de', 'fr', 'es', 'pt-br', 'ru'], LANGUAGE_CODE 'en-us'.
    static let suite: [(cookie: String?, header: String?, activated: String, language: String)] = [
        (nil, nil, "en", "en"),
        (nil, "de", "de", "de"),
        (nil, "de-AT", "de", "de"),
        (nil, "DE-at", "de", "de"),
        (nil, "es-419", "es", "es"),
        (nil, "ru-RU", "ru", "ru"),
        (nil, "pt", "pt-br", "pt-br"),
        (nil, "pt-PT", "pt-br", "pt-br"),
        (nil, "fr;q=0.5, de;q=0.9, en;q=0.1", "de", "de"),
        (nil, "fr;q=0.5, de;q=0.5", "fr", "fr"),
        (nil, "it, de;q=0.5", "de", "de"),
        (nil, "de;q=0", "de", "de"),
        (nil, "it", "en", "en"),
        (nil, "en-GB", "en", "en"),
        (nil, "*", "en", "en"),
        (nil, "*, de", "en", "en"),
        (nil, "de;q=1.5, fr", "en", "en"),
        ("fr", "de", "fr", "fr"),
        ("de-at", "fr", "de", "de"),
        ("pt", nil, "pt-br", "pt-br"),
        ("en", "de", "en", "en"),
        ("it", "es", "es", "es"),
        ("DE", nil, "DE", "de"),
        ("pt-BR", "de", "pt-BR", "pt-br"),
        ("", "fr", "fr", "fr"),
        (String(repeating: "x", count: 501), "fr", "fr", "fr"),
        ("de-" + String(repeating: "x", count: 600), nil, "de", "de"),
        ("ru\n", "fr", "fr", "fr"),
        (nil, "de\n", "en", "en"),
        (nil, "de,\n", "de", "de"),
        (nil, "  de", "en", "en"),
        (nil, "de  ,  fr", "de", "de"),
        (nil, "de;q=0.5;q=0.4", "en", "en"),
        (nil, "de;Q=0.5, fr;q=0.6", "fr", "fr"),
        (nil, "fr;q=0.1234, de", "en", "en"),
        (nil, "fr;q=.5, de", "en", "en"),
        (nil, "fr;q=0., de;q=1.000", "de", "de"),
        (nil, "es-abcdefghi, de", "en", "en"),
        (nil, "abcdefghi, de", "en", "en"),
        (nil, "x-klingon, it, ru", "ru", "ru"),
        (nil, "de, , fr", "en", "en"),
        (nil, "é, de", "en", "en"),
        (nil, longWithComma, "en", "en"),
        (nil, longWithoutComma, "en", "en"),
        (nil, atTheLimit, "es", "es"),
        (nil, atTheLimit + "x", "de", "de"),
        (nil, "", "en", "en"),
        (nil, ",", "en", "en"),
        (nil, "zh-hant-tw, pt", "pt-br", "pt-br"),
    ]

    /// Django 5.2 with LANGUAGES ['en', 'de-at', 'pt-br', 'pt-pt', 'zh-hant', 'sr-latn', 'xx', 'es-419'],
    /// LANGUAGE_CODE 'en-us'.
    static let variants: [(cookie: String?, header: String?, activated: String, language: String)] = [
        (nil, "de", "de-at", "de-at"),
        (nil, "de-ch", "de-at", "de-at"),
        (nil, "pt", "pt-br", "pt-br"),
        (nil, "pt-ao", "pt-br", "pt-br"),
        (nil, "zh-hk", "zh-hant", "zh-hant"),
        (nil, "zh-tw", "zh-hant", "zh-hant"),
        (nil, "zh", "zh-hant", "zh-hant"),
        (nil, "sr", "sr-latn", "sr-latn"),
        (nil, "sr-latn-rs", "sr-latn", "sr-latn"),
        (nil, "xx", "en", "en"),
        (nil, "xx-yy, de", "de-at", "de-at"),
        (nil, "es", "es-419", "es-419"),
        (nil, "es-mx", "es-419", "es-419"),
        ("zh-HK", nil, "zh-hant", "zh-hant"),
        ("SR-LATN", nil, "SR-LATN", "sr-latn"),
        ("pt", nil, "pt-br", "pt-br"),
        ("xx", nil, "en", "en"),
    ]

    /// Django 5.2 with LANGUAGES ['de', 'fr'], LANGUAGE_CODE 'it'.
    static let unlistedDefault: [(cookie: String?, header: String?, activated: String, language: String)] = [
        (nil, nil, "it", "it"),
        (nil, "es", "it", "it"),
        ("es", "fr;q=0.1", "fr", "fr"),
    ]

    /// Django 5.2's parse_accept_lang_header.
    static let parsed: [(header: String, entries: [(String, Double)])] = [
        ("de", [("de", 1.0)]),
        ("de-AT, fr;q=0.8, *;q=0.1", [("de-at", 1.0), ("fr", 0.8), ("*", 0.1)]),
        ("fr;q=0.5, de;q=0.5, es", [("es", 1.0), ("fr", 0.5), ("de", 0.5)]),
        ("de;q=0.0", [("de", 0.0)]),
        ("de;q=1.0, fr;q=0.999", [("de", 1.0), ("fr", 0.999)]),
        ("de\n", []),
        ("de,\n", [("de", 1.0)]),
        ("de ;q=0.5", [("de", 0.5)]),
        ("de; q=0.5", [("de", 0.5)]),
        ("de;q = 0.5", []),
        ("de;q=0.5 , fr", [("fr", 1.0), ("de", 0.5)]),
        ("de_AT", []),
        ("de-", []),
        ("-de", []),
        ("de--at", []),
        ("es-419", [("es-419", 1.0)]),
        ("zh-Hant-TW", [("zh-hant-tw", 1.0)]),
        ("abcdefgh-12345678", [("abcdefgh-12345678", 1.0)]),
        ("abcdefghi", []),
        ("de;q=1.001", []),
        ("de;q=2", []),
        ("*", [("*", 1.0)]),
        ("*-de", []),
        ("de;x=1", []),
        ("", []),
        (" ", []),
        ("de, fr,", [("de", 1.0), ("fr", 1.0)]),
        (",de", []),
    ]

    /// Django's to_locale, to_language and language_code_re; Python's gettext.find order.
    static let codes: [(code: String, locale: String, language: String, isCode: Bool, searchOrder: [String])] = [
        ("pt-br", "pt_BR", "pt-br", true, ["pt_BR.ISO8859-1", "pt_BR", "pt.ISO8859-1", "pt"]),
        ("PT-BR", "pt_BR", "pt-br", true, ["pt_BR.ISO8859-1", "pt_BR", "pt.ISO8859-1", "pt"]),
        ("de", "de", "de", true, ["de_DE.ISO8859-1", "de_DE", "de.ISO8859-1", "de"]),
        ("DE", "de", "de", true, ["de_DE.ISO8859-1", "de_DE", "de.ISO8859-1", "de"]),
        ("sr-latn", "sr_Latn", "sr-latn", true, ["sr_Latn", "sr"]),
        ("zh-hant-tw", "zh_Hant-tw", "zh-hant-tw", true, ["zh_Hant-tw", "zh"]),
        ("es-419", "es_419", "es-419", true, ["es_419", "es"]),
        ("de-ch-1901", "de_CH-1901", "de-ch-1901", true, ["de_CH-1901", "de"]),
        ("ru", "ru", "ru", true, ["ru_RU.UTF-8", "ru_RU", "ru.UTF-8", "ru"]),
        ("en-us", "en_US", "en-us", true, ["en_US.ISO8859-1", "en_US", "en.ISO8859-1", "en"]),
        (
            "sr@latin", "sr@latin", "sr@latin", true,
            [
                "sr_RS.UTF-8@latin", "sr_RS@latin", "sr.UTF-8@latin", "sr@latin", "sr_RS.UTF-8", "sr_RS", "sr.UTF-8",
                "sr",
            ]
        ),
        (
            "ca@valencia", "ca@valencia", "ca@valencia", true,
            [
                "ca_ES.ISO8859-1@valencia", "ca_ES@valencia", "ca.ISO8859-1@valencia", "ca@valencia", "ca_ES.ISO8859-1",
                "ca_ES", "ca.ISO8859-1", "ca",
            ]
        ),
        ("pt_BR", "pt_BR", "pt-br", false, ["pt_BR.ISO8859-1", "pt_BR", "pt.ISO8859-1", "pt"]),
        ("ABCD", "abcD", "abcd", true, ["abcD"]),
        ("de-", "de-", "de-", false, ["de-"]),
        ("en-us\n", "en_Us\n", "en-us\n", true, ["en_Us\n", "en"]),
        ("de at", "de at", "de at", false, ["de at"]),
        ("\u{212A}o", "ko", "ko", true, ["ko_KR.eucKR", "ko_KR", "ko.eucKR", "ko"]),
    ]
}
