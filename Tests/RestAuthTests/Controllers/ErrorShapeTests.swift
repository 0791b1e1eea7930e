import Fluent
import Testing
import Vapor

@testable import RestAuth

@Suite("Bad input gets DRF's errors, never a 500")
struct ErrorShapeTests {
    @Test("Malformed JSON is a 400 with a detail")
    func malformed() async throws {
        try await withRestAuthApp { _, client in
            for body in ["{bad", "{\"a\":", "[1,", "nul", "{\"a\":1}}", "{'a': 1}", "\u{FF}\u{FE}"] {
                let reply = try await client.request(.POST, "login/", .raw(body, contentType: "application/json"))
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.string("detail")?.hasPrefix("JSON parse error - ") == true, "\(body)")
            }
        }
    }

    @Test(
        "JSON that is not an object is a non-field error",
        arguments: [("[1,2]", "list"), ("\"x\"", "str"), ("5", "int"), ("null", "NoneType"), ("true", "bool")])
    func notObject(body: String, type: String) async throws {
        try await withRestAuthApp { _, client in
            let reply = try await client.request(.POST, "login/", .raw(body, contentType: "application/json"))
            #expect(
                reply.json == ["non_field_errors": [.string("Invalid data. Expected a dictionary, but got \(type).")]])
        }
    }

    @Test("Unsupported media types are 415; an empty body is an empty object")
    func mediaTypes() async throws {
        try await withRestAuthApp { _, client in
            let plain = try await client.request(.POST, "login/", .raw("x", contentType: "text/plain"))
            #expect(
                plain.status == .unsupportedMediaType
                    && plain.json == ["detail": #"Unsupported media type "text/plain" in request."#])
            let none = try await client.request(.POST, "login/", .raw("x", contentType: nil))
            #expect(none.status == .unsupportedMediaType)
            let empty = try await client.request(.POST, "login/", .raw("", contentType: "text/plain"))
            #expect(empty.json == ["password": ["This field is required."]])
            let charset = try await client.request(
                .POST, "login/", .raw(#"{"password":"x"}"#, contentType: "application/json; charset=utf-8"))
            #expect(charset.status == .badRequest && charset["non_field_errors"] != nil)
        }
    }

    @Test("Wrong JSON types are field errors")
    func wrongTypes() async throws {
        try await withRestAuthApp { _, client in
            let reply = try await client.post(
                "registration/", ["username": nil, "email": 5, "password1": true, "password2": [1]])
            #expect(
                reply.json == [
                    "username": ["This field may not be null."], "email": ["Enter a valid email address."],
                    "password1": ["Not a valid string."], "password2": ["Not a valid string."],
                ])
            let nested = try await client.post("login/", ["username": ["a": ["b": "c"]], "password": ["x"]])
            #expect(nested.status == .badRequest)
        }
    }

    @Test("A body over the limit is a 413")
    func tooLarge() async throws {
        try await withRestAuthApp({ $0.maxBodySize = 2048 }) { _, client in
            let big = String(repeating: "a", count: 5000)
            let reply = try await client.request(
                .POST, "login/", .raw(#"{"username":"\#(big)","password":"x"}"#, contentType: "application/json"))
            #expect(reply.status == .payloadTooLarge)
            #expect(reply.string("detail") != nil)
        }
    }

    @Test("Deeply nested JSON is refused without crashing")
    func deepNesting() async throws {
        try await withRestAuthApp { _, client in
            let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            let reply = try await client.request(.POST, "login/", .raw(deep, contentType: "application/json"))
            #expect(reply.status == .badRequest)
        }
    }

    @Test("Unknown paths under the prefix are DRF-shaped 404s")
    func notFound() async throws {
        try await withRestAuthApp { _, client in
            let reply = try await client.post("token/verify/", ["token": "x"])
            #expect(reply.status == .notFound && reply.json == ["detail": "Not found."])
            let r1 = try await client.get("nothing/here/at/all")
            #expect(r1.status == .notFound)
        }
    }

    @Test(
        "Odd strings are data, not a crash",
        arguments: [
            "\u{0}", "😀", String(repeating: "é", count: 10_000), "'; DROP TABLE auth_user; --", "%00", "\u{202E}",
        ])
    func oddStrings(value: String) async throws {
        try await withRestAuthApp { app, client in
            let reply = try await client.post("login/", ["username": .string(value), "password": .string(value)])
            #expect(reply.status == .badRequest)
            let registration = try await client.post(
                "registration/",
                [
                    "username": .string(value), "email": .string(value), "password1": .string(value),
                    "password2": .string(value),
                ])
            #expect(registration.status == .badRequest)
            let r2 = try await AuthUser.query(on: app.db).count()
            #expect(r2 == 0)
        }
    }
}
