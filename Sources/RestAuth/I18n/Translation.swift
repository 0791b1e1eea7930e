import Foundation
import Vapor

/// The language a request is answered in, with the catalogs that translate into it: what
/// Django's `translation.activate` makes current for a request.
public struct Translation: Sendable {
    /// The language code as Django's `get_language()` gives it (`pt-br`): `Content-Language`.
    public let language: String
    /// The `LOCALE_PATHS` catalogs merged as Django merges them, if any are configured.
    let merged: DjangoTranslation?
    /// The package's own catalog for the language, if it has one.
    let own: DjangoTranslation?
    /// Whether the package's own catalog may translate messages Django's packages wrote (no
    /// `LOCALE_PATHS`): otherwise only the package's own messages, so a Django project's
    /// catalogs give exactly Django's words.
    let ownForAll: Bool

    /// English, untranslated: outside any request, and with `USE_I18N` off.
    public static let untranslated = Translation(language: "en-us", merged: nil, own: nil, ownForAll: false)

    /// The translation of the request whose work is running (bound by the package around each
    /// endpoint's work); English outside one.
    public static var current: Translation { Binding.current ?? .untranslated }

    enum Binding {
        @TaskLocal static var current: Translation?
    }

    /// Runs `work` with `self` as the current translation.
    public func activate<R>(_ work: () throws -> R) rethrows -> R {
        try Binding.$current.withValue(self, operation: work)
    }

    /// Runs asynchronous `work` with `self` as the current translation.
    public func activateAsync<R: Sendable>(_ work: () async throws -> R) async rethrows -> R {
        try await Binding.$current.withValue(self, operation: work)
    }

    /// `gettext`: the first catalog that has the message, else the message id.
    public func translate(_ message: LocalizedMessage) -> String {
        if let merged, let text = merged.lookup(message.key) { return text }
        if let own = own(for: message), let text = own.lookup(message.key) { return text }
        if let plural = message.plural { return translate(message, count: 1, english: plural) }
        return message.id
    }

    /// `ngettext`: the form for `count` by the rule of the catalog that has the message, else
    /// the English singular for 1 and the plural otherwise.
    public func translate(_ message: LocalizedMessage, count: Int) -> String {
        translate(message, count: count, english: message.plural ?? message.id)
    }

    /// The package's own catalog, where it may translate `message`.
    private func own(for message: LocalizedMessage) -> DjangoTranslation? {
        ownForAll || message.origin == .restAuth ? own : nil
    }

    private func translate(_ message: LocalizedMessage, count: Int, english: String) -> String {
        if let merged, let text = merged.lookupPlural(message.key, count) { return text }
        if let own = own(for: message), let text = own.lookupPlural(message.key, count) { return text }
        return count == 1 ? message.id : english
    }
}

/// The catalogs and the language settings, read once at boot: which language each request
/// gets, and its ``Translation``.
final class Translations: Sendable {
    let enabled: Bool
    let negotiation: LanguageNegotiation
    let cookieName: String
    /// One translation per language of `LANGUAGES` (and `LANGUAGE_CODE`), by `to_language` code.
    private let byLanguage: [String: Translation]
    private let fallback: Translation

