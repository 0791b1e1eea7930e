import Crypto
import Foundation
import RestAuthTesting
import SQLKit
import Testing
import Vapor

@testable import RestAuth

/// base64url without padding, as WebAuthn's JSON writes binary members.
private func b64(_ bytes: [UInt8]) -> String {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

private func unb64(_ text: String?) throws -> [UInt8] {
    try #require(text.flatMap { DjangoSigner.b64Decode(Substring($0)) })
}

/// One passkey on the tests' software authenticator, answering options with the JSON a
/// browser posts (`PublicKeyCredential.toJSON()`).
private final class PasskeyDevice: @unchecked Sendable {
    var authenticator: SoftAuthenticator
    let credentialID: [UInt8]
    var count: UInt32
    var userHandle: [UInt8] = []

    init(count: UInt32 = 0, credentialID: [UInt8]? = nil) {
        authenticator = .p256()
        self.credentialID = credentialID ?? (0..<32).map { _ in UInt8.random(in: 0...255) }
        self.count = count
    }

    func registration(_ options: JSONValue, flags: UInt8 = 0x45) throws -> JSONValue {
        userHandle = try unb64(options["user"]?["id"]?.stringValue)
        let made = try authenticator.registration(
            challenge: try unb64(options["challenge"]?.stringValue), credentialID: credentialID, flags: flags,
            count: count)
        return [
            "id": .string(b64(credentialID)), "rawId": .string(b64(credentialID)), "type": "public-key",
            "response": [
                "clientDataJSON": .string(b64(made.clientDataJSON)),
                "attestationObject": .string(b64(made.attestationObject)), "transports": ["internal"],
            ],
            "clientExtensionResults": [:],
        ]
    }

    /// An assertion for request options; the counter moves on by one unless `count` says.
    func assertion(
        _ options: JSONValue, flags: UInt8 = 0x05, count: UInt32? = nil, handle: [UInt8]?? = nil,
        signWith: SoftAuthenticator? = nil, extraClientData: String = ""
    ) throws -> JSONValue {
        let next = count ?? self.count + 1
        self.count = next
        let made = try authenticator.assertion(
            challenge: try unb64(options["challenge"]?.stringValue), extraClientData: extraClientData, flags: flags,
            count: next, signWith: signWith)
        let sentHandle: [UInt8]? = handle ?? userHandle
        return [
            "id": .string(b64(credentialID)), "rawId": .string(b64(credentialID)), "type": "public-key",
            "response": [
                "clientDataJSON": .string(b64(made.clientDataJSON)),
                "authenticatorData": .string(b64(made.authenticatorData)), "signature": .string(b64(made.signature)),
                "userHandle": sentHandle.map { .string(b64($0)) } ?? .null,
            ],
        ]
    }
}

private func withPasskeyApp(
    _ adjust: @escaping (inout RestAuthConfiguration) -> Void = { _ in },
    _ test: (Application, TestClient) async throws -> Void
) async throws {
    try await withRestAuthApp(
        {
            $0.passkeys.enabled = true
            $0.passkeys.rpID = "example.com"
            $0.passkeys.rpName = "Example"
            $0.passkeys.origins = ["https://example.com"]
            adjust(&$0)
        }, test)
}

/// A signed-in user of a client of its own.
private func member(_ app: Application) async throws -> (client: TestClient, username: String) {
    let client = TestClient(app: app)
    let username = try await client.register().username
    try #require(try await client.logIn(username).status == .ok)
    return (client, username)
}

@discardableResult
private func enroll(_ client: TestClient, _ device: PasskeyDevice) async throws -> JSONValue {
    let options = try await client.post("passkeys/register/begin/")
    try #require(options.status == .ok, "\(options.body)")
    let reply = try await client.post(
        "passkeys/register/complete/", ["credential": try device.registration(try #require(options.json))])
    try #require(reply.status == .created, "\(reply.body)")
    return try #require(reply.json)
}

/// Login begin (with `begin` as its body) from a fresh client; the options and the session id.
private func beginLogin(_ app: Application, _ begin: JSONValue = [:]) async throws -> (JSONValue, String) {
    let reply = try await TestClient(app: app).post("passkeys/login/begin/", begin)
    try #require(reply.status == .ok, "\(reply.body)")
    return (try #require(reply.json), try #require(reply.string("session_id")))
}

private func complete(_ app: Application, _ assertion: JSONValue, _ session: String) async throws
    -> RestAuthTestClient.Reply
{
    try await TestClient(app: app).post(
        "passkeys/login/complete/", ["credential": assertion, "session_id": .string(session)])
}

private func failed(_ message: String) -> JSONValue {
    ["non_field_errors": [.string("Authentication verification failed: " + message)]]
}

private let expired: JSONValue = ["non_field_errors": ["Authentication challenge has expired. Please start over."]]

@Suite("Passkeys over HTTP: what an attacker tries first")
struct PasskeyEndpointTests {
    @Test("Eight completes racing for one login challenge: exactly one signs in")
    func racingLogins() async throws {
        try await withPasskeyApp { app, _ in
            let (client, _) = try await member(app)
            let device = PasskeyDevice()
            try await enroll(client, device)
            let (options, session) = try await beginLogin(app)
            let assertion = try device.assertion(options)
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponseStatus, JSONValue?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let reply = try await complete(app, assertion, session)
                        return (reply.status, reply.json)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == .ok }.count == 1)
            #expect(statuses.filter { $0.0 == .badRequest && $0.1 == expired }.count == 7)
        }
    }

    @Test("Six completes racing for one registration challenge: one passkey")
    func racingRegistrations() async throws {
        try await withPasskeyApp { app, _ in
            let (client, _) = try await member(app)
            let options = try #require(try await client.post("passkeys/register/begin/").json)
            let bodies = try (0..<6).map { _ in try PasskeyDevice().registration(options) }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for body in bodies {
                    group.addTask { try await client.post("passkeys/register/complete/", ["credential": body]).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(try await client.get("passkeys/").json?.arrayValue?.count == 1)
        }
    }

    @Test("One credential id, two users registering it at once: it is one user's, never both")
    func oneCredentialTwoUsers() async throws {
        try await withPasskeyApp { app, _ in
            let (alice, _) = try await member(app)
            let (bob, _) = try await member(app)
            let shared = (0..<32).map { _ in UInt8.random(in: 0...255) }
            let bodies = try await [alice, bob].asyncMap { client in
                try PasskeyDevice(credentialID: shared).registration(
                    try #require(try await client.post("passkeys/register/begin/").json))
            }
            async let first = alice.post("passkeys/register/complete/", ["credential": bodies[0]])
            async let second = bob.post("passkeys/register/complete/", ["credential": bodies[1]])
            let replies = try await [first, second]
            #expect(replies.filter { $0.status == .created }.count == 1)
            #expect(
                replies.contains {
                    $0.json == ["non_field_errors": ["This credential is already registered."]]
                })
            let lists = try await [alice, bob].asyncMap { try await $0.get("passkeys/").json?.arrayValue?.count ?? 0 }
            #expect(lists.reduce(0, +) == 1)
        }
    }

    @Test("A counter past 2^31-1 (the reference's integer column) keeps counting; a replay is a clone, audited")
    func bigCounter() async throws {
        let capture = LogCapture.shared
        let mark = capture.mark()
        try await withPasskeyApp { app, _ in
            let (client, _) = try await member(app)
            let device = PasskeyDevice(count: 3_000_000_000)
            try await enroll(client, device)
            var (options, session) = try await beginLogin(app)
            #expect(try await complete(app, try device.assertion(options), session).status == .ok)
            let sql = app.db as! any SQLDatabase
            let row = try #require(
                try await sql.raw(
                    #"SELECT c."sign_count" AS "reference", x."sign_count" AS "full" FROM "passkeys_webauthncredential" c JOIN "restauth_passkey" x ON x."credential_pk" = c."id""#
                ).first())
            #expect(try row.decode(column: "reference", as: Int64.self) == Int64(Int32.max))
            #expect(try row.decode(column: "full", as: Int64.self) == 3_000_000_001)
            (options, session) = try await beginLogin(app)
            let replay = try await complete(app, try device.assertion(options, count: 3_000_000_001), session)
            #expect(
                replay.json
                    == failed("Response sign count of 3000000001 was not greater than current count of 3000000001"))
        }
        #expect(
            capture.lines(since: mark).contains { $0.contains("restauth.audit") && $0.contains("event=passkey_cloned") }
        )
    }

    @Test("A forged assertion with a huge counter moves nothing: the owner's next count still signs in")
    func forgedCounter() async throws {
        try await withPasskeyApp { app, _ in
            let (client, _) = try await member(app)
            let device = PasskeyDevice()
            try await enroll(client, device)
            var (options, session) = try await beginLogin(app)
            let forged = try device.assertion(options, count: .max, signWith: .p256())
            #expect(
                try await complete(app, forged, session).json == failed("Could not verify authentication signature"))
            (options, session) = try await beginLogin(app)
            #expect(try await complete(app, try device.assertion(options, count: 1), session).status == .ok)
        }
    }

    @Test(
        "What the reference lets through: another user's handle, no handle, outside allowCredentials, crossOrigin, BE changed"
    )
    func stricterThanTheReference() async throws {
        try await withPasskeyApp { app, _ in
            let (alice, aliceName) = try await member(app)
            let (bob, _) = try await member(app)
            let mine = PasskeyDevice()
            let theirs = PasskeyDevice()
            try await enroll(alice, mine)
            try await enroll(bob, theirs)
            let bobPK = try #require(try await bob.get("user/").json?["pk"]?.intValue)
            var (options, session) = try await beginLogin(app)
            #expect(
                try await complete(app, try mine.assertion(options, handle: Array("\(bobPK)".utf8)), session).json
                    == failed("User handle did not belong to the credential's owner"))
            (options, session) = try await beginLogin(app)
            #expect(
                try await complete(app, try mine.assertion(options, handle: .some(nil)), session).json
                    == failed("Credential response missing required userHandle"))
            (options, session) = try await beginLogin(app, ["username": .string(aliceName)])
            #expect(
                try await complete(app, try theirs.assertion(options), session).json
                    == failed("Credential was not among the allowed credentials"))
            (options, session) = try await beginLogin(app)
            #expect(
                try await complete(app, try mine.assertion(options, extraClientData: #","crossOrigin":true"#), session)
                    .json == failed("Client data indicated a cross-origin ceremony, which is not accepted"))
            (options, session) = try await beginLogin(app)
            #expect(
                try await complete(app, try mine.assertion(options, flags: 0x0d), session).json
                    == failed("Credential changed its backup eligibility, which should be impossible."))
            // Named at begin with no handle sent: allowCredentials already named the owner.
            (options, session) = try await beginLogin(app, ["username": .string(aliceName)])
            #expect(try await complete(app, try mine.assertion(options, handle: .some(nil)), session).status == .ok)
        }
        try await withPasskeyApp({ $0.passkeys.allowCrossOrigin = true }) { app, _ in
            let (client, _) = try await member(app)
            let device = PasskeyDevice()
            try await enroll(client, device)
            let (options, session) = try await beginLogin(app)
            let reply = try await complete(
                app, try device.assertion(options, extraClientData: #","crossOrigin":true"#), session)
            #expect(reply.status == .ok)
        }
    }

    @Test("With TOTP on: a passkey that verified its user is two factors; one that did not gets the code step")
    func mfaInterplay() async throws {
        for uvSatisfies in [true, false] {
            try await withPasskeyApp({
                $0.mfa.enabled = true
                $0.passkeys.userVerificationSatisfiesMFA = uvSatisfies
            }) { app, _ in
                let (client, _) = try await member(app)
                let device = PasskeyDevice()
                try await enroll(client, device)
                let offer = try await client.get("mfa/totp/activate/")
                let secret = try #require(offer.string("secret"))
                let totp = try #require(TOTP(base32Secret: secret, digits: 6, period: 30))
                let activated = try await client.post(
                    "mfa/totp/activate/",
                    [
                        "activation_token": .string(try #require(offer.string("activation_token"))),
                        "code": .string(totp.code(step: totp.step(at: Date()))),
                    ])
                try #require(activated.status == .ok, "\(activated.body)")
                var (options, session) = try await beginLogin(app)
                let verified = try await complete(app, try device.assertion(options, flags: 0x05), session)
                if uvSatisfies {
                    #expect(verified.string("key") != nil, "\(verified.body)")
                } else {
                    #expect(verified.json?["mfa_required"] == .bool(true), "\(verified.body)")
                }
                (options, session) = try await beginLogin(app)
                let presentOnly = try await complete(app, try device.assertion(options, flags: 0x01), session)
                #expect(presentOnly.json?["mfa_required"] == .bool(true), "\(presentOnly.body)")
                #expect(presentOnly.string("key") == nil)
            }
        }
    }

    @Test("Adding or removing a passkey long after the last sign-in asks for a new one (unless turned off)")
    func reauthentication() async throws {
        let stale: JSONValue = [
            "detail": "Please sign in again: adding or removing a passkey needs a recent sign-in."
        ]
        for timeout in [300.0, 0] {
            try await withPasskeyApp({ $0.passkeys.reauthenticationTimeout = timeout }) { app, _ in
                let (client, username) = try await member(app)
                let body = try await enroll(client, PasskeyDevice())
                try await (app.db as! any SQLDatabase).raw(
                    #"UPDATE "auth_user" SET "last_login" = \#(bind: Date().addingTimeInterval(-3600)) WHERE "username" = \#(bind: username)"#
                ).run()
                let begin = try await client.post("passkeys/register/begin/")
                let delete = try await client.request(.DELETE, "passkeys/\(body["id"]?.intValue ?? 0)/")
                if timeout > 0 {
                    #expect(begin.status == .forbidden && begin.json == stale)
                    #expect(delete.status == .forbidden && delete.json == stale)
                    // Signing in again is enough.
                    try #require(try await client.logIn(username).status == .ok)
                    #expect(try await client.post("passkeys/register/begin/").status == .ok)
                } else {
                    #expect(begin.status == .ok)
                    #expect(delete.status == .noContent)
                }
            }
        }
    }

    @Test("A passkey the reference registered (no row of this package's) signs in, and its flags are learnt")
    func djangoRegisteredPasskey() async throws {
        try await withPasskeyApp { app, _ in
            let (client, _) = try await member(app)
            let pk = try #require(try await client.get("user/").json?["pk"]?.intValue)
            let device = PasskeyDevice(count: 5)
            device.userHandle = Array("\(pk)".utf8)
            let sql = app.db as! any SQLDatabase
            let transports = FoldedIndex.isPostgres(sql) ? "'[\"internal\"]'::jsonb" : "'[\"internal\"]'"
            try await sql.raw(
                """
                INSERT INTO "passkeys_webauthncredential" ("name", "credential_id", "public_key", "sign_count", \
                "transports", "discoverable", "created_at", "last_used_at", "user_id") VALUES ('From Django', \
                \(bind: Data(device.credentialID)), \(bind: Data(try device.authenticator.publicKey.encoded)), 5, \
                \(unsafeRaw: transports), true, \(bind: Date()), NULL, \(bind: pk))
                """
            ).run()
            var (options, session) = try await beginLogin(app)
            #expect(try await complete(app, try device.assertion(options), session).status == .ok)
            let learnt = try await sql.raw(#"SELECT "backup_eligible", "sign_count" FROM "restauth_passkey""#).first()
            #expect(try learnt?.decode(column: "backup_eligible", as: Bool?.self) == false)
            #expect(try learnt?.decode(column: "sign_count", as: Int64.self) == 6)
            (options, session) = try await beginLogin(app)
            #expect(
                try await complete(app, try device.assertion(options, count: 6), session).json
                    == failed("Response sign count of 6 was not greater than current count of 6"))
            let listed = try #require(try await client.get("passkeys/").json?.arrayValue?.first)
            #expect(listed["name"] == "From Django" && listed["transports"] == ["internal"])
        }
    }

    @Test("Malformed input is a 400 the reference answers with a 500 or not at all; field errors keep the challenge")
    func malformed() async throws {
        try await withPasskeyApp { app, _ in
            let (client, username) = try await member(app)
            let device = PasskeyDevice()
            let options = try #require(try await client.post("passkeys/register/begin/").json)
            let body = try device.registration(options)
            let long = try await client.post(
                "passkeys/register/complete/",
                ["credential": body, "name": .string(String(repeating: "n", count: 256))])
            #expect(long.json == ["name": ["Ensure this field has no more than 255 characters."]])
            #expect(try await client.post("passkeys/register/complete/", ["credential": body]).status == .created)
            let invalid: JSONValue = ["non_field_errors": ["Invalid credential format."]]
            for credential: JSONValue in [
                ["rawId": "!!not base64!!", "id": "x"], ["rawId": 7], #"{"rawId": "AAAA"}"#, [1, 2],
            ] {
                let (_, session) = try await beginLogin(app)
                #expect(try await complete(app, credential, session).json == invalid, "\(credential)")
            }
            for session in [String(repeating: "a", count: 100_000), "auth:x", "' OR 1=1 --"] {
                #expect(try await complete(app, try device.assertion(options), session).json == expired)
            }
            // An inactive account is refused once its passkey has proved it.
            try await (app.db as! any SQLDatabase).raw(
                #"UPDATE "auth_user" SET "is_active" = \#(bind: false) WHERE "username" = \#(bind: username)"#
            ).run()
            let (login, session) = try await beginLogin(app)
            #expect(
                try await complete(app, try device.assertion(login), session).json
                    == ["non_field_errors": ["User account is disabled."]])
        }
    }

    @Test("The queries anyone can cause are index searches, whatever the number of users and passkeys")
    func indexed() async throws {
        try await withPasskeyApp { app, _ in
            let store = PasskeyStore(keyType: .int)
            let queries: [(String, @Sendable (any SQLDatabase) -> SQLQueryString)] = [
                ("a user's passkeys (login/begin/ with a username)", { store.ofUserQuery(.int(7), on: $0) }),
                ("a passkey by credential id (login/complete/)", { store.byCredentialIDQuery([1, 2, 3], on: $0) }),
                ("taking a challenge", { _ in PasskeyStore.takeQuery("auth:" + String(repeating: "a", count: 32)) }),
                ("purging expired challenges", { _ in PasskeyStore.purgeQuery(Date()) }),
            ]
            for (name, query) in queries {
                let plan = try await QueryPlanTests.plan(on: app, raw: query)
                #expect(!plan.isEmpty)
                #expect(QueryPlanTests.fullScans(in: plan).isEmpty, "\(name): \(plan.joined(separator: " | "))")
            }
        }
    }

    @Test("The OpenAPI document lists the passkey operations")
    func openAPI() async throws {
        try await withPasskeyApp { app, _ in
            let paths = app.restAuth.openAPIDocument()["paths"]
            for path in [
                "register/begin/", "register/complete/", "login/begin/", "login/complete/", "", "{pk}/",
            ] {
                #expect(paths?["/dj-rest-auth/passkeys/\(path)"] != nil, "\(path)")
            }
        }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

extension JSONValue {
    fileprivate subscript(_ key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    fileprivate var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    fileprivate var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
