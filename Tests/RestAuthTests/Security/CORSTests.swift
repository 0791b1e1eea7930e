import Foundation
import Testing
import Vapor

@testable import RestAuth

@Suite("CORS (django-cors-headers' settings)")
struct CORSTests {
    private func configure(_ c: inout RestAuthConfiguration) {
        c.cors.allowedOrigins = ["https://app.example.com"]
        c.cors.allowedOriginRegexes = [#"https://\w+\.preview\.example\.com$"#]
        c.cors.allowCredentials = true
        c.cors.exposeHeaders = ["Retry-After"]
    }

    @Test("A preflight is answered before authentication, for an allowed origin only")
    func preflight() async throws {
        try await withRestAuthApp(configure) { _, client in
            let headers: HTTPHeaders = [
                "Origin": "https://app.example.com", "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization, x-csrftoken",
            ]
            let reply = try await client.request(.OPTIONS, "user/", headers: headers)  // user/ needs a user
            #expect(reply.status == .ok)
            #expect(reply.headers.first(name: .accessControlAllowOrigin) == "https://app.example.com")
            #expect(reply.headers.first(name: .accessControlAllowCredentials) == "true")
            #expect(reply.headers.first(name: .accessControlAllowHeaders)?.contains("x-csrftoken") == true)
            #expect(reply.headers.first(name: .accessControlAllowMethods)?.contains("PATCH") == true)
            var other = headers
            other.replaceOrAdd(name: .origin, value: "https://evil.example")
            let refused = try await client.request(.OPTIONS, "user/", headers: other)
            #expect(refused.status == .ok && refused.headers.first(name: .accessControlAllowOrigin) == nil)
        }
    }

    @Test("Answers, errors included, carry the headers for allowed origins and the regexes' matches")
    func answers() async throws {
        try await withRestAuthApp(configure) { _, client in
            let denied = try await client.get("user/", headers: ["Origin": "https://pr42.preview.example.com"])
            #expect(denied.status == .unauthorized)
            #expect(denied.headers.first(name: .accessControlAllowOrigin) == "https://pr42.preview.example.com")
            #expect(denied.headers.first(name: .accessControlExpose)?.lowercased() == "retry-after")
            // re.match anchors at the start only; the pattern's own $ anchors the end.
            for origin in ["https://pr42.preview.example.com.evil.example", "http://app.example.com", "null"] {
                let reply = try await client.get("user/", headers: ["Origin": .init(origin)])
                #expect(reply.headers.first(name: .accessControlAllowOrigin) == nil, "\(origin)")
            }
            #expect(try await client.get("user/").headers.first(name: .accessControlAllowOrigin) == nil)
        }
    }

    @Test("Settings from the environment; any origin with credentials is refused; off by default")
    func settings() async throws {
        let c = try RestAuthConfiguration(environment: [
            "SECRET_KEY": "s", "CORS_ALLOWED_ORIGINS": #"["https://app.example.com"]"#,
            "CORS_ALLOW_CREDENTIALS": "true", "CORS_EXPOSE_HEADERS": "Retry-After",
        ])
        #expect(c.cors.allowedOrigins == ["https://app.example.com"] && c.cors.allowCredentials && c.cors.isEnabled)
        #expect(!RestAuthConfiguration(secretKey: "s").cors.isEnabled)
        for env in [
            ["CORS_ALLOW_ALL_ORIGINS": "true", "CORS_ALLOW_CREDENTIALS": "true"],
            ["CORS_ALLOWED_ORIGINS": "https://app.example.com/path"], ["CORS_ALLOWED_ORIGIN_REGEXES": "(unclosed"],
        ] {
            #expect(throws: ConfigurationError.self) {
                try RestAuthConfiguration(environment: env.merging(["SECRET_KEY": "s"]) { $1 })
            }
        }
        try await withRestAuthApp { _, client in
            let reply = try await client.get("user/", headers: ["Origin": "https://app.example.com"])
            #expect(reply.headers.first(name: .accessControlAllowOrigin) == nil)
        }
    }
}
