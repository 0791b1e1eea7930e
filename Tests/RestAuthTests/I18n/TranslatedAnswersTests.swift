import Foundation
import NIOHTTP1
import RestAuthTesting
import Testing
import Vapor

@testable import RestAuth

/// Translated answers over HTTP: the language each request gets, the catalogs that translate
/// it, and the mail it causes.
@Suite("Translations: negotiation, catalogs, mail")
struct TranslatedAnswersTests {
    static func lang(_ value: String) -> HTTPHeaders { ["Accept-Language": value] }

    static func expectLanguage(_ reply: RestAuthTestClient.Reply, _ language: String) {
        #expect(reply.headers.first(name: .contentLanguage) == language, "\(reply.headers)")
        let vary = reply.headers[.vary].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        #expect(vary.contains("accept-language"), "\(reply.headers)")
    }

    @Test("Without LOCALE_PATHS the package's own catalogs answer in German, French, Spanish, Portuguese")
    func packageCatalogs() async throws {
        try await withRestAuthApp { _, client in
            let expected = [
                ("de", "de", "Anmeldedaten fehlen."),
                ("fr-CA", "fr", "Informations d'authentification non fournies."),
                ("es-419", "es", "Las credenciales de autenticación no se proveyeron."),
                ("pt", "pt-br", "As credenciais de autenticação não foram fornecidas."),
                ("en-GB", "en-gb", "Authentication credentials were not provided."),
                // Django offers Italian, but no catalog here has it: LANGUAGE_CODE.
                ("it", "en", "Authentication credentials were not provided."),
            ]
            for (header, language, detail) in expected {
                let reply = try await client.get("user/", headers: Self.lang(header))
                #expect(reply.status == .unauthorized)
                #expect(reply.json == ["detail": .string(detail)], "\(header)")
                Self.expectLanguage(reply, language)
            }
        }
    }

    @Test("Cookie before header, q-values, region variants, '*', malformed headers")
    func negotiation() async throws {
        try await withRestAuthApp({ $0.languages = ["en", "de", "fr", "es", "pt-br"] }) { _, client in
            let cases: [(cookie: String?, header: String?, language: String)] = [
                (nil, nil, "en"),
                (nil, "fr;q=0.5, de;q=0.9, en;q=0.1", "de"),
                (nil, "fr;q=0.5, de;q=0.5", "fr"),
                (nil, "it, de;q=0.5", "de"),
                (nil, "DE-at", "de"),
                (nil, "pt-PT", "pt-br"),
                (nil, "*, de", "en"),
                (nil, "de;q=1.5, fr", "en"),
                (nil, String(repeating: "de-", count: 400) + "x", "en"),
                ("fr", "de", "fr"),
                ("de-at", "fr", "de"),
                ("it", "es", "es"),
                ("../../etc", "es", "es"),
            ]
            for (cookie, header, language) in cases {
                client.cookies = cookie.map { ["django_language": $0] } ?? [:]
                let reply = try await client.get("user/", headers: header.map(Self.lang) ?? [:])
                Self.expectLanguage(reply, language)
            }
            client.cookies = [:]
            // Every answer names its language: a 404 of the prefix, a 405, an OPTIONS.
            for reply in [
                try await client.get("no-such-route/", headers: Self.lang("fr")),
                try await client.get("login/", headers: Self.lang("fr")),
                try await client.request(.OPTIONS, "login/", headers: Self.lang("fr")),
            ] {
                Self.expectLanguage(reply, "fr")
            }
            let notAllowed = try await client.get("login/", headers: Self.lang("fr"))
            #expect(notAllowed.json == ["detail": "Méthode «\u{a0}GET\u{a0}» non autorisée."])
        }
    }

    @Test("Plural forms by each catalog's own rule: French's singular for 0 and 1, Russian's three forms")
    func plurals() throws {
        let tooShort = RestAuthMessages.Passwords.tooShort
        let french = try Translations(configuration: testConfiguration()).translation(forLanguage: "fr")
        let forms = french.activate { [0, 1, 2, 12].map { (n: Int) in tooShort.format(["": "\(n)"], count: n) } }
        #expect(
            forms == [
                "Ce mot de passe est trop court. Il doit contenir au minimum 0 caractère.",
                "Ce mot de passe est trop court. Il doit contenir au minimum 1 caractère.",
                "Ce mot de passe est trop court. Il doit contenir au minimum 2 caractères.",
                "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères.",
            ])
        #expect(tooShort.format(["": "1"], count: 1).hasSuffix("at least 1 character."), "outside a request: English")
        #expect(tooShort.format(["": "8"], count: 8).hasSuffix("at least 8 characters."))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("locale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let messages = folder.appendingPathComponent("ru_RU/LC_MESSAGES")
        try FileManager.default.createDirectory(at: messages, withIntermediateDirectories: true)
        try #"""
        msgid ""
        msgstr ""
        "Content-Type: text/plain; charset=UTF-8\n"
        "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

