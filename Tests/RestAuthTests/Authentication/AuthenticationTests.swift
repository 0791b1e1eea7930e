import Fluent
import Testing
import Vapor

@testable import RestAuth

@Suite("Token and session authentication")
struct AuthenticationTests {
    @Test(
        "DRF's token header errors",
        arguments: [
            ("Token", "Invalid token header. No credentials provided."),
            ("Token a b", "Invalid token header. Token string should not contain spaces."),
            ("Token " + String(repeating: "0", count: 40), "Invalid token."),
            ("token " + String(repeating: "f", count: 400), "Invalid token."),
        ])
    func tokenHeaderErrors(header: String, message: String) async throws {
        try await withRestAuthApp { _, client in
            client.authorization = header
            let reply = try await client.get("user/")
            #expect(reply.status == .unauthorized)
            #expect(reply.json == ["detail": .string(message)])
            #expect(reply.headers.first(name: "WWW-Authenticate") == "Token")
        }
    }

    @Test("A bad token is refused even on open endpoints, as DRF does")
    func badTokenOnLogin() async throws {
        try await withRestAuthApp { _, client in
            client.authorization = "Token nope"
            let r1 = try await client.post("login/", ["username": "x", "password": "y"])
            #expect(r1.status == .unauthorized)
        }
    }

    @Test("Other schemes are not ours: anonymous")
    func otherScheme() async throws {
        try await withRestAuthApp { _, client in
            client.authorization = "Basic dXNlcjpwYXNz"
            let r2 = try await client.get("user/")
            #expect(r2.json == ["detail": "Authentication credentials were not provided."])
        }
    }

