import Fluent
import Foundation
import NIOConcurrencyHelpers
import RestAuthTesting
import SQLKit
import Testing
import Vapor

@testable import RestAuth

/// A clock a test moves by hand: TOTP steps and token ages are read from it.
final class TestClock: Sendable {
    private let box: NIOLockedValueBox<Date>
    init(_ date: Date) { box = NIOLockedValueBox(date) }
    var now: Date { box.withLockedValue { $0 } }
    func advance(_ seconds: TimeInterval) { box.withLockedValue { $0 += seconds } }
}

/// 2 s into a TOTP step, so a test can move a few seconds and stay in it.
private let start = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 30) + 2)
private let invalidCode: JSONValue = ["code": ["Invalid code."]]
private let badToken: JSONValue = ["ephemeral_token": ["Invalid or expired token."]]

private func withMFAApp(
    _ adjust: @escaping (inout RestAuthConfiguration) -> Void = { _ in },
    _ test: (Application, TestClient, TestClock) async throws -> Void
) async throws {
    let clock = TestClock(start)
    try await withRestAuthApp({
        $0.mfa.enabled = true
        $0.mfa.clock = { clock.now }
        adjust(&$0)
    }) { app, client in try await test(app, client, clock) }
}

/// A signed-in user with TOTP on, activated with the code of the current step.
private struct MFAUser {
    let username: String
    let client: TestClient
    let secret: String
    let recoveryCodes: [String]
    let clock: TestClock

    func code(_ offset: Int64 = 0, at date: Date? = nil) -> String {
        let totp = TOTP(base32Secret: secret, digits: 6, period: 30)!
        return totp.code(step: totp.step(at: date ?? clock.now) + offset)
    }
}