    init(configuration: RestAuthConfiguration) throws {
        enabled = configuration.useI18N
        cookieName = configuration.languageCookieName
        let languageCode = configuration.languageCode
        guard configuration.useI18N else {
            negotiation = LanguageNegotiation(
                languages: configuration.languages, languageCode: languageCode, cookieName: cookieName)
            fallback = Translation(language: languageCode, merged: nil, own: nil, ownForAll: false)
            byLanguage = [:]
            return
        }
        let own = configuration.packageCatalogs ? PackageCatalogs.catalogs : ["en": PackageCatalogs.english]
        let merged: CatalogSet?
        if configuration.localePaths.isEmpty {
            merged = nil
        } else {
            // English (the messages' own language) is always there, beneath every other
            // catalog, as Django's own `en` catalog is: LANGUAGE_CODE en-us needs no folder.
            merged = try CatalogSet(
                localePaths: configuration.localePaths.map { URL(fileURLWithPath: $0) },
                languages: configuration.languages, languageCode: languageCode,
                baseCatalogs: ["en": PackageCatalogs.english])
        }
        let ownForAll = configuration.localePaths.isEmpty
        func ownTranslation(_ language: String) -> DjangoTranslation? {
            let locale = LanguageNegotiation.toLocale(language)
            guard let folder = GettextLocale.searchOrder(locale).first(where: { own[$0] != nil }),
                let catalog = own[folder]
            else { return nil }
            return DjangoTranslation(language: language, catalogs: [catalog], plural: catalog.pluralForms, chain: [])
        }
        @Sendable func hasOwn(_ code: String) -> Bool {
            GettextLocale.searchOrder(LanguageNegotiation.toLocale(code)).contains { own[$0] != nil }
        }
        negotiation = LanguageNegotiation(
            languages: configuration.languages, languageCode: languageCode, cookieName: cookieName,
            catalogExists: { code in (merged?.hasCatalog(for: code) ?? false) || hasOwn(code) })
        var byLanguage: [String: Translation] = [:]
        for code in configuration.languages + [languageCode] {
            let language = LanguageNegotiation.toLanguage(code)
            if byLanguage[language] != nil { continue }
            byLanguage[language] = Translation(
                language: language, merged: merged?.translation(for: language), own: ownTranslation(language),
                ownForAll: ownForAll)
        }
        self.byLanguage = byLanguage
        let defaultLanguage = LanguageNegotiation.toLanguage(
            negotiation.supportedLanguageVariant(languageCode) ?? languageCode)
        fallback =
            byLanguage[defaultLanguage]
            ?? Translation(language: defaultLanguage, merged: nil, own: nil, ownForAll: ownForAll)
    }

    /// The translation of a language of `LANGUAGES` (`fr`), else `LANGUAGE_CODE`'s.
    func translation(forLanguage language: String) -> Translation {
        byLanguage[LanguageNegotiation.toLanguage(language)] ?? fallback
    }

    /// Django's `LocaleMiddleware.process_request`: the cookie, then `Accept-Language`, among
    /// `LANGUAGES`, else `LANGUAGE_CODE`.
    func translation(for request: Request) -> Translation {
        guard enabled else { return fallback }
        let cookie = request.cookies[cookieName]?.string
        let header = request.headers[.acceptLanguage]
        if cookie == nil && header.isEmpty { return fallback }
        let language = negotiation.language(
            cookie: cookie, acceptLanguage: header.isEmpty ? nil : header.joined(separator: ","))
        return byLanguage[language] ?? fallback
    }
}

struct TranslationKey: StorageKey {
    typealias Value = Translation
}

extension Request {
    /// The language this request is answered in (Django's `request.LANGUAGE_CODE`, with its
    /// catalogs), chosen once by the package's locale middleware.
    public var restAuthTranslation: Translation {
        if let translation = storage[TranslationKey.self] { return translation }
        guard let translations = application.storage[RestAuthStateKey.self]?.translations else {
            return .untranslated
        }
        let translation = translations.translation(for: self)
        storage[TranslationKey.self] = translation
        return translation
    }
}

/// Django's `LocaleMiddleware`: picks the request's language, and names it in every answer
/// (`Content-Language`, `Vary: Accept-Language`). A future-based middleware, as the error
/// middleware is, so a request costs no extra task.
struct LocaleMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let language = request.restAuthTranslation.language
        return next.respond(to: request).map { response in
            Self.patch(response.headers, language: language, into: response)
            return response
        }
    }

    /// `response.headers.setdefault("Content-Language", language)` and
    /// `patch_vary_headers(response, ("Accept-Language",))`.
    static func patch(_ headers: HTTPHeaders, language: String, into response: Response) {
        if !headers.contains(name: .contentLanguage) {
            response.headers.replaceOrAdd(name: .contentLanguage, value: language)
        }
        let vary = headers[.vary].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        if vary.contains("*") || vary.contains(where: { $0.lowercased() == "accept-language" }) { return }
        response.headers.replaceOrAdd(name: .vary, value: (vary + ["Accept-Language"]).joined(separator: ", "))
    }
}
