import Foundation
import Testing

@testable import RestAuth

/// Vectors from Django 5.2's `django.core.signing` with `SECRET_KEY = "test-secret"`.
@Suite("Django signing")
struct DjangoSignerTests {
    let signer = DjangoSigner(secret: "test-secret", salt: "django.contrib.sessions.SessionStore")
    let djangoSession =
        ".eJyrVopPLC3JiC8tTi2Kz0xRslIyVNJBFktKTM5OzQNJpGQl5qXn6yXn55UUZSbpgZToQWWL9XzzU1JznKBqUQzISCzOAOpOTEpWqgUAjnEncw:1vPJcO:aFS83veucLCmwMbkyGqsfmBh9mKk-7xn2ceQwdXTbi8"

    @Test("Reads a compressed session Django wrote")
    func readsDjangoCompressed() throws {
        let json = try #require(signer.unsignObject(djangoSession))
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json))
        guard case .object(let object) = value else {
            Issue.record("not an object")
            return
        }
        #expect(object["_auth_user_id"] == "1")
        #expect(object["_auth_user_hash"] == "abc")
    }

    @Test("Writes byte for byte what Django writes")
    func writesLikeDjango() {
        let date = Date(timeIntervalSince1970: 1_764_417_600)
        #expect(
            signer.signObject(json: Array(#"{"a":"b"}"#.utf8), at: date)
                == "eyJhIjoiYiJ9:1vPJcO:EyC1NepPDfyEwMJfhdfXAIbrd1D8LkN8KuNTPtIA9tg")
    }

    @Test("Tampering, another key or another salt is refused")
    func refusesForgery() {
        var tampered = djangoSession
        tampered.replaceSubrange(
            tampered.index(tampered.startIndex, offsetBy: 5)...tampered.index(tampered.startIndex, offsetBy: 5),
            with: "Z")
        #expect(signer.unsignObject(tampered) == nil)
        #expect(DjangoSigner(secret: "other", salt: signer.salt).unsignObject(djangoSession) == nil)
        #expect(DjangoSigner(secret: "test-secret", salt: "other").unsignObject(djangoSession) == nil)
        #expect(signer.unsignObject("") == nil)
        #expect(signer.unsignObject("::::") == nil)
    }

    @Test("Timestamps expire with max age")
    func maxAge() {
        let old = signer.timestampSign("value", at: Date().addingTimeInterval(-100))
        #expect(signer.timestampUnsign(old, maxAge: 200)?.value == "value")
        #expect(signer.timestampUnsign(old, maxAge: 50) == nil)
    }

    @Test("Session auth hash equals Django's get_session_auth_hash")
    func authHash() {
        let store = SessionStore(secretKey: "test-secret", age: 60)
        #expect(
            store.authHash(forPasswordHash: "pbkdf2_sha256$1000$x$y")
                == "5588e917eebc11806f7e7bface89b32b0e15e760f88da36989b503e950fa7089")
    }

    @Test("Base62 and zlib round-trip; a zlib bomb is cut off")
    func primitives() throws {
        for value in [0, 1, 61, 62, 1_764_417_600] {
            #expect(DjangoSigner.b62Decode(Substring(DjangoSigner.b62Encode(value))) == value)
        }
        let data = Array(repeating: UInt8(ascii: "a"), count: 5000)
        let compressed = try #require(Zlib.compress(data))
        #expect(Zlib.decompress(compressed) == data)
        #expect(Zlib.decompress(compressed, limit: 100) == nil)
        #expect(Zlib.decompress([1, 2, 3]) == nil)
    }
}

@Suite("URL-safe base 64")
struct Base64URLTests {
    @Test("Round-trips every length and matches Foundation's alphabet")
    func roundTrip() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let encoded = DjangoSigner.b64Encode(bytes)
            #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"))
            let foundation = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(encoded == foundation)
            #expect(DjangoSigner.b64Decode(Substring(encoded)) == bytes)
        }
        #expect(DjangoSigner.b64Decode("a") == nil)
        #expect(DjangoSigner.b64Decode("ab+c") == nil)
        #expect(DjangoSigner.b64Decode("YWJj==") == Array("abc".utf8))
    }
}
