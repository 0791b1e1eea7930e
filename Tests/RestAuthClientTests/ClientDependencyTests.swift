import Foundation
import Testing

/// The client is for apps: an iOS or macOS app adds it alone, so it may use Foundation (and
/// the platform's own modules) and nothing else: no Vapor, no NIO, no server package.
@Suite("RestAuthClient's dependencies")
struct ClientDependencyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let allowed: Set<String> = ["Foundation", "FoundationNetworking", "Security", "Glibc", "Musl", "Darwin"]

    @Test("Its sources import Foundation and the platform's modules only")
    func imports() throws {
        let folder = Self.root.appendingPathComponent("Sources/RestAuthClient")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count >= 5)
        let pattern = try NSRegularExpression(
            pattern:
                #"^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)"#,
            options: [.anchorsMatchLines])
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let module = String(text[Range(match.range(at: 1), in: text)!])
                #expect(Self.allowed.contains(module), "\(file) imports \(module)")
            }
        }
    }

    @Test("Package.swift gives its target no dependencies")
    func manifest() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let declaration = try #require(manifest.range(of: #".target(name: "RestAuthClient""#))
        let rest = manifest[declaration.upperBound...]
        // The declaration closes at once: no `dependencies:`, no other argument.
        #expect(rest.hasPrefix(")"), "RestAuthClient's target declaration: \(rest.prefix(200))")
        #expect(manifest.contains(#".library(name: "RestAuthClient", targets: ["RestAuthClient"])"#))
    }
}