private func enableMFA(_ app: Application, clock: TestClock) async throws -> MFAUser {
    let client = TestClient(app: app)
    let username = try await client.register().username
    let login = try await client.logIn(username)
    try #require(login.status == .ok, "\(login.body)")
    let offer = try await client.get("mfa/totp/activate/")
    let secret = try #require(offer.string("secret"))
    let totp = try #require(TOTP(base32Secret: secret, digits: 6, period: 30))
    let reply = try await client.post(
        "mfa/totp/activate/",
        [
            "activation_token": .string(try #require(offer.string("activation_token"))),
            "code": .string(totp.code(step: totp.step(at: clock.now))),
        ])
    try #require(reply.status == .ok, "\(reply.body)")
    guard case .array(let codes)? = reply["recovery_codes"] else { throw Abort(.internalServerError) }
    return MFAUser(
        username: username, client: client, secret: secret, recoveryCodes: codes.compactMap(\.stringValue),
        clock: clock)
}

/// The password step: the ephemeral token.
private func ephemeralToken(_ app: Application, _ username: String, password: String = password) async throws
    -> String
{
    let reply = try await TestClient(app: app).post(
        "login/", ["username": .string(username), "password": .string(password)])
    try #require(reply["mfa_required"] == .bool(true), "\(reply.body)")
    return try #require(reply.string("ephemeral_token"))
}

private func verify(_ app: Application, _ token: String, _ code: String) async throws -> TestClient.Reply {
    try await TestClient(app: app).post("mfa/verify/", ["ephemeral_token": .string(token), "code": .string(code)])
}

@Suite("MFA: the reference's attacks, refused")
struct MFATests {
    @Test("The activation code, an earlier step and a used step in another form are refused")
    func replays() async throws {
        try await withMFAApp { app, _, clock in
            let user = try await enableMFA(app, clock: clock)
            // Activation used the current step: it counts.
            #expect(try await verify(app, ephemeralToken(app, user.username), user.code()).json == invalidCode)
            #expect(try await verify(app, ephemeralToken(app, user.username), user.code(-1)).json == invalidCode)
            // The next step works once, typed in full-width digits too (NFKC)...
            let fullWidth = String(
                String.UnicodeScalarView(
                    user.code(1).unicodeScalars.map { UnicodeScalar($0.value - 0x30 + 0xFF10)! }))
            #expect(try await verify(app, ephemeralToken(app, user.username), fullWidth).status == .ok)
            // ... and neither form again.
            clock.advance(1)
            #expect(try await verify(app, ephemeralToken(app, user.username), user.code(1)).json == invalidCode)
            #expect(try await verify(app, ephemeralToken(app, user.username), fullWidth).json == invalidCode)
            // A step later, the code before the last one used is still in the window, and refused.
            clock.advance(30)
            #expect(try await verify(app, ephemeralToken(app, user.username), user.code(-1)).json == invalidCode)
            #expect(try await verify(app, ephemeralToken(app, user.username), user.code(0)).json == invalidCode)
            #expect(try await verify(app, ephemeralToken(app, user.username), user.code(1)).status == .ok)
            // Deactivation spends a code too: the one just used does not deactivate.
            let off = try await user.client.post("mfa/totp/deactivate/", ["code": .string(user.code(1))])
            #expect(off.json == invalidCode)
        }
    }

    @Test("Codes that are not ASCII digits and tokens of deleted users are 400s")
    func noServerErrors() async throws {
        try await withMFAApp { app, _, clock in
            let user = try await enableMFA(app, clock: clock)
            let token = try await ephemeralToken(app, user.username)
            for code in ["１２３４５６", "é", "١٢٣٤٥٦", "😀😀😀", "ａｂｃｄ-ｅｆ"] {
                let reply = try await verify(app, token, code)
                #expect(reply.status == .badRequest)
                #expect(reply.json == invalidCode, "\(code): \(reply.body)")
            }
            try await AuthUser.query(on: app.db).filter(\.$username == user.username).delete()
            let reply = try await verify(app, token, user.code(1))
            #expect(reply.status == .badRequest)
            #expect(reply.json == badToken)
        }
    }

    @Test("Eight parallel verifies with one TOTP code: exactly one signs in")
    func totpRace() async throws {
        try await withMFAApp { app, _, clock in
            let user = try await enableMFA(app, clock: clock)
            var tokens: [String] = []
            for _ in 0..<8 {
                clock.advance(1)  // the reference's token changes each second
                tokens.append(try await ephemeralToken(app, user.username))
            }
            #expect(Set(tokens).count == 8)
            let code = user.code(1)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for token in tokens { group.addTask { try await verify(app, token, code).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .badRequest }.count == 7)
        }
    }

    @Test("Eight parallel verifies with one recovery code: exactly one signs in, and it is spent")
    func recoveryRace() async throws {
        try await withMFAApp { app, _, clock in
            let user = try await enableMFA(app, clock: clock)
            var tokens: [String] = []
            for _ in 0..<8 {
                clock.advance(1)
                tokens.append(try await ephemeralToken(app, user.username))
            }
            let code = user.recoveryCodes[3]
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for token in tokens { group.addTask { try await verify(app, token, code).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            let left = try await user.client.post("mfa/recovery-codes/")
            #expect(left["codes"] == .array(user.recoveryCodes.filter { $0 != code }.map(JSONValue.string)))
        }
    }

    @Test("One ephemeral token, two good codes at once: one login; the token is then spent")
    func tokenSingleUse() async throws {
        try await withMFAApp { app, _, clock in
            let user = try await enableMFA(app, clock: clock)
            let token = try await ephemeralToken(app, user.username)
            let replies = try await withThrowingTaskGroup(of: TestClient.Reply.self) { group in
                group.addTask { try await verify(app, token, user.code(1)) }
                group.addTask { try await verify(app, token, user.recoveryCodes[0]) }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == .ok }.count == 1)
            #expect(replies.filter { $0.json == badToken }.count == 1)
            let again = try await verify(app, token, user.recoveryCodes[1])
            #expect(again.json == badToken)
        }
    }

    @Test("An ephemeral token issued before a password change is refused")
    func passwordChangeEndsToken() async throws {
        try await withMFAApp { app, _, clock in
            let user = try await enableMFA(app, clock: clock)
            let stale = try await ephemeralToken(app, user.username)
            let changed = try await user.client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": .string(newPassword)])
            #expect(changed.status == .ok)
            #expect(try await verify(app, stale, user.code(1)).json == badToken)
            clock.advance(1)
            let fresh = try await ephemeralToken(app, user.username, password: newPassword)
            #expect(try await verify(app, fresh, user.code(1)).status == .ok)
        }
    }

    @Test("Guesses are limited per ephemeral token and per user, before the code is checked")
    func bruteForce() async throws {
        try await withMFAApp({ $0.rateLimits = RestAuthConfiguration.defaultRateLimits }) { app, _, clock in
            let user = try await enableMFA(app, clock: clock)
            let wrong = ["000000", "111111", "222222", "333333", "444444", "555555", "666666", "777777"]
                .filter { code in (-1...2).allSatisfy { user.code(Int64($0)) != code } }
            let token = try await ephemeralToken(app, user.username)
            for index in 0..<5 { #expect(try await verify(app, token, wrong[index % wrong.count]).json == invalidCode) }
            // The sixth try on this token is refused whatever the code.
            let sixth = try await verify(app, token, user.code(1))
            #expect(sixth.status == .tooManyRequests)
            #expect(sixth.headers.first(name: "Retry-After") != nil)
            // A fresh token gets five more, then the user's ten per hour are spent.
            clock.advance(1)
            let second = try await ephemeralToken(app, user.username)
            for index in 0..<5 {
                #expect(try await verify(app, second, wrong[index % wrong.count]).json == invalidCode)
            }
            clock.advance(1)
            let third = try await ephemeralToken(app, user.username)
            #expect(try await verify(app, third, user.code(1)).status == .tooManyRequests)
        }
    }

    @Test("A success takes its attempt back: a user who types the right code is not throttled")
    func successRefunds() async throws {
        try await withMFAApp({ $0.rateLimits = RestAuthConfiguration.defaultRateLimits }) { app, _, clock in
            let user = try await enableMFA(app, clock: clock)
            for index in 0..<7 {
                clock.advance(31)
                let token = try await ephemeralToken(app, user.username)
                let reply = try await verify(app, token, user.recoveryCodes[index])
                #expect(reply.status == .ok, "\(index): \(reply.body)")
            }
        }
    }

    @Test("MFA off: no mfa routes, and login answers as before")
    func disabled() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            #expect(try await client.logIn(user.username).string("key") != nil)
            #expect(try await client.get("mfa/status/").status == .notFound)
            #expect(try await client.post("mfa/verify/").status == .notFound)
        }
    }

    @Test("A Django row (its JSON, its signed secret, its recovery seed) works here, and keeps its format")
    func djangoRows() async throws {
        try await withMFAApp { app, client, clock in
            let user = try await client.register()
            let key = try #require(
                try await AuthUser.query(on: app.db).filter(\.$username == user.username).first()?.id)
            let sql = app.db as! any SQLDatabase
            let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
            // As Django saved them (json.dumps separators, the reference's key names).
            let signed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP:dz6iCFDm14GQY-BBw_N_oAi1uC83r7nYZi6Q2QiVEB0"
            let cast = sql.dialect.name == "postgresql" ? "::jsonb" : ""
            try await sql.raw(
                """
                INSERT INTO "dj_rest_auth_mfa_authenticator" ("user_id", "type", "data", "created_at") VALUES \
                (\(bind: key), 'totp', \(bind: "{\"secret\": \"\(signed)\", \"last_code\": \"123456\"}")\(unsafeRaw: cast), \
                \(bind: Date())), (\(bind: key), 'recovery_codes', \
                \(bind: "{\"seed\": \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\", \"used_mask\": 0}")\(unsafeRaw: cast), \
                \(bind: Date()))
                """
            ).run()
            let totp = try #require(TOTP(base32Secret: secret, digits: 6, period: 30))
            let code = totp.code(step: totp.step(at: clock.now))
            #expect(try await verify(app, ephemeralToken(app, user.username), code).status == .ok)
            clock.advance(1)
            #expect(try await verify(app, ephemeralToken(app, user.username), "D282-9CB6").status == .ok)
            let rows = try await MFAStore().authenticators(of: .int(key), on: app.db)
            let stored = try #require(rows.first { $0.kind == .totp }?.json)
            #expect(stored["secret"] == .string(signed))
            #expect(stored["last_code"] == .string(code))
            #expect(stored["last_step"] == .int(Int(totp.step(at: clock.now))))
            let recovery = try #require(rows.first { $0.kind == .recoveryCodes }?.json)
            #expect(recovery["used_mask"] == .int(1))
            #expect(recovery["seed"] == "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
        }
    }

    @Test("No code, secret, recovery code or token reaches a log line")
    func logHygiene() async throws {
        let capture = LogCapture.shared
        let mark = capture.mark()
        var secrets: [String] = []
        try await withMFAApp { app, _, clock in
            app.logger.logLevel = .trace
            let user = try await enableMFA(app, clock: clock)
            secrets += [user.secret, user.code(0), user.code(1)] + user.recoveryCodes
            let token = try await ephemeralToken(app, user.username)
            secrets.append(token)
            _ = try await verify(app, token, "000000")
            let done = try await verify(app, token, user.code(1))
            #expect(done.status == .ok)
            secrets.append(try #require(done.string("key")))
            let offer = try await user.client.get("mfa/totp/activate/")
            secrets += [offer.string("secret"), offer.string("activation_token")].compactMap { $0 }
            _ = try await user.client.post("mfa/recovery-codes/regenerate/")
        }
        let lines = capture.lines(since: mark)
        #expect(lines.contains { $0.contains("mfa_verify") })
        for secret in secrets {
            #expect(!lines.contains { $0.contains(secret) }, "a log line holds \(secret)")
        }
    }
}

@Suite("Query plans of the MFA lookups")
struct MFAQueryPlanTests {
    @Test("The login's MFA check and mfa/verify's lookups are index searches, whatever the number of users")
    func indexed() async throws {
        try await withRestAuthApp({ $0.mfa.enabled = true }) { app, _ in
            let queries: [(String, @Sendable (any SQLDatabase) -> SQLQueryString)] = [
                ("is MFA on", { _ in MFAStore.hasTOTPQuery(.int(7)) }),
                ("the authenticators", { MFAStore.authenticatorsQuery(.int(7), on: $0) }),
                (
                    "the ephemeral token",
                    { _ in MFAStore.openChallengeQuery(String(repeating: "a", count: 64), userKey: .int(7), now: Date())
                    }
                ),
            ]
            for (name, query) in queries {
                let plan = try await QueryPlanTests.plan(on: app, raw: query)
                #expect(!plan.isEmpty)
                #expect(QueryPlanTests.fullScans(in: plan).isEmpty, "\(name): \(plan.joined(separator: " | "))")
            }
        }
    }
}

@Suite("MFA beside a Django server")
struct MFAMixedFleetTests {
    @Test("A code a Django server used (it writes only last_code) moves the last step here too")
    func djangoUseMovesLastStep() async throws {
        try await withMFAApp { app, _, clock in
            let user = try await enableMFA(app, clock: clock)  // step c used here
            // Django accepts the code of c + 1 and records only that code.
            let store = MFAStore()
            let key = try #require(
                try await AuthUser.query(on: app.db).filter(\.$username == user.username).first()?.id)
            let row = try #require(try await store.authenticators(of: .int(key), on: app.db).first { $0.kind == .totp })
            var json = try #require(row.json)
            json["last_code"] = .string(user.code(1))
            #expect(
                try await store.recordUse(
                    of: row, data: String(decoding: JSONValue.object(json).serialized(), as: UTF8.self), at: clock.now,
                    on: app.db))
            clock.advance(30)  // now c + 1: c is still in the window, and so is c + 2
            #expect(try await verify(app, ephemeralToken(app, user.username), user.code(-1)).json == invalidCode)
            #expect(try await verify(app, ephemeralToken(app, user.username), user.code(0)).json == invalidCode)
            #expect(try await verify(app, ephemeralToken(app, user.username), user.code(1)).status == .ok)
        }
    }
}

