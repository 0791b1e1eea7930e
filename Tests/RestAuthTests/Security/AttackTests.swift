import Fluent
import Foundation
import NIOConcurrencyHelpers
import RestAuthTesting
import SQLKit
import Testing
import Vapor

@testable import RestAuth

/// The attacks a review found, each as the attacker sends it.
@Suite("Attacks: forged Host, field floods, hidden recipients, numeric identifiers")
struct AttackTests {
    static let forgedHosts = [
        "localhost:@evil.example", "[::1]:@evil.example", "localhost:80:81", "localhost/evil",
        "localhost@evil.example", "local host", "[::1]evil", "localhost:", ":80", ".", "",
    ]

    @Test("Django's host grammar: domain or [IPv6], optional :port, nothing else")
    func hostGrammar() {
        #expect(RequestHost("LocalHost:8000")?.authority == "localhost:8000")
        #expect(RequestHost("example.com.")?.domain == "example.com")
        #expect(RequestHost("[::1]:8000")?.domain == "[::1]")
        #expect(RequestHost("[::1]:8000")?.port == "8000")
        #expect(RequestHost("[2001:DB8::1]")?.domain == "[2001:db8::1]")
        #expect(RequestHost("127.0.0.1")?.authority == "127.0.0.1")
        for forged in Self.forgedHosts { #expect(RequestHost(forged) == nil, "\(forged)") }
        #expect(RequestHost("exa\u{212A}mple.com") == nil, "no Unicode folding into ASCII")
        #expect(RequestHost("localhost:８０") == nil, "ASCII digits only")

        let allowed = AllowedHosts([".Example.com", "api.test", "[::1]"])
        #expect(allowed.allows("example.com") && allowed.allows("a.b.example.com") && allowed.allows("api.test"))
        #expect(allowed.allows("[::1]"))
        #expect(!allowed.allows("badexample.com") && !allowed.allows("x.api.test") && !allowed.allows("localhost"))
        #expect(AllowedHosts(["*"]).allows("anything.example"))
        #expect(!AllowedHosts([]).allows("localhost"))
    }

    @Test("A forged Host is a 400 on every route that mails a link, and nothing is sent or created")
    func forgedHostOnLinkRoutes() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({ $0.emailSender = mail }) { app, client in
            let user = try await client.register("victim", email: "victim@example.com")
            #expect(user.reply.status == .created)
            await app.restAuth.deliverPendingEmail()
            let before = mail.messages.count
            for forged in Self.forgedHosts + ["evil.example", "localhost.evil.example"] where !forged.isEmpty {
                let attacker = TestClient(app: app)
                let replies = [
                    try await attacker.post(
                        "password/reset/", ["email": "victim@example.com"], headers: ["Host": forged]),
                    try await attacker.post(
                        "registration/resend-email/", ["email": "victim@example.com"], headers: ["Host": forged]),
                    try await attacker.post(
                        "registration/",
                        [
                            "username": "mallory", "email": "mallory@example.com", "password1": .string(password),
                            "password2": .string(password),
                        ], headers: ["Host": forged]),
                ]
                for reply in replies {
                    #expect(reply.status == .badRequest, "\(forged)")
                    #expect(reply.string("detail")?.hasPrefix("Invalid HTTP_HOST header: ") == true, "\(forged)")
                }
            }
            await app.restAuth.deliverPendingEmail()
            #expect(mail.messages.count == before, "no mail for a forged host")
            #expect(try await AuthUser.query(on: app.db).filter(\.$username == "mallory").count() == 0)
            // Every route under the prefix refuses it, as Django's CommonMiddleware does.
            client.authorization = nil
            try await client.logIn("victim")
            #expect(try await client.get("user/", headers: ["Host": "localhost:@evil.example"]).status == .badRequest)
        }
    }

