import Fluent
import Foundation
import NIOConcurrencyHelpers
import RestAuthTesting
import Testing
import Vapor

@testable import RestAuth

/// allauth's defaults, as the demo and an app get them, with time stopped at the start of
/// a day, where every rule's slot starts: a test that crosses a slot boundary would see
/// part of its earlier hits fade.
private func defaults(_ c: inout RestAuthConfiguration) {
    c.rateLimits = RestAuthConfiguration.defaultRateLimits
    c.rateLimitClock = { Date(timeIntervalSince1970: 20_000 * 86_400) }
}

/// A hasher that counts its work, to prove a refused request costs none.
private final class CountingHasher: RestAuth.PasswordHasher, @unchecked Sendable {
    let base = PBKDF2PasswordHasher(iterations: 1000)
    let count = NIOLockedValueBox(0)
    var algorithm: String { base.algorithm }
    func encode(_ password: String) throws -> String {
        count.withLockedValue { $0 += 1 }
        return try base.encode(password)
    }
    func verify(_ password: String, encoded: String) -> Bool {
        count.withLockedValue { $0 += 1 }
        return base.verify(password, encoded: encoded)
    }
    func mustUpdate(_ encoded: String) -> Bool { base.mustUpdate(encoded) }
}

private func login(_ client: TestClient, _ fields: JSONValue) async throws -> TestClient.Reply {
    let reply = try await client.post("login/", fields)
    client.cookies = [:]
    return reply
}

private func expectThrottled(_ reply: TestClient.Reply, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(reply.status == .tooManyRequests, sourceLocation: sourceLocation)
    let wait = Int(reply.headers.first(name: "Retry-After") ?? "")
    #expect(wait != nil && wait! >= 1, sourceLocation: sourceLocation)
    let unit = wait == 1 ? "second" : "seconds"
    #expect(
        reply.json == ["detail": .string("Request was throttled. Expected available in \(wait ?? 0) \(unit).")],
        sourceLocation: sourceLocation)
}