@Suite("MFA settings, document and audit")
struct MFASettingsTests {
    @Test("The MFA settings from the environment, with the reference's defaults and bounds")
    func environment() throws {
        let defaults = try RestAuthConfiguration(environment: ["SECRET_KEY": "s"])
        #expect(!defaults.mfa.enabled && defaults.mfa.ephemeralTokenTimeout == 300 && defaults.mfa.totpDigits == 6)
        #expect(defaults.mfa.totpPeriod == 30 && defaults.mfa.totpIssuer == "" && defaults.mfa.recoveryCodeCount == 10)
        #expect(defaults.mfa.socialLoginRequiresCode)
        #expect(defaults.rateLimits?["mfa_verify_failed"] == "5/5m/key,10/h/user,30/d/user")
        let set = try RestAuthConfiguration(environment: [
            "SECRET_KEY": "s", "REST_AUTH_MFA_ENABLED": "true", "REST_AUTH_MFA_EPHEMERAL_TOKEN_TIMEOUT": "5",
            "REST_AUTH_MFA_TOTP_DIGITS": "8", "REST_AUTH_MFA_TOTP_PERIOD": "60", "REST_AUTH_MFA_TOTP_ISSUER": "Example",
            "REST_AUTH_MFA_RECOVERY_CODE_COUNT": "8", "REST_AUTH_MFA_SOCIAL_LOGIN_REQUIRES_CODE": "false",
        ])
        #expect(set.mfa.enabled && set.mfa.ephemeralTokenTimeout == 5 && set.mfa.totpDigits == 8)
        #expect(set.mfa.totpPeriod == 60 && set.mfa.totpIssuer == "Example" && set.mfa.recoveryCodeCount == 8)
        #expect(!set.mfa.socialLoginRequiresCode)
        try set.validate()
        for (name, value) in [
            ("REST_AUTH_MFA_RECOVERY_CODE_COUNT", "64"), ("REST_AUTH_MFA_TOTP_DIGITS", "4"),
            ("REST_AUTH_MFA_ENABLED", "maybe"),
        ] {
            #expect(throws: ConfigurationError.self) {
                try RestAuthConfiguration(environment: ["SECRET_KEY": "s", name: value]).validate()
            }
        }
    }

    @Test("The document lists the six routes with their bodies, and login's answer may be the second step")
    func document() async throws {
        try await withMFAApp { app, _, _ in
            guard case .object(let document) = app.restAuth.openAPIDocument(),
                case .object(let paths)? = document["paths"]
            else { throw Abort(.internalServerError) }
            for path in [
                "mfa/verify/", "mfa/totp/activate/", "mfa/totp/deactivate/", "mfa/status/", "mfa/recovery-codes/",
                "mfa/recovery-codes/regenerate/",
            ] {
                #expect(paths["/dj-rest-auth/" + path] != nil, "\(path)")
            }
            let verify = String(decoding: (paths["/dj-rest-auth/mfa/verify/"] ?? .null).serialized(), as: UTF8.self)
            #expect(verify.contains("ephemeral_token") && verify.contains("\"maxLength\":9"))
            let login = String(decoding: (paths["/dj-rest-auth/login/"] ?? .null).serialized(), as: UTF8.self)
            #expect(login.contains("MFARequired"))
            let regenerate = String(
                decoding: (paths["/dj-rest-auth/mfa/recovery-codes/regenerate/"] ?? .null).serialized(), as: UTF8.self)
            #expect(regenerate.contains("\"400\""))
        }
    }

    @Test("Two activations at once: one turns TOTP on, the other is told it is on")
    func activationRace() async throws {
        try await withMFAApp { app, client, clock in
            let user = try await client.register()
            _ = try await client.logIn(user.username)
            var offers: [(String, String)] = []
            for _ in 0..<2 {
                let offer = try await client.get("mfa/totp/activate/")
                offers.append((try #require(offer.string("secret")), try #require(offer.string("activation_token"))))
            }
            let replies = try await withThrowingTaskGroup(of: TestClient.Reply.self) { group in
                for (secret, token) in offers {
                    let totp = try #require(TOTP(base32Secret: secret, digits: 6, period: 30))
                    let code = totp.code(step: totp.step(at: clock.now))
                    group.addTask {
                        try await client.post(
                            "mfa/totp/activate/", ["activation_token": .string(token), "code": .string(code)])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == .ok }.count == 1)
            #expect(
                replies.filter {
                    $0["detail"] == "MFA is already enabled. Deactivate it before activating again."
                }.count == 1)
        }
    }

    @Test("Every MFA event has its audit line, with its outcome and reason")
    func auditLines() async throws {
        let capture = LogCapture.shared
        let mark = capture.mark()
        // Tests run in parallel and share the log: this one's user gets an id of its own.
        let id = Int.random(in: 100_000...900_000)
        try await withMFAApp { app, _, clock in
            let sql = app.db as! any SQLDatabase
            if sql.dialect.name == "postgresql" {
                try await sql.raw("SELECT setval(pg_get_serial_sequence('auth_user', 'id'), \(literal: id - 1))").run()
            } else {
                try await sql.raw("INSERT INTO sqlite_sequence (name, seq) VALUES ('auth_user', \(literal: id - 1))")
                    .run()
            }
            let user = try await enableMFA(app, clock: clock)
            let key = try await AuthUser.query(on: app.db).filter(\.$username == user.username).first()?.id
            try #require(key == id)
            let token = try await ephemeralToken(app, user.username)
            _ = try await verify(app, token, "000000")
            _ = try await verify(app, "7:1r31eq:forged", "000000")
            _ = try await verify(app, token, user.recoveryCodes[0])
            _ = try await user.client.post("mfa/recovery-codes/regenerate/")
            _ = try await user.client.post("mfa/totp/deactivate/", ["code": "000000"])
            clock.advance(30)
            _ = try await user.client.post("mfa/totp/deactivate/", ["code": .string(user.code(0))])
        }
        let lines = capture.lines(since: mark).filter { $0.contains("restauth.audit") }
        let mine = lines.filter { $0.contains("user_id=\(id) ") || $0.hasSuffix("user_id=\(id)") }
        for expected in [
            "event=mfa_activated", "event=mfa_required", "reason=invalid_code", "event=mfa_recovery_code_used",
            "event=mfa_recovery_codes_regenerated", "event=mfa_deactivation", "event=mfa_deactivated",
        ] {
            #expect(mine.contains { $0.contains(expected) }, "no audit line with \(expected)")
        }
        // The forged token names no user.
        #expect(lines.contains { $0.contains("reason=invalid_or_expired_token") })
    }
}

@Suite("The activation's QR code")
struct MFAQRCodeTests {
    @Test("qr_code_data_uri is an SVG that zbar reads back as totp_url")
    func activationQRCodeDecodes() async throws {
        guard let zbarimg = QRCodeTests.executable("zbarimg"), let rsvg = QRCodeTests.executable("rsvg-convert") else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("zbarimg and rsvg-convert are required in CI")
            }
            return
        }
        try await withMFAApp({ $0.mfa.totpIssuer = "Example Co" }) { app, client, _ in
            let user = try await client.register()
            _ = try await client.logIn(user.username)
            let offer = try await client.get("mfa/totp/activate/")
            let url = try #require(offer.string("totp_url"))
            #expect(url.hasPrefix("otpauth://totp/Example%20Co:"))
            let uri = try #require(offer.string("qr_code_data_uri"))
            let head = "data:image/svg+xml;base64,"
            try #require(uri.hasPrefix(head))
            let svg = try #require(Data(base64Encoded: String(uri.dropFirst(head.count))))
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mfa-qr-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let svgFile = directory.appendingPathComponent("qr.svg")
            let pngFile = directory.appendingPathComponent("qr.png")
            try svg.write(to: svgFile)
            _ = try QRCodeTests.run(rsvg, ["--output", pngFile.path, svgFile.path])
            let decoded = try QRCodeTests.run(zbarimg, ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", pngFile.path])
            #expect(decoded == url + "\n")
        }
    }
}