    @Test("Links are built from the parsed domain and port, lower-cased, never from the raw header")
    func linksFromParsedHost() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({ $0.emailSender = mail }) { app, client in
            let user = try await client.register()
            let reply = try await client.post(
                "password/reset/", ["email": .string(user.email)], headers: ["Host": "LOCALHOST.:8000"])
            #expect(reply.status == .ok)
            await app.restAuth.deliverPendingEmail()
            let message = try #require(mail.messages(to: user.email).last)
            #expect(message.text.contains("http://localhost:8000/password-reset/confirm/"))
        }
    }

    @Test("ALLOWED_HOSTS: empty without DEBUG stops start-up; DEBUG allows only this machine's names")
    func allowedHostsDefaults() async throws {
        var production = RestAuthConfiguration(secretKey: "k")
        try production.validate()
        #expect(throws: ConfigurationError.self) { try production.validateForServing() }
        let app = try await Application.make(.testing)
        await #expect(throws: ConfigurationError.self) { try await app.restAuth.configure(production) }
        try await app.asyncShutdown()
        production.allowedHosts = ["api.example.com"]
        try production.validateForServing()
        #expect(
            try RestAuthConfiguration(environment: ["SECRET_KEY": "k", "DEBUG": "true"]).effectiveAllowedHosts == [
                ".localhost", "127.0.0.1", "[::1]",
            ])
        #expect(
            try RestAuthConfiguration(environment: ["SECRET_KEY": "k", "ALLOWED_HOSTS": "a.example,.b.example"])
                .effectiveAllowedHosts == ["a.example", ".b.example"])
        try await withRestAuthApp({
            $0.debug = false
            $0.allowedHosts = ["api.example.com"]
        }) { _, client in
            let local = try await client.post("login/", ["username": "x", "password": "y"])
            #expect(local.status == .badRequest)
            #expect(
                local.json == [
                    "detail":
                        "Invalid HTTP_HOST header: 'localhost'. You may need to add 'localhost' to ALLOWED_HOSTS."
                ])
            let api = try await client.post(
                "login/", ["username": "x", "password": "y"], headers: ["Host": "api.example.com"])
            #expect(api.json == ["non_field_errors": ["Unable to log in with provided credentials."]])
        }
    }

    @Test("DATA_UPLOAD_MAX_NUMBER_FIELDS: 1000 fields pass, 1001 are a 400 for form, JSON and multipart")
    func fieldLimit() async throws {
        try await withRestAuthApp { _, client in
            func form(_ count: Int) -> String {
                (0..<count).map { "k\($0)=v" }.joined(separator: "&")
            }
            let refused: JSONValue = ["detail": .string(RequestFieldLimit.message)]
            let formOK = try await client.request(
                .POST, "login/", .raw(form(1000), contentType: "application/x-www-form-urlencoded"))
            #expect(formOK.json == ["password": ["This field is required."]])
            let formOver = try await client.request(
                .POST, "login/", .raw(form(1001), contentType: "application/x-www-form-urlencoded"))
            #expect(formOver.status == .badRequest && formOver.json == refused)
            // 240 kB of distinct keys: refused before a single key is decoded.
            let flood = try await client.request(
                .POST, "login/", .raw(form(30_000), contentType: "application/x-www-form-urlencoded"))
            #expect(flood.status == .badRequest && flood.json == refused)

            func json(_ count: Int) -> String {
                "{" + (0..<count).map { "\"k\($0)\":1" }.joined(separator: ",") + "}"
            }
            let jsonOK = try await client.request(.POST, "login/", .raw(json(1000), contentType: "application/json"))
            #expect(jsonOK.json == ["password": ["This field is required."]])
            let jsonOver = try await client.request(.POST, "login/", .raw(json(1001), contentType: "application/json"))
            #expect(jsonOver.status == .badRequest && jsonOver.json == refused)
            // Members are counted through the whole document, arrays included.
            let nested = "{\"username\": [" + Array(repeating: "0", count: 1000).joined(separator: ",") + "]}"
            let nestedOver = try await client.request(.POST, "login/", .raw(nested, contentType: "application/json"))
            #expect(nestedOver.json == refused)

            func multipart(_ count: Int) -> String {
                (0..<count).map { "--XyZ\r\nContent-Disposition: form-data; name=\"k\($0)\"\r\n\r\nv\r\n" }.joined()
                    + "--XyZ--\r\n"
            }
            let partsOK = try await client.request(
                .POST, "login/", .raw(multipart(1000), contentType: "multipart/form-data; boundary=XyZ"))
            #expect(partsOK.json == ["password": ["This field is required."]])
            let partsOver = try await client.request(
                .POST, "login/", .raw(multipart(1001), contentType: "multipart/form-data; boundary=XyZ"))
            #expect(partsOver.status == .badRequest && partsOver.json == refused)
        }
        try await withRestAuthApp({ $0.maxNumberOfFields = nil }) { _, client in
            let form = (0..<1500).map { "k\($0)=v" }.joined(separator: "&")
            let reply = try await client.request(
                .POST, "login/", .raw(form, contentType: "application/x-www-form-urlencoded"))
            #expect(reply.json == ["password": ["This field is required."]], "None: no limit")
        }
        #expect(
            try RestAuthConfiguration(environment: ["SECRET_KEY": "k", "DATA_UPLOAD_MAX_NUMBER_FIELDS": "None"])
                .maxNumberOfFields == nil)
        #expect(
            try RestAuthConfiguration(environment: ["SECRET_KEY": "k", "DATA_UPLOAD_MAX_NUMBER_FIELDS": "20"])
                .maxNumberOfFields == 20)
    }

    @Test("Form bodies decode as Django's QueryDict does")
    func formDecoding() throws {
        let object = try FormURLEncoded.parse(
            Array("a=1&b=two+words&c=%C3%A9%2B&d&&e=%zz%4&a=last&f=%FF&=empty".utf8), maxFields: 100)
        #expect(object["a"] == "last")
        #expect(object["b"] == "two words")
        #expect(object["c"] == "é+")
        #expect(object["d"] == "")
        #expect(object["e"] == "%zz%4")
        #expect(object["f"] == "\u{FFFD}")
        #expect(object[""] == "empty")
        #expect(object.keys == ["a", "b", "c", "d", "e", "f", ""])
        #expect(throws: RequestFieldLimit.self) { try FormURLEncoded.parse(Array("a&b&c".utf8), maxFields: 2) }
    }

    @Test("JSONObject: keys keep their order and their index through overwrite and removal")
    func jsonObjectIndex() {
        var object = JSONObject()
        for index in 0..<10_000 { object["k\(index)"] = .int(index) }
        #expect(object.count == 10_000 && object["k9999"] == 9999)
        object["k5"] = "five"
        object["k3"] = nil
        #expect(object.count == 9_999 && object["k3"] == nil && object["k4"] == 4 && object["k5"] == "five")
        #expect(Array(object.keys.prefix(5)) == ["k0", "k1", "k2", "k4", "k5"])
        object["k3"] = "back"
        #expect(object.keys.last == "k3" && object["k3"] == "back" && object["k9999"] == 9999)
        let reordered: JSONObject = ["b": 2, "a": 1]
        #expect(reordered == ["a": 1, "b": 2])
    }

    @Test("A quoted local part that looks like a mailbox: the mail goes to the address itself")
    func hiddenRecipient() async throws {
        let address = #""x<mallory@evil.example>"@corp.example"#
        #expect(EmailMessage.address(of: #"Accounts <noreply@example.com>"#) == "noreply@example.com")
        #expect(EmailMessage.address(of: #""Team <a@b>" <noreply@example.com>"#) == "noreply@example.com")
        #expect(EmailMessage.address(of: address) == address)
        #expect(EmailMessage.isSafeSMTPPath(address))
        #expect(!EmailMessage.isSafeSMTPPath("a@b>\r\nRCPT TO:<c@d"))
        #expect(!EmailMessage.isSafeSMTPPath("x <mallory@evil.example>"))

        let server = try await TestSMTPServer.start()
        try await withRestAuthApp({
            $0.emailSender = nil
            $0.smtp = SMTPConfiguration(host: "127.0.0.1", port: server.port)
        }) { _, client in
            let user = try await client.register("quoted", email: address)
            #expect(user.reply.status == .created)
            let received = await server.waitForMessages(1)
            #expect(received.first?.recipients == [address], "RCPT TO names the whole address")
            #expect(received.first?.recipients.contains("mallory@evil.example") == false)
        }
        await server.stop()
    }

    /// A valid address of exactly `total` characters.
    static func address(length total: Int) -> String {
        var remaining = total - 64 - 1 - "example.com".count
        var labels = ""
        while remaining > 0 {
            var chunk = min(61, remaining)
            if remaining - chunk == 1 { chunk -= 1 }
            labels += String(repeating: "b", count: chunk - 1) + "."
            remaining -= chunk
        }
        return String(repeating: "a", count: 64) + "@" + labels + "example.com"
    }

    @Test("An address longer than its column is a field error at sign-up, not a failed INSERT")
    func addressLength() async throws {
        try await withRestAuthApp { app, client in
            for length in [255, 320] {
                let email = Self.address(length: length)
                #expect(email.count == length)
                let reply = try await client.register("long\(length)", email: email).reply
                #expect(reply.status == .badRequest, "\(email.count): \(reply.body)")
                #expect(reply.body.contains("\"email\":"), "\(reply.body)")
            }
            let fits = Self.address(length: 254)
            #expect(try await client.register("fits", email: fits).reply.status == .created)
            #expect(try await AuthUser.query(on: app.db).count() == 1)
        }
    }

    @Test("resend-email does the same work before answering for unknown and unverified addresses")
    func resendCostsTheSame() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({
            $0.rateLimits = RestAuthConfiguration.defaultRateLimits
            $0.rateLimitClock = { Date(timeIntervalSince1970: 20_000 * 86_400) }
            $0.emailSender = mail
        }) { app, client in
            let user = try await client.register()
            await app.restAuth.deliverPendingEmail()
            let sql = try #require(app.db as? any SQLDatabase)
            func buckets() async throws -> Int {
                try await sql.raw("SELECT COUNT(*) AS n FROM restauth_ratelimit").first()!.decode(
                    column: "n", as: Int.self)
            }
            // The per-address limit counts every request, the unknown address's too: a
            // known address can no longer be told by the work its request causes.
            let before = try await buckets()
            let unknown = try await client.post("registration/resend-email/", ["email": "nobody@example.com"])
            #expect(unknown.json == ["detail": "ok"])
            #expect(try await buckets() == before + 1, "counted for an address nobody has")
            let known = try await client.post("registration/resend-email/", ["email": .string(user.email)])
            #expect(known.json == ["detail": "ok"])
            await app.restAuth.deliverPendingEmail()
            #expect(mail.messages(to: user.email).count == 1, "sign-up's mail; the resend is within 1/3m")
        }
    }

    @Test("A numeric username is the same account as its text for login_failed")
    func numericUsernameIsCounted() async throws {
        try await withRestAuthApp({
            $0.rateLimits = RestAuthConfiguration.defaultRateLimits
            $0.rateLimitClock = { Date(timeIntervalSince1970: 20_000 * 86_400) }
        }) { _, client in
            try await client.register("4155550123", email: "phone@example.com")
            for attempt in 0..<5 {
                let username: JSONValue = attempt.isMultiple(of: 2) ? 4_155_550_123 : "4155550123"
                let reply = try await client.post("login/", ["username": username, "password": "wrong"])
                client.cookies = [:]
                #expect(reply.status == .badRequest)
            }
            let refused = try await client.post("login/", ["username": 4_155_550_123, "password": .string(password)])
            #expect(refused.status == .tooManyRequests)
        }
    }

    /// Changes the password right after the default serializer checked the old one: the
    /// reset that commits while a login is between its check and its record.
    struct RacedByReset: LoginSerializer {
        let newHash: String
        func authenticate(_ fields: JSONObject, context: RestAuthContext) async throws -> LoginResult {
            let result = try await DefaultLoginSerializer().authenticate(fields, context: context)
            try await context.state.users.setPassword(
                of: try result.user.requireAccountKey(), to: newHash, on: context.database)
            return result
        }
    }

    @Test("A login that raced a password change is refused, and its hash upgrade cannot undo the change")
    func loginRacingReset() async throws {
        let newHash = try PBKDF2PasswordHasher(iterations: 1000).encode("Brand-New-Password-77")
        try await withRestAuthApp({ $0.loginSerializer = RacedByReset(newHash: newHash) }) { app, client in
            let user = try await client.register()
            let stored = try #require(try await AuthUser.query(on: app.db).filter(\.$username == user.username).first())
            // A legacy hash, so the login also wants to upgrade it.
            stored.password = try PBKDF2PasswordHasher(algorithm: .sha1, iterations: 1000).encode(password)
            try await stored.save(on: app.db)
            let tokensBefore = try await AuthToken.query(on: app.db).count()
            let reply = try await TestClient(app: app).post(
                "login/", ["username": .string(user.username), "password": .string(password)])
            #expect(reply.status == .badRequest)
            #expect(reply.json == ["non_field_errors": ["Unable to log in with provided credentials."]])
            let after = try #require(try await AuthUser.find(stored.id, on: app.db))
            #expect(after.password == newHash, "the reset's hash stays")
            #expect(try await AuthToken.query(on: app.db).count() == tokensBefore, "no token for the raced login")
        }
    }

    /// A reset that commits between the login's record and its refresh family: it writes
    /// the new hash and revokes the user's families, before this login's family exists.
    struct ResetBeforeFamily: JWTClaimsSerializer {
        let newHash: String
        let armed: NIOLockedValueBox<Bool>
        func claims(for user: any RestAuthUser, context: RestAuthContext) async throws -> JSONObject {
            if armed.withLockedValue({ $0 }) {
                let key = try user.requireAccountKey()
                try await context.state.users.setPassword(of: key, to: newHash, on: context.database)
                try await context.state.refreshTokens.revokeFamilies(of: key, except: nil, on: context.database)
            }
            return [:]
        }
    }

    @Test("A JWT login whose family is made after a reset's revocation does not survive the reset")
    func jwtLoginRacingReset() async throws {
        let armed = NIOLockedValueBox(false)
        let newHash = try PBKDF2PasswordHasher(iterations: 1000).encode("Brand-New-Password-77")
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtClaimsSerializer = ResetBeforeFamily(newHash: newHash, armed: armed)
        }) { app, client in
            let user = try await client.register()
            armed.withLockedValue { $0 = true }
            let reply = try await TestClient(app: app).post(
                "login/", ["username": .string(user.username), "password": .string(password)])
            #expect(reply.status == .badRequest, "\(reply.body)")
            #expect(reply.string("refresh") == nil && reply.string("access") == nil)
            let live = try await RefreshFamily.query(on: app.db).filter(\.$revokedAt == nil).count()
            #expect(live == 0, "no family of the user outlives the reset")
        }
    }
}