    @Test("A disabled user's token and session stop working at once")
    func disabledUser() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            client.cookies = [:]
            try await client.logIn(user.username)
            let sessionClient = TestClient(app: app)
            sessionClient.cookies = client.cookies
            try await AuthUser.query(on: app.db).set(\.$isActive, to: false).update()
            let r3 = try await client.get("user/")
            // The same answer as an unknown token (DRF says "User inactive or deleted.").
            #expect(r3.status == .unauthorized && r3.json == ["detail": "Invalid token."])
            let r4 = try await sessionClient.get("user/")
            #expect(r4.status == .unauthorized)
        }
    }

    @Test("Session cookies: GET needs no CSRF; unsafe methods need the pair")
    func sessionCSRF() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            client.cookies = [:]
            try await client.logIn(user.username)
            client.authorization = nil
            let r5 = try await client.get("user/")
            #expect(r5.status == .ok)
            let missing = try await client.request(.PATCH, "user/", .json(["first_name": "A"]))
            #expect(missing.status == .forbidden && missing.json == ["detail": "CSRF Failed: CSRF token missing."])
            let wrong = try await client.request(
                .PATCH, "user/", .json(["first_name": "A"]), headers: ["X-CSRFToken": .init(repeating: "a", count: 32)])
            #expect(wrong.json == ["detail": "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect."])
            let short = try await client.request(
                .PATCH, "user/", .json(["first_name": "A"]), headers: ["X-CSRFToken": "abc"])
            #expect(
                short.json == [
                    "detail": "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."
                ])
            let secret = try #require(client.cookies["csrftoken"])
            let r6 = try await client.request(
                .PATCH, "user/", .json(["first_name": "A"]), headers: ["X-CSRFToken": secret])
            #expect(r6.status == .ok)
            let masked = CSRF.mask(secret)
            let r7 = try await client.request(
                .PATCH, "user/", .json(["first_name": "B"]), headers: ["X-CSRFToken": .init(masked)])
            #expect(r7.status == .ok)
            let evil = try await client.request(
                .PATCH, "user/", .json(["first_name": "A"]),
                headers: ["X-CSRFToken": .init(secret), "Origin": "http://evil.example"])
            #expect(
                evil.json == [
                    "detail":
                        "CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins."
                ])
            client.cookies["csrftoken"] = nil
            let noCookie = try await client.request(
                .PATCH, "user/", .json(["first_name": "A"]), headers: ["X-CSRFToken": .init(secret)])
            #expect(noCookie.json == ["detail": "CSRF Failed: CSRF cookie not set."])
        }
    }

    @Test("The form field csrfmiddlewaretoken works like the header")
    func csrfFormField() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            client.cookies = [:]
            try await client.logIn(user.username)
            client.authorization = nil
            let secret = try #require(client.cookies["csrftoken"])
            let reply = try await client.request(
                .POST, "password/change/",
                .form([("csrfmiddlewaretoken", secret), ("new_password1", newPassword), ("new_password2", newPassword)])
            )
            #expect(reply.status == .ok)
        }
    }

    @Test("Trusted origins and HTTPS referer checks")
    func trustedOrigins() async throws {
        try await withRestAuthApp({
            $0.csrfTrustedOrigins = ["https://*.example.com"]
            $0.allowedHosts = ["localhost", "127.0.0.1", "api.example.com"]
            // The HTTPS checks need a proxy that says the request came over TLS.
            $0.trustedProxies = [IPNetwork("127.0.0.0/8")!, IPNetwork("::1")!]
        }) { app, _ in
            let client = TestClient(app: app, method: .running(hostname: "127.0.0.1", port: 0))
            let user = try await client.register()
            client.cookies = [:]
            try await client.logIn(user.username)
            client.authorization = nil
            let secret = try #require(client.cookies["csrftoken"])
            var headers: HTTPHeaders = ["X-CSRFToken": secret, "Origin": "https://app.example.com"]
            let r8 = try await client.request(.PATCH, "user/", .json(["first_name": "A"]), headers: headers)
            #expect(r8.status == .ok)
            headers = ["X-CSRFToken": secret, "X-Forwarded-Proto": "https", "Host": "api.example.com"]
            let noReferer = try await client.request(.PATCH, "user/", .json([:]), headers: headers)
            #expect(noReferer.json == ["detail": "CSRF Failed: Referer checking failed - no Referer."])
            headers.replaceOrAdd(name: .referer, value: "http://api.example.com/page")
            let insecure = try await client.request(.PATCH, "user/", .json([:]), headers: headers)
            #expect(
                insecure.json == [
                    "detail": "CSRF Failed: Referer checking failed - Referer is insecure while host is secure."
                ])
            headers.replaceOrAdd(name: .referer, value: "https://api.example.com/page")
            let r9 = try await client.request(.PATCH, "user/", .json([:]), headers: headers)
            #expect(r9.status == .ok)
            headers.replaceOrAdd(name: .referer, value: "https://elsewhere.org/")
            let foreign = try await client.request(.PATCH, "user/", .json([:]), headers: headers)
            #expect(
                foreign.json == [
                    "detail":
                        "CSRF Failed: Referer checking failed - https://elsewhere.org/ does not match any trusted origins."
                ])
        }
        // From anyone but a trusted proxy the header says nothing: no HTTPS referer rules.
        try await withRestAuthApp({ $0.allowedHosts = ["localhost", "127.0.0.1", "api.example.com"] }) { app, _ in
            let client = TestClient(app: app, method: .running(hostname: "127.0.0.1", port: 0))
            let user = try await client.register()
            client.cookies = [:]
            try await client.logIn(user.username)
            client.authorization = nil
            let secret = try #require(client.cookies["csrftoken"])
            let headers: HTTPHeaders = ["X-CSRFToken": secret, "X-Forwarded-Proto": "https", "Host": "api.example.com"]
            let reply = try await client.request(.PATCH, "user/", .json([:]), headers: headers)
            #expect(reply.status == .ok, "\(reply.body)")
        }
    }

    @Test("A token header wins over a session cookie: no CSRF for token clients")
    func headerWins() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            client.cookies = [:]
            try await client.logIn(user.username)
            #expect(client.cookies["sessionid"] != nil && client.authorization != nil)
            let r10 = try await client.request(.PATCH, "user/", .json(["first_name": "A"]))
            #expect(r10.status == .ok)
        }
    }

    @Test("Forged, unknown and expired sessions are anonymous")
    func badSessions() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            client.cookies = [:]
            try await client.logIn(user.username)
            client.authorization = nil
            let key = try #require(client.cookies["sessionid"])
            client.cookies["sessionid"] = "nonexistentsessionkey0000000000a"
            let r11 = try await client.get("user/")
            #expect(r11.status == .unauthorized)
            client.cookies["sessionid"] = "../../etc/passwd"
            let r12 = try await client.get("user/")
            #expect(r12.status == .unauthorized)
            client.cookies["sessionid"] = key
            let r13 = try await client.get("user/")
            #expect(r13.status == .ok)
            let session = try #require(try await DjangoSession.find(key, on: app.db))
            session.sessionData = session.sessionData.dropLast(2) + "xx"
            try await session.save(on: app.db)
            let r14 = try await client.get("user/")
            #expect(r14.status == .unauthorized, "a forged signature")
            try await DjangoSession.query(on: app.db).set(\.$expireDate, to: Date().addingTimeInterval(-1)).update()
            let r15 = try await client.get("user/")
            #expect(r15.status == .unauthorized)
        }
    }

    @Test("A session written by Django authenticates here")
    func djangoSession() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            let row = try #require(try await AuthUser.query(on: app.db).filter(\.$username == user.username).first())
            let store = SessionStore(secretKey: "test-secret-key-0123456789", age: 60)
            // What Django's SessionStore.encode writes: compressed when shorter.
            let json: JSONValue = [
                "_auth_user_id": .string(String(row.id!)),
                "_auth_user_backend": "allauth.account.auth_backends.AuthenticationBackend",
                "_auth_user_hash": .string(store.authHash(forPasswordHash: row.password)),
            ]
            let data = store.signer.signObject(json: json.serialized())
            #expect(data.hasPrefix("."), "compressed, as Django would")
            try await DjangoSession(
                key: "djangowrotethissession0000000001", data: data, expireDate: Date().addingTimeInterval(60)
            ).create(on: app.db)
            client.cookies = ["sessionid": "djangowrotethissession0000000001"]
            client.authorization = nil
            let r16 = try await client.get("user/")
            #expect(r16.string("username") == user.username)
        }
    }
}

@Suite("App routes behind app.restAuth.authenticator()")
struct AppRouteAuthenticationTests {
    @Test("The app's own routes see the API's users")
    func appRoute() async throws {
        try await withRestAuthApp { app, client in
            app.grouped(app.restAuth.authenticator()).get("me") { req in
                try req.restAuth.requireUser().accountUsername ?? ""
            }
            let user = try await client.register()
            try await client.logIn(user.username)
            let me = try await client.get("/me")
            #expect(me.status == .ok && me.body == user.username)
            client.authorization = "Token bad"
            #expect(try await client.get("/me").status == .unauthorized)
            client.authorization = nil
            client.cookies = [:]
            #expect(try await client.get("/me").status == .unauthorized)
        }
    }
}
