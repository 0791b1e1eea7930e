import Foundation
import RestAuthSocial
import Testing

@testable import RestAuth

/// The package's `.pot` template and its own catalogs (here, where both the core's and the
/// social views' messages are visible).
@Suite("Catalogs: the .pot template and the package's translations")
struct CatalogTests {
    static let messages = RestAuthMessages.all + SocialMessages.all
    static let localeFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/RestAuth/Resources/locale").standardized

    @Test("restauth.pot is generated from every message of the code (UPDATE_CATALOGS=1 rewrites it)")
    func templateIsCurrent() throws {
        let template = GettextWriter.template(Self.messages)
        let url = Self.localeFolder.appendingPathComponent("restauth.pot")
        if ProcessInfo.processInfo.environment["UPDATE_CATALOGS"] == "1" {
            try template.write(to: url, atomically: true, encoding: .utf8)
        }
        let onDisk = try String(contentsOf: url, encoding: .utf8)
        #expect(onDisk == template, "Locale template out of date: UPDATE_CATALOGS=1 swift test --filter Catalog")
        // And it reads back as a catalog with every id.
        let catalog = try GettextCatalog(poText: onDisk)
        #expect(catalog.headers["content-type"] == "text/plain; charset=UTF-8")
    }

    @Test("Every message declared in the code is listed in `all`")
    func registryIsComplete() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../Sources"
        )
        .standardized
        var declared = 0
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            declared +=
                text.components(separatedBy: "static let ").dropFirst().filter {
                    $0.drop(while: { $0 != "=" }).dropFirst().trimmingCharacters(in: .whitespaces).hasPrefix(
                        "LocalizedMessage(")
                }.count
        }
        #expect(declared == Self.messages.count)
        #expect(Set(Self.messages).count == Self.messages.count)
    }

    @Test(
        "The package's catalogs translate every message, keep its placeholders, and hold no stale id",
        arguments: PackageCatalogs.locales)
    func packageCatalog(locale: String) throws {
        let text = try #require(PackageCatalogs.source(locale), "no \(locale) catalog in the bundle")
        let catalog = try GettextCatalog(poText: text)
        #expect(catalog.headers["plural-forms"] != nil)
        let keys = Set(Self.messages.map(\.key))
        for message in Self.messages {
            if let plural = message.plural {
                for n in [1, 2, 5, 21] {
                    let translated = catalog.translatePlural(message.id, plural, count: n, context: message.context)
                    #expect(translated?.isEmpty == false, "\(locale): no plural form for \(n) of \(message.id)")
                    #expect(Self.placeholders(translated ?? "") == Self.placeholders(message.id), "\(message.id)")
                }
            } else {
                let translated = catalog.translate(message.id, context: message.context)
                #expect(translated?.isEmpty == false, "\(locale): \(message.id.debugDescription) is not translated")
                if message.placeholders != .none {
                    #expect(
                        Self.placeholders(translated ?? "") == Self.placeholders(message.id),
                        "\(locale): placeholders of \(message.id.debugDescription)")
                }
            }
        }
        #expect(catalog.messageCount == keys.count, "\(locale): ids that are no longer in the code")
    }

    /// `%(name)s`, `%d`, `%s`, `{name}` and `{}` in a text, sorted.
    static func placeholders(_ text: String) -> [String] {
        var found: [String] = []
        let scalars = Array(text)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "%", i + 1 < scalars.count, scalars[i + 1] == "(",
                let close = scalars[(i + 2)...].firstIndex(of: ")")
            {
                found.append("%(" + String(scalars[(i + 2)..<close]) + ")")
                i = close + 1
            } else if scalars[i] == "%", i + 1 < scalars.count, scalars[i + 1] == "d" || scalars[i + 1] == "s" {
                found.append("%" + String(scalars[i + 1]))
                i += 2
            } else if scalars[i] == "{", let close = scalars[(i + 1)...].firstIndex(of: "}") {
                found.append("{" + String(scalars[(i + 1)..<close]) + "}")
                i = close + 1
            } else {
                i += 1
            }
        }
        return found.sorted()
    }
}
