import Fluent
import Foundation
import Logging
import NIOCore
import RestAuthTesting
import Testing
import Vapor

@testable import RestAuth

/// What an attacker who reads the logs would look for: every secret a flow used, in
/// clear, hex (a byte dump) and base64 (an SMTP AUTH line, a Basic header).
private func forms(of secret: String) -> [String] {
    let bytes = Array(secret.utf8)
    return [
        secret, bytes.map { String(format: "%02x", $0) }.joined(),
        bytes.map { String(format: "%02x", $0) }.joined(separator: " "), Data(bytes).base64EncodedString(),
    ]
}

private func expectNoSecrets(
    _ secrets: [String: String], in lines: [String], sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(!lines.isEmpty, "nothing was captured", sourceLocation: sourceLocation)
    for (name, secret) in secrets where secret.count >= 8 {
        for form in forms(of: secret) {
            let leaks = lines.filter { $0.contains(form) }
            #expect(leaks.isEmpty, "\(name) appears in the log: \(leaks.prefix(2))", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Nothing secret in logs")
struct LogHygieneTests {
    /// Token and session mode with mandatory verification, mail over SMTP with AUTH,
    /// every request over a real socket, every logger at trace level.
    @Test("Sign-up, confirmation, login, token and session use, password change, reset, logout")
    func tokenAndSessionFlows() async throws {
        let capture = LogCapture.shared
        let server = try await TestSMTPServer.start(
            .init(offerStartTLS: false, credentials: ("mailer", "Mail-Pass-7731")))
        let mark = capture.mark()
        var secrets: [String: String] = ["SMTP password": "Mail-Pass-7731", "SECRET_KEY": "test-secret-key-0123456789"]
        try await withRestAuthApp({
            $0.emailSender = nil
            $0.smtp = SMTPConfiguration(
                host: "127.0.0.1", port: server.port, username: "mailer", password: "Mail-Pass-7731")
            $0.emailVerification = .mandatory
            $0.rateLimits = RestAuthConfiguration.defaultRateLimits
        }) { app, _ in
            app.logger.logLevel = .trace
            let live = Application.Method.running(hostname: "127.0.0.1", port: 0)
            let client = TestClient(app: app, method: live)
            let first = "Amber-Falcon-" + String(UInt32.random(in: 1000...9999))
            let second = "Cobalt-Meadow-" + String(UInt32.random(in: 1000...9999))
            let third = "Silver-Canyon-" + String(UInt32.random(in: 1000...9999))
            secrets["first password"] = first
            secrets["second password"] = second
            secrets["third password"] = third
            secrets["wrong password"] = "Wrong-Guess-4471"
            let username = "hygiene" + String(UInt32.random(in: 1000...9999))
            let email = "\(username)@example.com"

            let signup = try await client.post(
                "registration/",
                [
                    "username": .string(username), "email": .string(email), "password1": .string(first),
                    "password2": .string(first),
                ])
            #expect(signup.status == .created)
            let confirmation = try #require(await server.waitForMessages(1).first?.data)
            let key = try #require(confirmation.firstMatch(of: /account-confirm-email\/([^\/\s]+)\//)?.1)
            secrets["confirmation key"] = String(key)
            // A resend (held back by allauth's confirm_email limit this soon, quietly).
            #expect(try await client.post("registration/resend-email/", ["email": .string(email)]).status == .ok)
            #expect(try await client.post("registration/verify-email/", ["key": .string(String(key))]).status == .ok)

            let wrong = try await client.post(
                "login/", ["username": .string(username), "password": "Wrong-Guess-4471"])
            #expect(wrong.status == .badRequest)
            let login = try await client.post("login/", ["username": .string(username), "password": .string(first)])
            let token = try #require(login.string("key"))
            secrets["token"] = token
            for (name, value) in client.cookies { secrets["cookie \(name)"] = value }
            #expect(client.cookies["sessionid"] != nil && client.cookies["csrftoken"] != nil)

            // The session and its CSRF pair.
            let session = TestClient(app: app, method: live)
            session.cookies = client.cookies
            #expect(try await session.get("user/").status == .ok)
            let patched = try await session.request(
                .PATCH, "user/", .json(["first_name": "Ada"]),
                headers: ["X-CSRFToken": client.cookies["csrftoken"]!, "Referer": "http://127.0.0.1/"])
            #expect(patched.status == .ok)

            // The token.
            client.cookies = [:]
            client.authorization = "Token \(token)"
            #expect(try await client.get("user/").status == .ok)
            let change = try await client.post(
                "password/change/", ["new_password1": .string(second), "new_password2": .string(second)])
            #expect(change.status == .ok)
            #expect(try await client.post("logout/").status == .ok)

            // The reset, from the mail.
            client.authorization = nil
            #expect(try await client.post("password/reset/", ["email": .string(email)]).status == .ok)
            let reset = try #require(await server.waitForMessages(2).last?.data)
            let link = try #require(reset.firstMatch(of: /password-reset\/confirm\/([^\/\s]+)\/([^\/\s]+)\//))
            secrets["reset token"] = String(link.2)
            let confirm = try await client.post(
                "password/reset/confirm/",
                [
                    "uid": .string(String(link.1)), "token": .string(String(link.2)),
                    "new_password1": .string(third), "new_password2": .string(third),
                ])
            #expect(confirm.status == .ok)
            let again = try await client.post("login/", ["username": .string(username), "password": .string(third)])
            secrets["second token"] = again.string("key") ?? ""
            #expect(again.status == .ok)
            // Bodies that fail to parse echo nothing of themselves.
            client.cookies = [:]
            let garbage = try await client.request(
                .POST, "login/", .raw(#"{"password": "\#(third)", oops"#, contentType: "application/json"))
            #expect(garbage.status == .badRequest)
            await app.restAuth.deliverPendingEmail()
        }
        await server.stop()
        expectNoSecrets(secrets, in: capture.lines(since: mark))
        // The flows were logged at all: requests, audit lines.
        let lines = capture.lines(since: mark)
        // Every event has its audit line, with the user and the client's address.
        let audit = lines.filter { $0.contains("restauth.audit") && $0.contains("client_ip=127.0.0.1") }
        for event in [
            "user_signed_up", "email_confirmed", "user_logged_in", "password_changed", "user_logged_out",
            "password_reset_requested", "password_reset",
        ] {
            #expect(audit.contains { $0.contains("event=\(event) ") && $0.contains("outcome=success") }, "\(event)")
        }
        #expect(audit.contains { $0.contains("event=password_changed") && $0.contains("user_id=1") })
        #expect(audit.contains { $0.contains("event=login ") && $0.contains("outcome=failure") })
        #expect(lines.contains { $0.hasPrefix("debug ") }, "debug lines were logged")
        #expect(lines.contains { $0.contains("raised from trace to debug") })
    }

    @Test("JWT: login, verify, refresh with rotation, cookie use, logout")
    func jwtFlows() async throws {
        let capture = LogCapture.shared
        let mark = capture.mark()
        var secrets: [String: String] = [:]
        try await withRestAuthApp({
            $0.useJWT = true
            $0.jwtAuthCookie = "jwt-auth"
            $0.jwtAuthRefreshCookie = "jwt-refresh"
            $0.jwtRotateRefreshTokens = true
            $0.jwtBlacklistAfterRotation = true
        }) { app, _ in
            app.logger.logLevel = .trace
            let live = Application.Method.running(hostname: "127.0.0.1", port: 0)
            let client = TestClient(app: app, method: live)
            let chosen = "Ember-Willow-" + String(UInt32.random(in: 1000...9999))
            secrets["password"] = chosen
            let user = try await client.register(password: chosen)
            #expect(user.reply.status == .created)
            client.cookies = [:]
            let login = try await client.post(
                "login/", ["username": .string(user.username), "password": .string(chosen)])
            let access = try #require(login.string("access"))
            secrets["access"] = access
            for (name, value) in client.cookies { secrets["cookie \(name)"] = value }
            #expect(try await client.post("token/verify/", ["token": .string(access)]).status == .ok)
            let refreshed = try await client.post("token/refresh/")
            #expect(refreshed.status == .ok)
            secrets["refreshed access"] = refreshed.string("access") ?? ""
            for (name, value) in client.cookies { secrets["rotated cookie \(name)"] = value }
            #expect(try await client.get("user/").status == .ok)
            let bearer = TestClient(app: app, method: live)
            bearer.authorization = "Bearer \(access)"
            #expect(try await bearer.get("user/").status == .ok)
            let logout = try await client.post("logout/")
            #expect(logout.status == .ok)
        }
        expectNoSecrets(secrets, in: capture.lines(since: mark))
    }
}
