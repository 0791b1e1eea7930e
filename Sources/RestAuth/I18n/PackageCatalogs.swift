import Foundation

/// The package's own translations (`Resources/locale/<locale>/LC_MESSAGES/restauth.po`, in the
/// library's resource bundle): German, French, Spanish and Brazilian Portuguese. They translate
/// every message when no `LOCALE_PATHS` is configured, and the package's own messages (those no
/// Django catalog has) when one is.
enum PackageCatalogs {
    /// The messages' own language: no translations, a header (so it counts as a catalog, as
    /// Django's `en` one does).
    static let english: GettextCatalog = {
        // A constant that parses (the catalog tests read it); never nil.
        (try? GettextCatalog(poText: englishHeader)) ?? (try! GettextCatalog(poText: ""))
    }()

    static let englishHeader = #"""
        msgid ""
        msgstr ""
        "Content-Type: text/plain; charset=UTF-8\n"
        "Plural-Forms: nplurals=2; plural=(n != 1);\n"

        """#

    /// The locale folders the package translates into.
    static let locales = ["de", "es", "fr", "pt_BR"]

    /// The text of a catalog of the bundle, by locale folder name.
    static func source(_ locale: String) -> String? {
        guard
            let url = Bundle.module.url(
                forResource: "restauth", withExtension: "po", subdirectory: "locale/\(locale)/LC_MESSAGES")
        else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }

    /// Every catalog by locale folder name (`pt_BR`); one that does not parse is left out (the
    /// catalog tests parse each).
    static let catalogs: [String: GettextCatalog] = {
        var catalogs = ["en": english]
        for folder in locales {
            if let text = source(folder), let catalog = try? GettextCatalog(poText: text) { catalogs[folder] = catalog }
        }
        return catalogs
    }()
}

/// Writes gettext templates and catalogs.
enum GettextWriter {
    /// The `.pot` template of `messages`: each id once, in order, with its origin and format flag.
    static func template(_ messages: [LocalizedMessage]) -> String {
        var out = """
            # Message ids of swift-rest-auth: the English texts as Django, DRF, allauth, dj-rest-auth
            # and simplejwt write them, and the package's own. Generated from the code by the catalog
            # test (UPDATE_CATALOGS=1 swift test --filter Catalog); do not edit.
            msgid ""
            msgstr ""
            "Project-Id-Version: swift-rest-auth\\n"
            "MIME-Version: 1.0\\n"
            "Content-Type: text/plain; charset=UTF-8\\n"
            "Content-Transfer-Encoding: 8bit\\n"

            """
        var seen: Set<String> = []
        for message in messages where seen.insert(message.key).inserted {
            out += "\n#. origin: \(message.origin.rawValue)\n"
            switch message.placeholders {
            case .none: break
            case .percent: out += "#, python-format\n"
            case .brace: out += "#, python-brace-format\n"
            }
            if let context = message.context { out += "msgctxt " + quoted(context) + "\n" }
            out += "msgid " + quoted(message.id) + "\n"
            if let plural = message.plural {
                out += "msgid_plural " + quoted(plural) + "\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n"
            } else {
                out += "msgstr \"\"\n"
            }
        }
        return out
    }

    /// A `.po` string: escaped, and split after each line end as `xgettext` writes it.
    static func quoted(_ text: String) -> String {
        func escape(_ part: Substring) -> String {
            var out = "\""
            for scalar in part.unicodeScalars {
                switch scalar {
                case "\\": out += "\\\\"
                case "\"": out += "\\\""
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        guard text.contains("\n") else { return escape(Substring(text)) }
        var lines: [Substring] = []
        var rest = Substring(text)
        while let end = rest.firstIndex(of: "\n") {
            lines.append(rest[...end])
            rest = rest[rest.index(after: end)...]
        }
        if !rest.isEmpty { lines.append(rest) }
        return "\"\"\n" + lines.map(escape).joined(separator: "\n")
    }
}