private struct StatusWithMethods: MFAStatusSerializer {
    func representation(of status: MFAStatus, context: RestAuthContext) async throws -> JSONValue {
        guard
            case .object(var body) = try await DefaultMFAStatusSerializer().representation(of: status, context: context)
        else { return .null }
        body["methods"] = status.enabled ? ["totp", "recovery_codes"] : []
        return .object(body)
    }
}

/// A verify serializer that refuses recovery codes (an app that wants TOTP only).
private struct TOTPOnlyVerify: MFAVerifySerializer {
    func validate(_ fields: JSONObject, context: RestAuthContext) async throws -> MFAVerification {
        if case .string(let code)? = fields["code"], code.contains("-") {
            throw ValidationErrors("code", "Use your authenticator app.")
        }
        return try await DefaultMFAVerifySerializer().validate(fields, context: context)
    }
}

@Suite("MFA swap points")
struct MFASwapPointTests {
    @Test("The status and verify serializers are the configuration's")
    func serializers() async throws {
        try await withMFAApp({
            $0.mfa.statusSerializer = StatusWithMethods()
            $0.mfa.verifySerializer = TOTPOnlyVerify()
        }) { app, _, clock in
            let user = try await enableMFA(app, clock: clock)
            let status = try await user.client.get("mfa/status/")
            #expect(status["methods"] == ["totp", "recovery_codes"])
            let token = try await ephemeralToken(app, user.username)
            #expect(
                try await verify(app, token, user.recoveryCodes[0]).json == ["code": ["Use your authenticator app."]])
            #expect(try await verify(app, token, user.code(1)).status == .ok)
        }
    }
}
