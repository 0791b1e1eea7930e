import Fluent
import Foundation
import RestAuthTesting
import Testing
import Vapor

@testable import RestAuth

@Suite("Hardening: headers, disabled users, timing")
struct HardeningTests {
    @Test("Credentials are never cached and no response is sniffed")
    func headers() async throws {
        try await withRestAuthApp(jwtProfile) { _, client in
            let user = try await client.register()
            let login = try await client.post(
                "login/", ["username": .string(user.username), "password": .string(password)])
            #expect(login.string("access") != nil)
            client.authorization = "Bearer \(login.string("access")!)"
            let refresh = try await TestClient(app: client.app).post(
                "token/refresh/", ["refresh": .string(login.string("refresh")!)])
            let details = try await client.get("user/")
            let failed = try await TestClient(app: client.app).post("login/", ["username": "x", "password": "y"])
            let missing = try await client.get("no-such-route/")
            for reply in [user.reply, login, refresh, details, failed, missing] {
                #expect(reply.headers.first(name: "Cache-Control") == "no-store")
                #expect(reply.headers.first(name: "Pragma") == "no-cache")
                #expect(reply.headers.first(name: "X-Content-Type-Options") == "nosniff")
            }
            #expect(missing.status == .notFound && refresh.status == .ok && failed.status == .badRequest)
        }
    }

    @Test("A disabled user's token and session fail at once, exactly as an unknown credential does")
    func disabledTokenAndSession() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            client.cookies = [:]
            try await client.logIn(user.username)
            let session = TestClient(app: app)
            session.cookies = client.cookies
            let tokenOnly = TestClient(app: app)
            tokenOnly.authorization = client.authorization
            #expect(try await tokenOnly.get("user/").status == .ok)
            #expect(try await session.get("user/").status == .ok)

            try await AuthUser.query(on: app.db).set(\.$isActive, to: false).update()
            let unknownToken = TestClient(app: app)
            unknownToken.authorization = "Token " + String(repeating: "0", count: 40)
            let unknown = try await unknownToken.get("user/")
            let disabled = try await tokenOnly.get("user/")
            #expect(disabled.status == .unauthorized)
            #expect(disabled.status == unknown.status && disabled.body == unknown.body)
            let anonymous = try await TestClient(app: app).get("user/")
            let disabledSession = try await session.get("user/")
            #expect(disabledSession.status == anonymous.status && disabledSession.body == anonymous.body)
        }
    }

    @Test("A disabled user's access and refresh tokens fail at once, exactly as a deleted user's do")
    func disabledJWT() async throws {
        try await withRestAuthApp(jwtProfile) { app, client in
            func tokens() async throws -> (access: String, refresh: String, username: String) {
                let user = try await client.register()
                let reply = try await TestClient(app: app).post(
                    "login/", ["username": .string(user.username), "password": .string(password)])
                return (reply.string("access")!, reply.string("refresh")!, user.username)
            }
            let disabled = try await tokens()
            let deleted = try await tokens()
            try await AuthUser.query(on: app.db).filter(\.$username == disabled.username).set(\.$isActive, to: false)
                .update()
            try await AuthUser.query(on: app.db).filter(\.$username == deleted.username).delete()
            func access(_ token: String) async throws -> TestClient.Reply {
                let bearer = TestClient(app: app)
                bearer.authorization = "Bearer \(token)"
                return try await bearer.get("user/")
            }
            let a1 = try await access(disabled.access)
            // Signed up after the deletion: on SQLite without AUTOINCREMENT it would get the
            // deleted user's id, and the deleted user's token would be its.
            let control = try await tokens()
            let a0 = try await access(control.access)
            let r0 = try await TestClient(app: app).post("token/refresh/", ["refresh": .string(control.refresh)])
            #expect(a0.status == .ok && r0.status == .ok)
            let a2 = try await access(deleted.access)
            #expect(a1.status == .unauthorized && a1.body == a2.body, "\(a1.body) \(a2.body)")
            let r1 = try await TestClient(app: app).post("token/refresh/", ["refresh": .string(disabled.refresh)])
            let r2 = try await TestClient(app: app).post("token/refresh/", ["refresh": .string(deleted.refresh)])
            #expect(r1.status == .unauthorized && r1.body == r2.body, "\(r1.body) \(r2.body)")
            let v1 = try await TestClient(app: app).post("token/verify/", ["token": .string(disabled.access)])
            #expect(v1.status == .ok)  // simplejwt's verify checks the signature only
        }
    }

    @Test("Unknown user, wrong password and unusable password cost the same hash work")
    func timing() async throws {
        try await withRestAuthApp({
            $0.passwordHashers = [PBKDF2PasswordHasher(iterations: 120_000)]
        }) { app, client in
            let user = try await client.register()
            let socialOnly = try await client.register()
            try await AuthUser.query(on: app.db).filter(\.$username == socialOnly.username)
                .set(\.$password, to: PasswordService.unusable()).update()
            let attempts: [(String, JSONValue)] = [
                ("unknown", ["username": "nobody-here", "password": "Wrong-Password-1"]),
                ("wrong", ["username": .string(user.username), "password": "Wrong-Password-1"]),
                ("unusable", ["username": .string(socialOnly.username), "password": "Wrong-Password-1"]),
            ]
            // Thirty tries of each, interleaved, and their medians. The other suites run at the
            // same time on two cores, so a burst of their work can skew one series: a
            // measurement that misses is taken again, up to three times. A real difference
            // (an unknown user answered without the hash work) misses every time.
            func measure() async throws -> (unknown: Double, wrong: Double, unusable: Double) {
                var times: [String: [Double]] = [:]
                for round in 0..<31 {
                    for (name, body) in attempts {
                        let started = ContinuousClock.now
                        let reply = try await TestClient(app: app).post("login/", body)
                        let elapsed = ContinuousClock.now - started
                        #expect(reply.status == .badRequest)
                        // The first round warms caches and the hashing threads up.
                        if round > 0 {
                            times[name, default: []].append(
                                Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
                        }
                    }
                }
                func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
                return (median(times["unknown"]!), median(times["wrong"]!), median(times["unusable"]!))
            }
            var measured: [(unknown: Double, wrong: Double, unusable: Double)] = []
            for _ in 0..<3 {
                let m = try await measure()
                measured.append(m)
                if abs(m.unknown - m.wrong) / m.wrong < 0.2 && abs(m.unusable - m.wrong) / m.wrong < 0.2 { break }
            }
            let last = measured.last!
            #expect(
                abs(last.unknown - last.wrong) / last.wrong < 0.2,
                "medians (unknown, wrong password, unusable) in s, per measurement: \(measured)")
            #expect(
                abs(last.unusable - last.wrong) / last.wrong < 0.2,
                "medians (unknown, wrong password, unusable) in s, per measurement: \(measured)")
        }
    }
}
