import Fluent
import Testing
import Vapor

@testable import RestAuth

@Suite("login/")
struct LoginTests {
    @Test("Username login returns the token; the same token on every login until logout")
    func usernameLogin() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            let first = try await client.logIn(user.username)
            #expect(first.status == .ok)
            let key = try #require(first.string("key"))
            #expect(key.count == 40 && key.allSatisfy(\.isHexDigit))
            client.cookies = [:]
            let r1 = try await client.logIn(user.username)
            #expect(r1.string("key") == key)
            let r2 = try await AuthToken.query(on: app.db).count()
            #expect(r2 == 1)
        }
    }

    @Test("E-mail login is case-insensitive, username login too")
    func caseInsensitive() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register("MixedCase", email: "Mixed.Case@Example.com")
            let r3 = try await client.post(
                "login/", ["email": "MIXED.CASE@EXAMPLE.COM", "password": .string(password)])
            #expect(r3.status == .ok)
            client.cookies = [:]
            let r4 = try await client.post("login/", ["username": "mixedcase", "password": .string(password)])
            #expect(r4.status == .ok)
            client.cookies = [:]
            // With e-mail login on, the username field may carry an address.
            let r5 = try await client.post("login/", ["username": .string(user.email), "password": .string(password)])
            #expect(r5.status == .ok)
        }
    }

    @Test("Form-encoded and multipart bodies work like JSON")
    func formBodies() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            let form = try await client.request(
                .POST, "login/", .form([("username", user.username), ("password", password)]))
            #expect(form.status == .ok && form.string("key") != nil)
            client.cookies = [:]
            let boundary = "XyZ"
            let multipart =
                "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n\(user.username)\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n\(password)\r\n--XyZ--\r\n"
            let reply = try await client.request(
                .POST, "login/", .raw(multipart, contentType: "multipart/form-data; boundary=\(boundary)"))
            #expect(reply.status == .ok && reply.string("key") != nil)
        }
    }

    @Test("Wrong password and unknown user get one and the same answer")
    func wrongCredentials() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            let wrong = try await client.post(
                "login/", ["username": .string(user.username), "password": "nope-nope-nope"])
            let ghost = try await client.post("login/", ["username": "ghost", "password": .string(password)])
            for reply in [wrong, ghost] {
                #expect(reply.status == .badRequest)
                #expect(reply.json == ["non_field_errors": ["Unable to log in with provided credentials."]])
            }
        }
    }

    @Test("Field errors before credentials")
    func fieldErrors() async throws {
        try await withRestAuthApp { _, client in
            let r6 = try await client.post("login/", ["username": "x"])
            #expect(r6.json == ["password": ["This field is required."]])
            let r7 = try await client.post("login/", ["username": "x", "password": ""])
            #expect(r7.json == ["password": ["This field may not be blank."]])
            let r8 = try await client.post("login/", ["email": "nope", "password": "x"])
            #expect(r8.json == ["email": ["Enter a valid email address."]])
            #expect(
                try await client.post("login/", ["username": "", "email": "", "password": "x"]).json
                    == ["non_field_errors": [#"Must include either "username" or "email" and "password"."#]])
        }
    }

    @Test("A disabled account is named only after the right password")
    func disabled() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            let row = try #require(try await AuthUser.query(on: app.db).filter(\.$username == user.username).first())
            row.isActive = false
            try await row.save(on: app.db)
            client.cookies = [:]
            let r9 = try await client.logIn(user.username)
            #expect(r9.json == ["non_field_errors": ["User account is disabled."]])
            #expect(
                try await client.logIn(user.username, password: "wrong-wrong-1").json
                    == ["non_field_errors": ["Unable to log in with provided credentials."]])
        }
    }

    @Test("E-mail-only login refuses a username with allauth's message")
    func emailOnly() async throws {
        try await withRestAuthApp({ $0.loginMethods = [.email] }) { _, client in
            let user = try await client.register()
            let r10 = try await client.logIn(user.username)
            #expect(r10.json == ["non_field_errors": [#"Must include "email" and "password"."#]])
            let r11 = try await client.post("login/", ["email": .string(user.email), "password": .string(password)])
            #expect(r11.status == .ok)
        }
    }

    @Test("Username-only login refuses an e-mail address")
    func usernameOnly() async throws {
        try await withRestAuthApp({ $0.loginMethods = [.username] }) { _, client in
            let user = try await client.register()
            let reply = try await client.post("login/", ["email": .string(user.email), "password": .string(password)])
            #expect(reply.json == ["non_field_errors": [#"Must include "username" and "password"."#]])
            let r12 = try await client.logIn(user.email)
            #expect(r12.status == .badRequest, "an address is not a username here")
        }
    }

    @Test("Mandatory verification: unverified logins are refused after the password check")
    func mandatoryVerification() async throws {
        try await withRestAuthApp({ $0.emailVerification = .mandatory }) { app, client in
            let user = try await client.register()
            #expect(user.reply.status == .created)
            #expect(user.reply.json == ["detail": "Verification e-mail sent."])
            let r13 = try await client.logIn(user.username)
            #expect(r13.json == ["non_field_errors": ["E-mail is not verified."]])
            let r14 = try await client.logIn(user.username, password: "bad-bad-bad-1")
            #expect(r14.json == ["non_field_errors": ["Unable to log in with provided credentials."]])
            try await EmailAddress.query(on: app.db).set(\.$verified, to: true).update()
            let r15 = try await client.logIn(user.username)
            #expect(r15.status == .ok)
        }
    }

    @Test("Login sets last_login and upgrades a hash made with other parameters")
    func upgradesHash() async throws {
        try await withRestAuthApp { app, client in
            let hash = try MD5PasswordHasher().encode(password)
            try await AuthUser(username: "legacy", email: "legacy@example.com", password: hash).create(on: app.db)
            // MD5 is not configured: a hash nobody reads never verifies.
            let r16 = try await client.logIn("legacy")
            #expect(r16.status == .badRequest)
        }
        try await withRestAuthApp({ $0.passwordHashers.append(MD5PasswordHasher()) }) { app, client in
            try await AuthUser(
                username: "legacy", email: "legacy@example.com", password: try MD5PasswordHasher().encode(password)
            ).create(on: app.db)
            let r17 = try await client.logIn("legacy")
            #expect(r17.status == .ok)
            let row = try #require(try await AuthUser.query(on: app.db).filter(\.$username == "legacy").first())
            #expect(row.password.hasPrefix("pbkdf2_sha256$1000$"))
            #expect(row.lastLogin != nil)
            client.cookies = [:]
            let r18 = try await client.logIn("legacy")
            #expect(r18.status == .ok, "the upgraded hash verifies")
        }
    }

    @Test("Session login sets Django's cookies; without SESSION_LOGIN none")
    func sessionCookies() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            client.cookies = [:]
            let reply = try await client.logIn(user.username)
            let session = try #require(reply.setCookieLine("sessionid"))
            #expect(
                session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Max-Age=1209600")
                    && session.contains("Path=/"))
            let csrf = try #require(reply.setCookieLine("csrftoken"))
            #expect(!csrf.contains("HttpOnly") && csrf.contains("Max-Age=31449600"))
        }
        try await withRestAuthApp({ $0.sessionLogin = false }) { _, client in
            let user = try await client.register()
            let reply = try await client.logIn(user.username)
            #expect(reply.headers[.setCookie].isEmpty)
        }
    }

    @Test("Sessions only: login answers 204 with the session cookie")
    func sessionOnly() async throws {
        try await withRestAuthApp({ $0.tokenModel = false }) { _, client in
            let user = try await client.register()
            #expect(user.reply.status == .noContent)
            client.cookies = [:]
            let reply = try await client.logIn(user.username)
            #expect(reply.status == .noContent)
            #expect(client.cookies["sessionid"] != nil)
            client.authorization = nil
            let r19 = try await client.get("user/")
            #expect(r19.string("username") == user.username)
            let r20 = try await client.get("user/", headers: [:])
            #expect(r20.status == .ok)
            client.cookies = [:]
            let r21 = try await client.get("user/")
            #expect(r21.status == .forbidden, "no challenge without token auth: 403 as DRF")
        }
    }

    @Test("GET login/ is 405 with DRF's Allow header; OPTIONS describes it")
    func methods() async throws {
        try await withRestAuthApp { _, client in
            let get = try await client.get("login/")
            #expect(get.status == .methodNotAllowed)
            #expect(get.json == ["detail": #"Method "GET" not allowed."#])
            #expect(get.headers.first(name: .allow) == "POST, OPTIONS")
            let options = try await client.request(.OPTIONS, "login/")
            #expect(options.status == .ok && options.string("name") == "Login")
            let r22 = try await client.request(.DELETE, "login")
            #expect(r22.status == .methodNotAllowed, "trailing slash optional")
            // Any method, WebDAV's too: DRF's 405, never the framework's 404.
            for method in [HTTPMethod.TRACE, .PROPFIND, .MKCOL, .LOCK] {
                let reply = try await client.request(method, "login/")
                #expect(reply.json == ["detail": .string("Method \"\(method.rawValue)\" not allowed.")])
                let elsewhere = try await client.request(method, "no-such-endpoint/")
                #expect(elsewhere.json == ["detail": "Not found."])
            }
        }
    }
}
