import Foundation
import RestAuthClient
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The client and the server's OpenAPI document describe the same API: every route the
/// client's sources call, with its method, is an operation of the demo's `/openapi.json`.
@Suite("The client's routes in the server's OpenAPI document")
struct ClientOpenAPITests {
    /// `(method, path)` of every call in the client's sources: the explicit ones
    /// (`"GET", "user/"`), the sign-in and detail calls (POST), the refresh.
    static func clientRoutes() throws -> Set<String> {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/RestAuthClient")
        var routes: Set<String> = []
        for file in ["Endpoints.swift", "AuthClient.swift"] {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let patterns: [(String, String?)] = [
                (#""(GET|POST|PUT|PATCH|DELETE)",\s*"([a-z][^"]*/)""#, nil),
                (#"(?:signInCall|detailCall)\(\s*"([a-z][^"]*/)""#, "POST"),
                (#"appendingPathComponent\("([a-z][^"]*/)"\)"#, "POST"),
            ]
            for (pattern, method) in patterns {
                let regex = try NSRegularExpression(pattern: pattern)
                for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    func group(_ index: Int) -> String { String(text[Range(match.range(at: index), in: text)!]) }
                    let route = method.map { "\($0) \(group(1))" } ?? "\(group(1)) \(group(2))"
                    routes.insert(route.replacingOccurrences(of: #"\(id)"#, with: "{pk}"))
                }
            }
        }
        return routes
    }

    @Test("Every route the client calls is in the document, with its method")
    func routes() async throws {
        let routes = try Self.clientRoutes()
        #expect(routes.count >= 18, "\(routes.sorted())")
        let server = try await TestServer.startDemo(.jwt)
        do {
            let url = URL(string: "/openapi.json", relativeTo: server.baseURL)!
            let (data, _) = try await URLSession(configuration: .ephemeral).data(from: url)
            let document = try #require(JSON(data: data))
            let paths = try #require(document["paths"]?.objectValue)
            for route in routes.sorted() {
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                let operation = paths["/dj-rest-auth/" + parts[1]]?[parts[0].lowercased()]
                #expect(operation != nil, "\(route) is not in the OpenAPI document")
            }
            // The social routes are the project's to mount: the demo's GitHub ones are there.
            #expect(paths["/dj-rest-auth/github/"]?["post"] != nil)
            #expect(paths["/dj-rest-auth/github/connect/"]?["post"] != nil)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