        msgid "This password is too short. It must contain at least %d character."
        msgid_plural "This password is too short. It must contain at least %d characters."
        msgstr[0] "one %d"
        msgstr[1] "few %d"
        msgstr[2] "many %d"
        """#.write(to: messages.appendingPathComponent("django.po"), atomically: true, encoding: .utf8)
        var configuration = testConfiguration()
        configuration.localePaths = [folder.path]
        configuration.languages = ["en", "ru"]
        // "ru" reads the catalog filed under ru_RU, as gettext does.
        let russian = try Translations(configuration: configuration).translation(forLanguage: "ru")
        let russianForms = russian.activate {
            [1, 3, 8, 21, 111].map { (n: Int) in tooShort.format(["": "\(n)"], count: n) }
        }
        #expect(russianForms == ["one 1", "few 3", "many 8", "one 21", "many 111"])
    }

    @Test("LOCALE_PATHS wins; Django's messages stay as its catalogs have them, the package's own are still translated")
    func localePaths() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("locale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let messages = folder.appendingPathComponent("de/LC_MESSAGES")
        try FileManager.default.createDirectory(at: messages, withIntermediateDirectories: true)
        try """
        msgid ""
        msgstr ""
        "Content-Type: text/plain; charset=UTF-8\\n"
        "Plural-Forms: nplurals=2; plural=(n != 1);\\n"

        msgid "Authentication credentials were not provided."
        msgstr "Bitte zuerst anmelden."
        """.write(to: messages.appendingPathComponent("django.po"), atomically: true, encoding: .utf8)
        try await withRestAuthApp({
            $0.localePaths = [folder.path]
            $0.languages = ["en", "de"]
            $0.maxBodySize = 2048
        }) { _, client in
            let user = try await client.get("user/", headers: Self.lang("de"))
            #expect(user.json == ["detail": "Bitte zuerst anmelden."])
            // DRF's message, which the project's catalog lacks: English, as Django answers.
            let missing = try await client.post("login/", ["password": "x"], headers: Self.lang("de"))
            #expect(
                missing.json == ["non_field_errors": [#"Must include either "username" or "email" and "password"."#]])
            // The package's own message: its own catalog.
            let big = try await client.request(
                .POST, "login/", .json(["password": .string(String(repeating: "x", count: 4096))]),
                headers: Self.lang("de"))
            #expect(big.status == .payloadTooLarge)
            #expect(big.json == ["detail": "Der Inhalt der Anfrage ist größer als das Limit von 2048 Bytes."])
        }
    }

    @Test("The reset mail is in the language of the request that asked for it")
    func mail() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({ $0.emailSender = mail }) { app, client in
            let user = try await client.register()
            let reply = try await client.post(
                "password/reset/", ["email": .string(user.email)], headers: Self.lang("fr"))
            #expect(reply.json == ["detail": "L’email de réinitialisation du mot de passe a été envoyé."])
            await app.restAuth.deliverPendingEmail()
            let message = try #require(mail.messages(to: user.email).last)
            #expect(message.subject == "[localhost] E-mail de réinitialisation de mot de passe")
            #expect(message.text.hasPrefix("Bonjour, c'est localhost !"))
            #expect(!message.text.contains("{%") && !message.text.contains("%("))
            #expect(message.html?.contains("Bonjour, c&#x27;est localhost") == false)
            #expect(message.html?.contains("Bonjour, c'est localhost !") == true)
            // The next request, in English, gets an English mail.
            _ = try await client.post("password/reset/", ["email": .string(user.email)])
            await app.restAuth.deliverPendingEmail()
            #expect(mail.messages(to: user.email).last?.subject == "[localhost] Password Reset Email")
        }
    }

    @Test("USE_I18N off: English, and LANGUAGE_CODE as Content-Language")
    func disabled() async throws {
        try await withRestAuthApp({ $0.useI18N = false }) { _, client in
            let reply = try await client.get("user/", headers: Self.lang("de"))
            #expect(reply.json == ["detail": "Authentication credentials were not provided."])
            Self.expectLanguage(reply, "en-us")
        }
    }

    @Test("Settings from the environment, with Django's names")
    func environment() throws {
        let configuration = try RestAuthConfiguration(
            environment: [
                "LANGUAGES": #"[["de", "German"], ["fr", "French"], "es"]"#, "LANGUAGE_CODE": "de",
                "LOCALE_PATHS": #"["/srv/locale", "/usr/lib/django/conf/locale"]"#, "USE_I18N": "true",
                "LANGUAGE_COOKIE_NAME": "lang", "REST_AUTH_PACKAGE_CATALOGS": "false",
            ], secretKey: "k")
        #expect(configuration.languages == ["de", "fr", "es"])
        #expect(configuration.languageCode == "de")
        #expect(configuration.localePaths == ["/srv/locale", "/usr/lib/django/conf/locale"])
        #expect(configuration.languageCookieName == "lang")
        #expect(configuration.packageCatalogs == false)
        #expect(throws: ConfigurationError.self) {
            try RestAuthConfiguration(environment: ["LANGUAGE_CODE": "not a language"], secretKey: "k")
        }
        #expect(throws: ConfigurationError.self) {
            try RestAuthConfiguration(environment: ["LANGUAGES": #"[{"de": 1}]"#], secretKey: "k")
        }
    }

    @Test("A catalog that does not parse stops the start, naming LOCALE_PATHS and the file")
    func brokenCatalog() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("locale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let messages = folder.appendingPathComponent("de/LC_MESSAGES")
        try FileManager.default.createDirectory(at: messages, withIntermediateDirectories: true)
        try Data([0xde, 0x12, 0x04, 0x95, 0, 0]).write(to: messages.appendingPathComponent("django.mo"))
        let app = try await Application.make(.testing)
        var configuration = testConfiguration()
        configuration.localePaths = [folder.path]
        configuration.languages = ["en", "de"]
        await #expect {
            try await app.restAuth.configure(configuration)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.setting == "LOCALE_PATHS" && error.message.contains("django.mo")
        }
        try await app.asyncShutdown()
    }
}
