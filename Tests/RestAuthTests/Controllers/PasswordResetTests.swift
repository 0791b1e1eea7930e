import Fluent
import Foundation
import Testing
import Vapor

@testable import RestAuth

/// Reads the uid and token from a reset mail as a client would.
func resetLink(in message: EmailMessage) throws -> (uid: String, token: String) {
    let pattern = #"password-reset/confirm/([^/\s]+)/([^/\s]+)/"#
    let range = try #require(message.text.range(of: pattern, options: .regularExpression))
    let parts = message.text[range].split(separator: "/")
    return (String(parts[2]), String(parts[3]))
}

func confirmationKey(in message: EmailMessage) throws -> String {
    let range = try #require(message.text.range(of: #"account-confirm-email/[-:\w]+/"#, options: .regularExpression))
    return String(message.text[range].split(separator: "/")[1])
}

@Suite("password/reset/ and password/reset/confirm/")
struct PasswordResetTests {
    @Test("The full flow: mail with a link, bad uid and token refused, reset once, old password dead")
    func fullFlow() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({ $0.emailSender = mail }) { app, client in
            let user = try await client.register()
            let reply = try await client.post("password/reset/", ["email": .string(user.email.uppercased())])
            #expect(reply.status == .ok && reply.json == ["detail": "Password reset e-mail has been sent."])
            await app.restAuth.deliverPendingEmail()
            let message = try #require(mail.messages(to: user.email).last)
            #expect(message.subject == "[localhost] Password Reset Email")
            #expect(message.text.contains("In case you forgot, your username is \(user.username)."))
            #expect(message.html?.contains("<a href=\"http://localhost/password-reset/confirm/") == true)
            let (uid, token) = try resetLink(in: message)
            let body: (String, String, String) -> JSONValue = { uid, token, password in
                [
                    "uid": .string(uid), "token": .string(token), "new_password1": .string(password),
                    "new_password2": .string(password),
                ]
            }
            let badToken = try await client.post("password/reset/confirm/", body(uid, token + "x", newPassword))
            #expect(badToken.json == ["token": ["Invalid value"]])
            let badUID = try await client.post("password/reset/confirm/", body("zz-not-a-uid", token, newPassword))
            #expect(badUID.json == ["uid": ["Invalid value"]])
            let weak = try await client.post("password/reset/confirm/", body(uid, token, "123456789"))
            #expect(
                weak.json == ["new_password2": ["This password is too common.", "This password is entirely numeric."]])
            let ok = try await client.post("password/reset/confirm/", body(uid, token, newPassword))
            #expect(ok.status == .ok && ok.json == ["detail": "Password has been reset with the new password."])
            #expect(try await client.logIn(user.username).status == .badRequest)
            #expect(try await client.logIn(user.username, password: newPassword).status == .ok)
            let again = try await client.post("password/reset/confirm/", body(uid, token, password))
            #expect(again.json == ["token": ["Invalid value"]], "a token works once")
        }
    }

    @Test("Unknown, inactive and malformed addresses: 200, no mail; invalid format: 400")
    func quiet() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({ $0.emailSender = mail }) { app, client in
            let unknown = try await client.post("password/reset/", ["email": "ghost@example.com"])
            #expect(unknown.status == .ok && unknown.json == ["detail": "Password reset e-mail has been sent."])
            let user = try await client.register()
            try await AuthUser.query(on: app.db).set(\.$isActive, to: false).update()
            #expect(try await client.post("password/reset/", ["email": .string(user.email)]).status == .ok)
            await app.restAuth.deliverPendingEmail()
            #expect(mail.messages.filter { $0.subject.contains("Password Reset") }.isEmpty)
            let invalid = try await client.post("password/reset/", ["email": "not-an-email"])
            #expect(invalid.status == .badRequest && invalid.json == ["email": ["Enter a valid email address."]])
            #expect(try await client.post("password/reset/", [:]).json == ["email": ["This field is required."]])
        }
    }

    @Test("One mail per user that has the address")
    func everyUser() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({ $0.emailSender = mail }) { app, client in
            try await client.register("first", email: "shared@example.com")
            try await client.register("second", email: "shared@example.com")
            _ = try await client.post("password/reset/", ["email": "shared@example.com"])
            await app.restAuth.deliverPendingEmail()
            let resets = mail.messages(to: "shared@example.com").filter { $0.subject.contains("Password Reset") }
            #expect(resets.count == 2)
            #expect(Set(resets.map { $0.text.contains("username is first") }) == [true, false])
        }
    }

    @Test("Tokens die with a login, a password change, an e-mail change, and time")
    func tokenLifetime() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            let state = app.restAuth.state
            func currentState() async throws -> PasswordResetTokenGenerator.UserState {
                let row = try #require(
                    try await AuthUser.query(on: app.db).filter(\.$username == user.username).first())
                return try await state.users.resetState(of: row, on: app.db)
            }
            var token = state.resetTokens.makeToken(for: try await currentState())
            #expect(state.resetTokens.check(token, for: try await currentState()))
            try await Task.sleep(nanoseconds: 1_100_000_000)
            try await client.logIn(user.username)
            #expect(!state.resetTokens.check(token, for: try await currentState()), "a login")
            token = state.resetTokens.makeToken(for: try await currentState())
            _ = try await client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": .string(newPassword)])
            #expect(!state.resetTokens.check(token, for: try await currentState()), "a password change")
            token = state.resetTokens.makeToken(for: try await currentState())
            try await AuthUser.query(on: app.db).set(\.$email, to: "changed@example.com").update()
            #expect(!state.resetTokens.check(token, for: try await currentState()), "an e-mail change")
            let now = try await currentState()
            let old = state.resetTokens.makeToken(for: now, at: Date().addingTimeInterval(-259_201))
            #expect(!state.resetTokens.check(old, for: now), "PASSWORD_RESET_TIMEOUT")
            let recent = state.resetTokens.makeToken(for: now, at: Date().addingTimeInterval(-259_000))
            #expect(state.resetTokens.check(recent, for: now))
        }
    }

    @Test(
        "Garbage uid and token of any length or encoding is a 400",
        arguments: [
            ("", ""), ("MQ", "x"), ("1", "1-1"),
            (String(repeating: "z", count: 10_000), String(repeating: "-", count: 10_000)),
            ("%00", "é-é"), ("-1", "zzzzzzzzzzzzzzz-0"), ("9999999999999", "0-0"), ("\u{0}", "\u{0}"),
        ])
    func garbage(uid: String, token: String) async throws {
        try await withRestAuthApp { _, client in
            try await client.register()
            let reply = try await client.post(
                "password/reset/confirm/",
                [
                    "uid": .string(uid), "token": .string(token), "new_password1": .string(newPassword),
                    "new_password2": .string(newPassword),
                ])
            #expect(reply.status == .badRequest)
        }
    }

    @Test("Django's base64 uid works too")
    func base64UID() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            let row = try #require(try await AuthUser.query(on: app.db).filter(\.$username == user.username).first())
            let state = app.restAuth.state
            let token = state.resetTokens.makeToken(for: try await state.users.resetState(of: row, on: app.db))
            let uid = DjangoSigner.b64Encode(Array(String(row.id!).utf8))
            let reply = try await client.post(
                "password/reset/confirm/",
                [
                    "uid": .string(uid), "token": .string(token), "new_password1": .string(newPassword),
                    "new_password2": .string(newPassword),
                ])
            #expect(reply.status == .ok)
        }
    }

    @Test("Eight requests racing with one token: exactly one succeeds")
    func race() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({ $0.emailSender = mail }) { app, client in
            let user = try await client.register()
            _ = try await client.post("password/reset/", ["email": .string(user.email)])
            await app.restAuth.deliverPendingEmail()
            let (uid, token) = try resetLink(in: try #require(mail.messages(to: user.email).last))
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        let password = "Racing-Password-\(index)x"
                        return try await TestClient(app: app).post(
                            "password/reset/confirm/",
                            [
                                "uid": .string(uid), "token": .string(token), "new_password1": .string(password),
                                "new_password2": .string(password),
                            ]
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .badRequest }.count == 7)
        }
    }

    @Test("Links follow the URL template; a host outside ALLOWED_HOSTS is a 400 and gets no mail")
    func links() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.passwordResetURLTemplate = "myapp://reset?uid={uid}&token={token}&from={site}"
        }) { app, client in
            let user = try await client.register()
            let forged = try await client.post(
                "password/reset/", ["email": .string(user.email)], headers: ["Host": "evil.example"])
            #expect(forged.status == .badRequest)
            await app.restAuth.deliverPendingEmail()
            #expect(
                mail.messages(to: user.email).filter { $0.subject.contains("Reset") }.isEmpty,
                "no link to a forged host")
            _ = try await client.post(
                "password/reset/", ["email": .string(user.email)], headers: ["Host": "localhost:8000"])
            await app.restAuth.deliverPendingEmail()
            let message = try #require(mail.messages(to: user.email).last)
            #expect(message.text.contains("myapp://reset?uid="))
            #expect(message.text.contains("&from=http://localhost:8000"))
        }
        for trusted in [true, false] {
            try await withRestAuthApp({
                $0.emailSender = mail
                $0.siteDomain = "accounts.example.com"
                $0.siteName = "Example"
                $0.passwordResetUseSitesDomain = true
                if trusted { $0.trustedProxies = [IPNetwork("127.0.0.0/8")!, IPNetwork("::1")!] }
            }) { app, _ in
                let client = TestClient(app: app, method: .running(hostname: "127.0.0.1", port: 0))
                let user = try await client.register()
                _ = try await client.post(
                    "password/reset/", ["email": .string(user.email)],
                    headers: ["Host": "localhost", "X-Forwarded-Proto": "https"])
                await app.restAuth.deliverPendingEmail()
                let message = try #require(mail.messages(to: user.email).last)
                // The scheme comes from a trusted proxy's header, never from a client's.
                let scheme = trusted ? "https" : "http"
                #expect(message.text.contains("\(scheme)://accounts.example.com/password-reset/confirm/"))
                #expect(message.subject == "[Example] Password Reset Email")
            }
        }
    }

    @Test("An SMTP server that is down: still 200, nothing revealed, logged")
    func smtpDown() async throws {
        try await withRestAuthApp({
            $0.emailSender = nil
            $0.smtp = SMTPConfiguration(host: "127.0.0.1", port: 1, timeout: .seconds(1))
        }) {
            app, client in
            let user = try await client.register()
            #expect(user.reply.status == .created, "sign-up does not fail with the mail server")
            let reply = try await client.post("password/reset/", ["email": .string(user.email)])
            #expect(reply.status == .ok && reply.json == ["detail": "Password reset e-mail has been sent."])
            await app.restAuth.deliverPendingEmail()
        }
    }

    @Test("Through the real SMTP client to the test server")
    func throughSMTP() async throws {
        let server = try await TestSMTPServer.start()
        try await withRestAuthApp({
            $0.emailSender = nil
            $0.smtp = SMTPConfiguration(host: "127.0.0.1", port: server.port)
        }) {
            app, client in
            let user = try await client.register()
            #expect(await server.waitForMessages(1).first?.recipients == [user.email], "the confirmation mail")
            _ = try await client.post("password/reset/", ["email": .string(user.email)])
            let messages = await server.waitForMessages(2)
            #expect(messages.count == 2 && messages[1].data.contains("password-reset/confirm/"))
        }
        await server.stop()
    }
}