@Suite("Rate limits")
struct RateLimitTests {
    @Test("allauth's rule syntax: amounts, durations with and without a count, per ip, key or user")
    func ruleSyntax() throws {
        #expect(
            try RateLimitRule.parse("10/m/ip,5/300s/key") == [
                RateLimitRule(amount: 10, duration: 60, per: .ip), RateLimitRule(amount: 5, duration: 300, per: .key),
            ])
        #expect(try RateLimitRule.parse("1/3m/key") == [RateLimitRule(amount: 1, duration: 180, per: .key)])
        #expect(try RateLimitRule.parse("5/m/user") == [RateLimitRule(amount: 5, duration: 60, per: .user)])
        #expect(try RateLimitRule.parse("2/h") == [RateLimitRule(amount: 2, duration: 3600, per: .ip)])
        #expect(try RateLimitRule.parse("2/1.5m") == [RateLimitRule(amount: 2, duration: 90, per: .ip)])
        // A duration needs its unit, as allauth's parser insists.
        for bad in ["ten/m/ip", "5/m/planet", "5", "0/m/ip", "5/xm/ip", "5/m/ip/extra", "2/90", "2/-1m", "2/0.001s"] {
            #expect(throws: (any Error).self) { try RateLimitRule.parse(bad) }
        }
        let error = #expect(throws: ConfigurationError.self) {
            try RestAuthConfiguration(environment: ["SECRET_KEY": "s", "ACCOUNT_RATE_LIMITS": #"{"login": "ten/m"}"#])
                .validate()
        }
        #expect(error?.setting == "ACCOUNT_RATE_LIMITS" && error?.message.contains("login") == true)
        let proxies = #expect(throws: ConfigurationError.self) {
            try RestAuthConfiguration(environment: ["SECRET_KEY": "s", "TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"])
        }
        #expect(proxies?.setting == "TRUSTED_PROXIES")
        let c = try RestAuthConfiguration(environment: ["SECRET_KEY": "s", "TRUSTED_PROXIES": "10.0.0.0/8, ::1"])
        #expect(c.trustedProxies.map(\.description) == ["10.0.0.0/8", "::1"])
    }

    @Test("login 30/m/ip counts every attempt; a success does not count as a failure")
    func loginPerIP() async throws {
        try await withRestAuthApp(defaults) { _, client in
            let user = try await client.register()
            for _ in 0..<30 {
                let reply = try await login(
                    client, ["username": .string(user.username), "password": .string(password)])
                #expect(reply.status == .ok)
            }
            expectThrottled(
                try await login(client, ["username": .string(user.username), "password": .string(password)]))
        }
    }

    @Test("login_failed 5/300s per account: case and Unicode variants share one bucket; a success resets nothing")
    func loginFailedPerKey() async throws {
        try await withRestAuthApp(defaults) { _, client in
            try await client.register("alice", email: "alice@example.com")
            let wrong: JSONValue = .string("not-the-password")
            for name in ["alice", "ALICE", "Alice"] {
                let s1 = try await login(client, ["username": .string(name), "password": wrong]).status
                #expect(s1 == .badRequest)
            }
            // A success between failures takes back only its own attempt.
            let s2 = try await login(client, ["username": "alice", "password": .string(password)]).status
            #expect(s2 == .ok)
            // Fullwidth letters are the same account once normalised (NFKC).
            let s3 = try await login(client, ["username": "ａｌｉｃｅ", "password": wrong]).status
            #expect(s3 == .badRequest)
            let s4 = try await login(client, ["username": " Alice ", "password": wrong]).status
            #expect(s4 == .badRequest)
            // Five failures within 300 s: even the right password is refused now.
            let refused = try await login(client, ["username": "alice", "password": .string(password)])
            expectThrottled(refused)
            #expect(Int(refused.headers.first(name: "Retry-After") ?? "0")! > 60)
            // Another account from the same address is not locked.
            let other = try await client.register("bob")
            let s5 = try await login(client, ["username": "bob", "password": .string(password)]).status
            #expect(s5 == .ok)
            _ = other
        }
    }

    @Test("login_failed counts the identifier the login uses: a field the login method ignores opens no new bucket")
    func loginFailedKeyIsTheLoginField() async throws {
        try await withRestAuthApp({
            defaults(&$0)
            $0.loginMethods = [.username]
        }) { _, client in
            try await client.register("carol", email: "carol@example.com")
            for index in 0..<5 {
                let fields: JSONValue = [
                    "username": "carol", "email": .string("decoy\(index)@example.com"), "password": "wrong",
                ]
                #expect(try await login(client, fields).status == .badRequest)
            }
            expectThrottled(try await login(client, ["username": "carol", "password": .string(password)]))
        }
        try await withRestAuthApp({
            defaults(&$0)
            $0.loginMethods = [.email]
        }) { _, client in
            try await client.register("dave", email: "dave@example.com")
            for index in 0..<5 {
                let fields: JSONValue = [
                    "email": "dave@example.com", "username": .string("decoy\(index)"), "password": "wrong",
                ]
                #expect(try await login(client, fields).status == .badRequest)
            }
            expectThrottled(try await login(client, ["email": "dave@example.com", "password": .string(password)]))
        }
    }

    @Test("login_failed 10/m/ip: many accounts from one address; the refusal has its audit line")
    func loginFailedPerIP() async throws {
        let capture = LogCapture.shared
        let mark = capture.mark()
        try await withRestAuthApp(defaults) { _, client in
            for index in 0..<10 {
                let reply = try await login(client, ["username": .string("nobody\(index)"), "password": "x"])
                #expect(reply.status == .badRequest)
            }
            expectThrottled(try await login(client, ["username": "nobody-else", "password": "x"]))
        }
        #expect(
            capture.lines(since: mark).contains {
                $0.contains("restauth.audit") && $0.contains("event=throttled") && $0.contains("action=login_failed")
                    && $0.contains("rule=10/60s/ip") && $0.contains("outcome=refused")
            })
    }

    @Test("A refused login costs no password hash, and racing attempts cannot outrun the count")
    func refusedBeforeHashing() async throws {
        let hasher = CountingHasher()
        try await withRestAuthApp({
            defaults(&$0)
            $0.passwordHashers = [hasher]
        }) { app, client in
            try await client.register("carol")
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await TestClient(app: app).post("login/", ["username": "Carol", "password": "wrong"]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .badRequest }.count == 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 7)
            let before = hasher.count.withLockedValue { $0 }
            expectThrottled(try await login(client, ["username": "carol", "password": "wrong"]))
            #expect(hasher.count.withLockedValue { $0 } == before)
        }
    }

    @Test("signup 20/m/ip")
    func signup() async throws {
        try await withRestAuthApp(defaults) { _, client in
            for _ in 0..<20 {
                let s6 = try await client.register().reply.status
                #expect(s6 == .created)
            }
            expectThrottled(try await client.register().reply)
        }
    }

    @Test("reset_password 5/m per address, whatever its case; 20/m/ip")
    func resetPassword() async throws {
        try await withRestAuthApp(defaults) { app, client in
            try await client.register("dave", email: "dave@example.com")
            for address in [
                "dave@example.com", "DAVE@example.com", "Dave@Example.com", "dave@EXAMPLE.com", "dave@example.com",
            ] {
                let s7 = try await client.post("password/reset/", ["email": .string(address)]).status
                #expect(s7 == .ok)
            }
            expectThrottled(try await client.post("password/reset/", ["email": "DAVE@EXAMPLE.COM"]))
            // Unknown addresses count the same, so a 429 tells nothing about the account.
            for index in 0..<14 {
                let reply = try await client.post("password/reset/", ["email": .string("x\(index)@example.com")])
                #expect(reply.status == .ok)
            }
            expectThrottled(try await client.post("password/reset/", ["email": "y@example.com"]))
            await app.restAuth.deliverPendingEmail()
        }
    }

    @Test("reset_password_from_key 20/m/ip")
    func resetConfirm() async throws {
        try await withRestAuthApp(defaults) { _, client in
            let body: JSONValue = ["uid": "1", "token": "x", "new_password1": "a", "new_password2": "a"]
            for _ in 0..<20 {
                let s8 = try await client.post("password/reset/confirm/", body).status
                #expect(s8 == .badRequest)
            }
            expectThrottled(try await client.post("password/reset/confirm/", body))
        }
    }

    @Test("change_password 5/m per user")
    func changePassword() async throws {
        try await withRestAuthApp(defaults) { app, client in
            let user = try await client.register()
            try await client.logIn(user.username)
            let body: JSONValue = ["new_password1": "short", "new_password2": "short"]
            for _ in 0..<5 {
                let s9 = try await client.post("password/change/", body).status
                #expect(s9 == .badRequest)
            }
            expectThrottled(try await client.post("password/change/", body))
            // Another user is not affected.
            let other = TestClient(app: app)
            let second = try await other.register()
            try await other.logIn(second.username)
            let s10 = try await other.post("password/change/", body).status
            #expect(s10 == .badRequest)
        }
    }

    @Test("confirm_email 1/180s per address: a second resend sends nothing and answers the same")
    func confirmEmail() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({
            defaults(&$0)
            $0.emailVerification = .optional
            $0.emailSender = mail
        }) { app, client in
            let user = try await client.register()
            await app.restAuth.deliverPendingEmail()
            #expect(mail.messages(to: user.email).count == 1)
            for _ in 0..<2 {
                let reply = try await client.post(
                    "registration/resend-email/", ["email": .string(user.email.uppercased())])
                #expect(reply.status == .ok && reply.json == ["detail": "ok"])
            }
            await app.restAuth.deliverPendingEmail()
            #expect(mail.messages(to: user.email).count == 1)
        }
    }

    @Test("ACCOUNT_RATE_LIMITS overrides only what it names; false turns every limit off")
    func overrides() async throws {
        let c = try RestAuthConfiguration(environment: [
            "SECRET_KEY": "s", "ACCOUNT_RATE_LIMITS": #"{"login_failed": "2/m/ip"}"#,
        ])
        #expect(c.rateLimits?["signup"] == "20/m/ip")
        try await withRestAuthApp({
            defaults(&$0)
            $0.rateLimits = c.rateLimits
        }) { _, client in
            for _ in 0..<2 {
                let s11 = try await login(client, ["username": "nobody", "password": "x"]).status
                #expect(s11 == .badRequest)
            }
            expectThrottled(try await login(client, ["username": "someone", "password": "x"]))
        }
        try await withRestAuthApp({ $0.rateLimits = nil }) { _, client in
            for _ in 0..<12 {
                let s12 = try await login(client, ["username": "nobody", "password": "x"]).status
                #expect(s12 == .badRequest)
            }
        }
    }

    @Test("Two instances on one database share every count")
    func acrossInstances() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rl-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        func instance() async throws -> Application {
            let app = try await Application.make(.testing)
            app.threadPool = NIOThreadPool(numberOfThreads: 4)
            app.databases.use(
                .sqlite(.file(path), dataEncoder: .init(), dataDecoder: .init(), sqlLogLevel: .trace), as: .sqlite)
            try await app.restAuth.configure(
                testConfiguration {
                    defaults(&$0)
                    $0.rateLimits = ["login_failed": "5/m/ip,3/5m/key"]
                })
            try await app.autoMigrate()
            try app.restAuth.mount(at: "dj-rest-auth")
            return app
        }
        let first = try await instance()
        let second = try await instance()
        do {
            // Attempts alternate between the instances, as a load balancer spreads them.
            for index in 0..<3 {
                let app = index % 2 == 0 ? first : second
                let reply = try await login(TestClient(app: app), ["username": "erin", "password": "x"])
                #expect(reply.status == .badRequest)
            }
            // The account's three failures were counted on both: the fourth is refused.
            expectThrottled(try await login(TestClient(app: second), ["username": "ERIN", "password": "x"]))
            // The address has used four of its five (the refused attempt counted there).
            let other = try await login(TestClient(app: first), ["username": "frank", "password": "x"])
            #expect(other.status == .badRequest)
            expectThrottled(try await login(TestClient(app: second), ["username": "grace", "password": "x"]))
        } catch {
            try await first.asyncShutdown()
            try await second.asyncShutdown()
            throw error
        }
        try await first.asyncShutdown()
        try await second.asyncShutdown()
    }

    @Test("Without trusted proxies a spoofed X-Forwarded-For neither escapes nor resets a limit")
    func spoofedForwardedFor() async throws {
        try await withRestAuthApp({
            defaults(&$0)
            $0.rateLimits = ["login_failed": "3/m/ip"]
        }) { app, _ in
            let client = TestClient(app: app, method: .running(hostname: "127.0.0.1", port: 0))
            for index in 0..<3 {
                let reply = try await client.post(
                    "login/", ["username": "nobody", "password": "x"],
                    headers: ["X-Forwarded-For": "198.51.100.\(index)"])
                #expect(reply.status == .badRequest)
            }
            expectThrottled(
                try await client.post(
                    "login/", ["username": "nobody", "password": "x"], headers: ["X-Forwarded-For": "203.0.113.77"]))
        }
    }

    @Test("Behind a trusted proxy the address it appended counts; what the client wrote before it does not")
    func trustedProxy() async throws {
        try await withRestAuthApp({
            defaults(&$0)
            $0.rateLimits = ["login_failed": "2/m/ip"]
            $0.trustedProxies = [IPNetwork("127.0.0.0/8")!]
        }) { app, _ in
            let client = TestClient(app: app, method: .running(hostname: "127.0.0.1", port: 0))
            func attempt(_ forwardedFor: String) async throws -> TestClient.Reply {
                try await client.post(
                    "login/", ["username": "nobody", "password": "x"], headers: ["X-Forwarded-For": forwardedFor])
            }
            // The client claims a new address each time; the proxy appended the real one.
            let s13 = try await attempt("10.9.9.1, 192.0.2.10").status
            #expect(s13 == .badRequest)
            let s14 = try await attempt("10.9.9.2, 192.0.2.10").status
            #expect(s14 == .badRequest)
            expectThrottled(try await attempt("10.9.9.3, 192.0.2.10"))
            // Another client behind the same proxy has its own count.
            let s15 = try await attempt("192.0.2.11").status
            #expect(s15 == .badRequest)
        }
    }

    @Test("Client address: peer, trusted hops skipped from the right, IPv6 by /64")
    func clientAddress() {
        let none = ClientAddress(trustedProxies: [])
        #expect(none.resolve(peer: "203.0.113.5", forwardedFor: ["1.2.3.4"]) == "203.0.113.5")
        let proxies = ClientAddress(trustedProxies: [IPNetwork("10.0.0.0/8")!, IPNetwork("::1")!])
        #expect(proxies.resolve(peer: "10.0.0.2", forwardedFor: ["1.2.3.4, 10.0.0.9"]) == "1.2.3.4")
        #expect(proxies.resolve(peer: "10.0.0.2", forwardedFor: ["6.6.6.6", "1.2.3.4"]) == "1.2.3.4")
        #expect(proxies.resolve(peer: "::1", forwardedFor: ["[2001:db8::1]:4711"]) == "2001:db8:0:0:0:0:0:1")
        #expect(proxies.resolve(peer: "10.0.0.2", forwardedFor: ["garbage, 10.0.0.3"]) == "10.0.0.3")
        #expect(proxies.resolve(peer: "10.0.0.2", forwardedFor: []) == "10.0.0.2")
        #expect(proxies.resolve(peer: "::ffff:10.0.0.2", forwardedFor: ["192.0.2.1"]) == "192.0.2.1")
        #expect(
            ClientAddress.rateLimitSource("2001:db8:1:2:aaaa::1") == ClientAddress.rateLimitSource("2001:db8:1:2::9"))
        #expect(ClientAddress.rateLimitSource("2001:db8:1:3::1") != ClientAddress.rateLimitSource("2001:db8:1:2::1"))
        #expect(ClientAddress.rateLimitSource("192.0.2.1") == "192.0.2.1")
    }

    @Test("The sliding window: the previous slot's hits fade; the wait is when a hit fits again")
    func slidingWindow() async throws {
        try await withRestAuthApp { app, _ in
            let store = DatabaseRateLimitStore()
            let rule = RateLimitRule(amount: 3, duration: 60, per: .key)
            let start = Date(timeIntervalSince1970: 6000)  // the start of a slot
            for second in 0..<3 {
                let decision = try await store.hit("b", rule: rule, now: start + Double(second), on: app.db)
                guard case .allowed = decision else {
                    Issue.record("hit \(second) refused")
                    return
                }
            }
            // Full: the next hit fits once a third of these has faded, 20 s into the next slot.
            #expect(try await store.hit("b", rule: rule, now: start + 10, on: app.db) == .refused(retryAfter: 70))
            // 20 s into the next slot a third of the old hits has faded: one more fits.
            guard case .allowed = try await store.hit("b", rule: rule, now: start + 80, on: app.db) else {
                Issue.record("refused after the window slid")
                return
            }
            #expect(try await store.hit("b", rule: rule, now: start + 81, on: app.db) == .refused(retryAfter: 19))
            // Other buckets are not touched.
            guard case .allowed(let receipt) = try await store.hit("c", rule: rule, now: start + 81, on: app.db) else {
                Issue.record("another bucket was refused")
                return
            }
            try await store.refund(receipt, on: app.db)
        }
    }
}
