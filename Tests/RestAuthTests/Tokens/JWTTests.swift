import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import RestAuth

func claims(of token: String) -> JSONObject {
    let part = token.split(separator: ".")[1]
    guard let bytes = DjangoSigner.b64Decode(part),
        case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    else { return JSONObject() }
    return object
}

/// Settings of the conformance suite's `jwt` profile.
func jwtProfile(_ c: inout RestAuthConfiguration) {
    c.useJWT = true
    c.sessionLogin = false
    c.jwtAuthHTTPOnly = false
    c.jwtAuthCookie = "jwt-auth"
    c.jwtAuthRefreshCookie = "jwt-refresh"
    c.jwtAuthReturnExpiration = true
    c.jwtRotateRefreshTokens = true
    c.jwtBlacklistAfterRotation = true
}

extension TestClient {
    /// Logs in and returns the JWT body; keeps nothing for later requests unless asked.
    func jwtLogIn(_ username: String, password: String = password) async throws -> TestClient.Reply {
        try await post("login/", ["username": .string(username), "password": .string(password)])
    }
}

@Suite("JWT login, claims and cookies")
struct JWTLoginTests {
    @Test("Login returns access, refresh, user and expirations with simplejwt's claims")
    func login() async throws {
        try await withRestAuthApp(jwtProfile) { _, client in
            let user = try await client.register()
            let reply = try await client.jwtLogIn(user.username)
            #expect(reply.status == .ok)
            guard case .object(let body)? = reply.json else {
                Issue.record("no body")
                return
            }
            #expect(Set(body.keys) == ["access", "refresh", "user", "access_expiration", "refresh_expiration"])
            #expect(reply.body.hasPrefix(#"{"access":"#))
            let access = claims(of: try #require(reply.string("access")))
            let refresh = claims(of: try #require(reply.string("refresh")))
            #expect(access["token_type"] == "access" && refresh["token_type"] == "refresh")
            #expect(Set(access.keys) == ["token_type", "exp", "iat", "jti", "user_id", "fam"])
            #expect(
                access["user_id"] == refresh["user_id"] && access["fam"] == refresh["fam"]
                    && access["jti"] != refresh["jti"])
            let exp = try #require(JWTTokens.number(access["exp"]))
            let iat = try #require(JWTTokens.number(access["iat"]))
            #expect(exp - iat == 300)
            #expect(try #require(JWTTokens.number(refresh["exp"])) - iat == 86_400)
            let expiration = try #require(reply.string("access_expiration"))
            #expect(expiration.hasSuffix("Z") && expiration.count == 27)
            let accessToken = try #require(reply.string("access"))
            let header = try #require(DjangoSigner.b64Decode(accessToken.split(separator: ".")[0]))
            #expect(String(decoding: header, as: UTF8.self) == #"{"alg":"HS256","typ":"JWT"}"#)
        }
    }

    @Test("Cookies: names, paths, HttpOnly, Secure, SameSite, domain and lifetimes as configured")
    func cookies() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtAuthHTTPOnly = true
            $0.jwtAuthSecure = true
            $0.jwtAuthSameSite = .strict
            $0.jwtAuthCookieDomain = "example.com"
            $0.jwtAuthRefreshCookiePath = "/dj-rest-auth/token/refresh/"
        }) { _, client in
            let user = try await client.register()
            let reply = try await client.jwtLogIn(user.username)
            #expect(reply.string("refresh") == "", "under HttpOnly the refresh stays out of the body")
            let access = try #require(reply.setCookieLine("jwt-auth"))
            let refresh = try #require(reply.setCookieLine("jwt-refresh"))
            for line in [access, refresh] {
                #expect(line.contains("HttpOnly") && line.contains("Secure") && line.contains("SameSite=Strict"))
                #expect(line.contains("Domain=example.com"))
            }
            #expect(access.contains("Max-Age=300") && access.contains("Path=/;"))
            #expect(refresh.contains("Max-Age=86400") && refresh.contains("Path=/dj-rest-auth/token/refresh/"))
        }
    }

    @Test("SameSite=None: the cookies and their deletions at logout are Secure, or browsers would ignore them")
    func sameSiteNone() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtAuthHTTPOnly = true
            $0.jwtAuthSecure = true
            $0.jwtAuthSameSite = .none
        }) { _, client in
            let user = try await client.register()
            let login = try await client.jwtLogIn(user.username)
            #expect(login.setCookieLine("jwt-auth")?.contains("SameSite=None") == true)
            client.authorization = "Bearer \(try #require(login.string("access")))"
            let logout = try await client.post("logout/", [:])
            #expect(logout.status == .ok, "\(logout.body)")
            for name in ["jwt-auth", "jwt-refresh"] {
                let line = try #require(logout.setCookieLine(name))
                #expect(
                    line.contains("Max-Age=0") && line.contains("Secure") && line.contains("SameSite=None"), "\(line)")
            }
        }
    }

    @Test("HS algorithms verify with the signing key; a VERIFYING_KEY left over from RS256 changes nothing")
    func hmacIgnoresVerifyingKey() async throws {
        for algorithm in [JWTAlgorithm.hs384, .hs512] {
            try await withRestAuthApp({
                jwtProfile(&$0)
                $0.jwtAlgorithm = algorithm
                $0.jwtVerifyingKey = "-----BEGIN PUBLIC KEY-----\nleftover\n-----END PUBLIC KEY-----"
            }) { _, client in
                let user = try await client.register()
                let access = try #require(try await client.jwtLogIn(user.username).string("access"))
                let header = try #require(DjangoSigner.b64Decode(access.split(separator: ".")[0]))
                #expect(String(decoding: header, as: UTF8.self).contains("\"\(algorithm.rawValue)\""))
                client.authorization = "Bearer \(access)"
                #expect(try await client.get("user/").status == .ok)
            }
        }
    }

    @Test("Sign-up honours the JWT settings too")
    func signup() async throws {
        try await withRestAuthApp(jwtProfile) { _, client in
            let reply = try await client.post(
                "registration/",
                [
                    "username": "jwtuser", "email": "j@example.com", "password1": .string(password),
                    "password2": .string(password),
                ])
            #expect(reply.status == .created)
            #expect(reply.string("access") != nil && reply.string("refresh") != nil && reply["user"] != nil)
            #expect(reply.setCookieLine("jwt-auth") != nil && reply.setCookieLine("jwt-refresh") != nil)
        }
    }

    @Test("The claims hook adds the app's claims to both tokens")
    func customClaims() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtClaimsSerializer = JWTClaims { user, _ in
                ["username": .string(user.accountUsername ?? ""), "token_type": "forged"]
            }
        }) { _, client in
            let user = try await client.register()
            let reply = try await client.jwtLogIn(user.username)
            let access = claims(of: try #require(reply.string("access")))
            #expect(access["username"] == .string(user.username))
            #expect(access["token_type"] == "access", "the hook cannot overwrite the registered claims")
        }
    }

    @Test("AUDIENCE and ISSUER are written and required")
    func audienceIssuer() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtAudience = "mobile"
            $0.jwtIssuer = "https://auth.example.com"
        }) { app, client in
            let user = try await client.register()
            let access = try #require(try await client.jwtLogIn(user.username).string("access"))
            #expect(claims(of: access)["aud"] == "mobile" && claims(of: access)["iss"] == "https://auth.example.com")
            client.cookies = [:]
            client.authorization = "Bearer \(access)"
            let r1 = try await client.get("user/")
            #expect(r1.status == .ok)
            let jwt = try #require(app.restAuth.state.jwt)
            var other = claims(of: access)
            other["aud"] = "web"
            client.authorization = "Bearer \(try jwt.codec.encode(other))"
            let r2 = try await client.get("user/")
            #expect(r2.status == .unauthorized)
        }
    }

    @Test("With no AUDIENCE set, a token that names an audience is refused, as PyJWT refuses it")
    func audienceWithoutSetting() async throws {
        try await withRestAuthApp(jwtProfile) { app, client in
            let user = try await client.register()
            let access = try #require(try await client.jwtLogIn(user.username).string("access"))
            client.cookies = [:]
            let jwt = try #require(app.restAuth.state.jwt)
            for (audience, accepted) in [
                (JSONValue.string("other-service"), false), (["a", "b"], false), ("", true), ([], true),
            ] {
                var forged = claims(of: access)
                forged["aud"] = audience
                client.authorization = "Bearer \(try jwt.codec.encode(forged))"
                let reply = try await client.get("user/")
                #expect(reply.status == (accepted ? .ok : .unauthorized), "aud \(audience)")
                let verify = try await TestClient(app: app).post(
                    "token/verify/", ["token": .string(try jwt.codec.encode(forged))])
                #expect(verify.status == (accepted ? .ok : .unauthorized), "token/verify aud \(audience)")
            }
        }
    }
}

@Suite("JWT authentication")
struct JWTAuthenticationTests {
    func loggedIn(_ client: TestClient) async throws -> (access: String, refresh: String) {
        let user = try await client.register()
        let reply = try await client.jwtLogIn(user.username)
        return (try #require(reply.string("access")), try #require(reply.string("refresh")))
    }

    @Test("Bearer header, then the cookie; a Bearer client needs no CSRF")
    func bearerAndCookie() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtAuthCookieUseCSRF = true
        }) { _, client in
            let (access, _) = try await loggedIn(client)
            let r3 = try await client.get("user/")
            #expect(r3.status == .ok, "the cookie alone")
            let patch = try await client.request(.PATCH, "user/", .json(["first_name": "A"]))
            #expect(patch.status == .forbidden && patch.string("detail")?.hasPrefix("CSRF Failed") == true)
            client.authorization = "Bearer \(access)"
            let r4 = try await client.request(.PATCH, "user/", .json(["first_name": "A"]))
            #expect(r4.status == .ok)
            client.authorization = nil
            let secret = CSRF.newSecret()
            client.cookies["csrftoken"] = secret
            let r5 = try await client.request(
                .PATCH, "user/", .json(["first_name": "B"]), headers: ["X-CSRFToken": .init(secret)])
            #expect(r5.status == .ok)
        }
    }

    @Test("ENFORCE_CSRF_ON_UNAUTHENTICATED checks unsafe requests without a cookie")
    func enforceUnauthenticated() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtAuthCookieEnforceCSRFOnUnauthenticated = true
        }) { _, client in
            let reply = try await client.post("login/", ["username": "x", "password": "y"])
            #expect(reply.status == .forbidden)
            let secret = CSRF.newSecret()
            client.cookies["csrftoken"] = secret
            let r6 = try await client.post(
                "login/", ["username": "x", "password": "y"], headers: ["X-CSRFToken": .init(secret)])
            #expect(r6.status == .badRequest)
        }
    }

    @Test(
        "Refresh, tampered, expired, alg none, foreign-key and garbage tokens are 401 token_not_valid",
        arguments: [
            "refresh", "tampered", "expired", "none", "foreign", "garbage", "hs512",
        ])
    func refused(kind: String) async throws {
        try await withRestAuthApp(jwtProfile) { app, client in
            let (access, refresh) = try await loggedIn(client)
            client.cookies = [:]
            let jwt = try #require(app.restAuth.state.jwt)
            var payload = claims(of: access)
            let token: String
            switch kind {
            case "refresh": token = refresh
            case "tampered":
                payload["user_id"] = "999"
                let parts = access.split(separator: ".")
                token = "\(parts[0]).\(DjangoSigner.b64Encode(JSONValue.object(payload).serialized())).\(parts[2])"
            case "expired":
                payload["exp"] = .int(Int(Date().timeIntervalSince1970) - 10)
                token = try jwt.codec.encode(payload)
            case "none":
                token =
                    DjangoSigner.b64Encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "."
                    + access.split(separator: ".")[1] + "."
            case "foreign":
                let foreign = try await JWTCodec.make(
                    {
                        var c = testConfiguration(jwtProfile)
                        c.jwtSigningKey = "another-key-entirely-0123456789"
                        return c
                    }())
                token = try foreign.encode(payload)
            case "hs512":
                let other = try await JWTCodec.make(
                    {
                        var c = testConfiguration(jwtProfile)
                        c.jwtAlgorithm = .hs512
                        return c
                    }())
                token = try other.encode(payload)
            default: token = "not.a.jwt"
            }
            client.authorization = "Bearer \(token)"
            let reply = try await client.get("user/")
            #expect(reply.status == .unauthorized)
            #expect(reply.string("code") == "token_not_valid")
            #expect(reply.headers.first(name: "WWW-Authenticate") == #"Bearer realm="api""#)
        }
    }

    @Test("USER_ID_CLAIM, several AUTH_HEADER_TYPES, the lifetimes, and a token without the configured issuer")
    func claimAndHeaderSettings() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtUserIDClaim = "uid"
            $0.jwtAuthHeaderTypes = ["Bearer", "JWT"]
            $0.jwtAccessTokenLifetime = 120
            $0.jwtRefreshTokenLifetime = 3600
            $0.jwtIssuer = "https://auth.example.com"
        }) { app, client in
            let (access, refresh) = try await loggedIn(client)
            client.cookies = [:]
            let accessClaims = claims(of: access)
            #expect(accessClaims["uid"] != nil && accessClaims["user_id"] == nil)
            let iat = try #require(JWTTokens.number(accessClaims["iat"]))
            #expect(JWTTokens.number(accessClaims["exp"]).map { $0 - iat } == 120)
            let refreshClaims = claims(of: refresh)
            #expect(JWTTokens.number(refreshClaims["exp"]).map { $0 - JWTTokens.number(refreshClaims["iat"])! } == 3600)
            for scheme in ["Bearer", "JWT"] {
                client.authorization = "\(scheme) \(access)"
                #expect(try await client.get("user/").status == .ok, "\(scheme)")
            }
            // The first type is the challenge.
            client.authorization = nil
            let anonymous = try await client.get("user/")
            #expect(anonymous.headers.first(name: "WWW-Authenticate") == #"Bearer realm="api""#)
            // A token without the issuer, or with another, is refused.
            let jwt = try #require(app.restAuth.state.jwt)
            for issuer: JSONValue? in [nil, "https://evil.example.com"] {
                var forged = accessClaims
                forged["iss"] = issuer
                client.authorization = "Bearer \(try jwt.codec.encode(forged))"
                #expect(try await client.get("user/").status == .unauthorized)
            }
        }
    }

    @Test("RS256 without VERIFYING_KEY stops start-up, naming the setting")
    func missingVerifyingKey() async throws {
        var configuration = testConfiguration(jwtProfile)
        configuration.jwtAlgorithm = .rs256
        configuration.jwtSigningKey = TestKeys.rsaPrivate
        configuration.jwtVerifyingKey = nil
        let error = #expect(throws: ConfigurationError.self) { try configuration.validate() }
        #expect(error?.setting == "SIMPLE_JWT_VERIFYING_KEY")
    }

    @Test("The access cookie without USE_CSRF: unsafe requests need no CSRF; SameSite unset leaves the attribute out")
    func cookieWithoutCSRF() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtAuthCookieUseCSRF = false
            $0.jwtAuthSameSite = .unset
        }) { _, client in
            let user = try await client.register()
            let login = try await client.jwtLogIn(user.username)
            // Every cookie of the answer, not only the last one written (Vapor's cookie
            // parser would give the others its default Lax).
            for name in ["jwt-auth", "jwt-refresh"] {
                let line = try #require(login.setCookieLine(name))
                #expect(!line.contains("SameSite"), "\(login.headers[.setCookie])")
            }
            let patch = try await client.request(.PATCH, "user/", .json(["first_name": "Cookie"]))
            #expect(patch.status == .ok, "\(patch.body)")
        }
    }

    @Test("Under HttpOnly: refresh from the cookie, the rotated token only in its cookie, sign-up's refresh empty")
    func httpOnlyRefresh() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtAuthHTTPOnly = true
        }) { _, client in
            let signup = try await client.post(
                "registration/",
                [
                    "username": "httponly", "email": "httponly@example.com", "password1": .string(password),
                    "password2": .string(password),
                ])
            #expect(signup.string("refresh") == "")
            let first = try #require(client.cookies["jwt-refresh"])
            let refreshed = try await client.post("token/refresh/", [:])
            #expect(refreshed.status == .ok, "\(refreshed.body)")
            #expect(refreshed.string("refresh") == nil, "the rotated token stays out of the body")
            let second = try #require(refreshed.setCookieLine("jwt-refresh"))
            #expect(!second.contains(first) && client.cookies["jwt-refresh"] != first)
            #expect(refreshed.setCookieLine("jwt-auth") != nil)
        }
    }

    @Test("LEEWAY accepts a token just expired")
    func leeway() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtLeeway = 60
        }) { app, client in
            let (access, _) = try await loggedIn(client)
            client.cookies = [:]
            var payload = claims(of: access)
            payload["exp"] = .int(Int(Date().timeIntervalSince1970) - 30)
            client.authorization = "Bearer \(try app.restAuth.state.jwt!.codec.encode(payload))"
            let r7 = try await client.get("user/")
            #expect(r7.status == .ok)
        }
    }

    @Test("A disabled or deleted user's token is refused at once")
    func disabledOrDeleted() async throws {
        try await withRestAuthApp(jwtProfile) { app, client in
            let (access, _) = try await loggedIn(client)
            client.cookies = [:]
            client.authorization = "Bearer \(access)"
            try await AuthUser.query(on: app.db).set(\.$isActive, to: false).update()
            let r8 = try await client.get("user/")
            // The same answer as for a deleted user: nothing tells the two apart.
            #expect(r8.status == .unauthorized && r8.json == ["detail": "User not found", "code": "user_not_found"])
            try await AuthUser.query(on: app.db).delete()
            let r9 = try await client.get("user/")
            #expect(r9.json == ["detail": "User not found", "code": "user_not_found"])
        }
    }

    @Test("A malformed Authorization header is DRF's 401; other schemes are not ours")
    func headers() async throws {
        try await withRestAuthApp(jwtProfile) { _, client in
            client.authorization = "Bearer a b"
            let r10 = try await client.get("user/")
            #expect(r10.string("code") == "bad_authorization_header")
            client.authorization = "Token abc"
            let reply = try await client.get("user/")
            #expect(reply.json == ["detail": "Authentication credentials were not provided."])
        }
    }

    @Test(
        "RS256, ES256 and EdDSA with signing and verifying keys",
        arguments: [
            (JWTAlgorithm.rs256, TestKeys.rsaPrivate, TestKeys.rsaPublic),
            (.es256, TestKeys.ecPrivate, TestKeys.ecPublic),
            (.eddsa, TestKeys.edPrivate, TestKeys.edPublic),
        ])
    func asymmetric(algorithm: JWTAlgorithm, privateKey: String, publicKey: String) async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtAlgorithm = algorithm
            $0.jwtSigningKey = privateKey
            $0.jwtVerifyingKey = publicKey
        }) { _, client in
            let (access, _) = try await loggedIn(client)
            let header = String(
                decoding: try #require(DjangoSigner.b64Decode(access.split(separator: ".")[0])), as: UTF8.self)
            #expect(header.contains("\"alg\":\"\(algorithm.rawValue)\""))
            client.cookies = [:]
            client.authorization = "Bearer \(access)"
            let r11 = try await client.get("user/")
            #expect(r11.status == .ok)
        }
    }

    @Test("A key that is not PEM stops start-up with the setting's name")
    func badKey() async throws {
        var configuration = testConfiguration(jwtProfile)
        configuration.jwtAlgorithm = .rs256
        configuration.jwtSigningKey = "not a key"
        configuration.jwtVerifyingKey = "not a key"
        await #expect(throws: ConfigurationError.self) { try await JWTCodec.make(configuration) }
    }

    @Test("A token simplejwt wrote verifies here")
    func simplejwtToken() async throws {
        // Written by the reference (simplejwt 5.5, SECRET_KEY "test-secret-key-0123456789"), valid until 2126.
        let token =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.9J6opmOK13UDzaPWQTmHadBfDIjIjFYAqk20JjAakdg"
        let codec = try await JWTCodec.make(testConfiguration(jwtProfile))
        let tokens = JWTTokens(codec: codec, configuration: testConfiguration(jwtProfile))
        let claims = try await tokens.validate(token, type: .access)
        #expect(tokens.userReference(in: claims) == .key(.int(7)))
    }
}

@Suite("Refresh tokens simplejwt issued on a shared database")
struct SimplejwtRefreshTests {
    @Test("A password change or reset here blacklists the user's refresh tokens that simplejwt issued (no family)")
    func familyLessTokensAreRevoked() async throws {
        try await withRestAuthApp(jwtProfile) { app, client in
            let user = try await client.register()
            let row = try #require(try await AuthUser.query(on: app.db).filter(\.$username == user.username).first())
            let jwt = try #require(app.restAuth.state.jwt)
            // As simplejwt writes one: no `fam` claim, the token itself in the outstanding row.
            let now = Date()
            let jti = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let claims: JSONObject = [
                "token_type": "refresh", "exp": .int(Int(now.timeIntervalSince1970) + 3600),
                "iat": .int(Int(now.timeIntervalSince1970)), "jti": .string(jti), "user_id": .string("\(row.id!)"),
            ]
            let django = try jwt.codec.encode(claims)
            try await (app.db as! any SQLDatabase).raw(
                """
                INSERT INTO token_blacklist_outstandingtoken (token, created_at, expires_at, user_id, jti) VALUES (\(bind: django), \(bind: now), \(bind: now.addingTimeInterval(3600)), \(bind: row.id!), \(bind: jti))
                """
            ).run()
            client.cookies = [:]
            let before = try await TestClient(app: app).post("token/refresh/", ["refresh": .string(django)])
            #expect(before.status == .ok, "\(before.body)")
            // (Rotation blacklisted that one: a second token of Django's, for the change.)
            let jti2 = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            var claims2 = claims
            claims2["jti"] = .string(jti2)
            let django2 = try jwt.codec.encode(claims2)
            try await (app.db as! any SQLDatabase).raw(
                """
                INSERT INTO token_blacklist_outstandingtoken (token, created_at, expires_at, user_id, jti) VALUES (\(bind: django2), \(bind: now), \(bind: now.addingTimeInterval(3600)), \(bind: row.id!), \(bind: jti2))
                """
            ).run()
            let login = try await client.jwtLogIn(user.username)
            client.cookies = [:]
            client.authorization = "Bearer \(try #require(login.string("access")))"
            let change = try await client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": .string(newPassword)])
            #expect(change.status == .ok)
            let after = try await TestClient(app: app).post("token/refresh/", ["refresh": .string(django2)])
            #expect(after.json == ["detail": "Token is blacklisted", "code": "token_not_valid"])
            // The caller's own login is not touched.
            let own = try await TestClient(app: app).post(
                "token/refresh/", ["refresh": .string(login.string("refresh")!)])
            #expect(own.status == .ok)
        }
    }
}

@Suite("token/verify/, token/refresh/ and JWT logout")
struct JWTEndpointTests {
    @Test("verify: 200 {} for either type; 401 token_not_valid; 400 without the field; absent without JWT")
    func verify() async throws {
        try await withRestAuthApp(jwtProfile) { _, client in
            let user = try await client.register()
            let login = try await client.jwtLogIn(user.username)
            let access = try #require(login.string("access"))
            let r12 = try await client.post("token/verify/", ["token": .string(access)])
            #expect(r12.json == [:])
            #expect(try await client.post("token/verify/", ["token": .string(login.string("refresh")!)]).status == .ok)
            let bad = try await client.post("token/verify/", ["token": .string(String(access.dropLast(3)) + "abc")])
            #expect(
                bad.status == .unauthorized && bad.json == ["detail": "Token is invalid", "code": "token_not_valid"])
            let r13 = try await client.post("token/verify/", [:])
            #expect(r13.json == ["token": ["This field is required."]])
        }
        try await withRestAuthApp { _, client in
            let r14 = try await client.post("token/verify/", ["token": "x"])
            #expect(r14.status == .notFound)
            let r15 = try await client.post("token/refresh/", ["refresh": "x"])
            #expect(r15.status == .notFound)
        }
    }

    @Test("refresh: rotation, blacklist, cookie, wrong type, missing token")
    func refresh() async throws {
        try await withRestAuthApp(jwtProfile) { _, client in
            let user = try await client.register()
            let old = try #require(try await client.jwtLogIn(user.username).string("refresh"))
            client.cookies = [:]
            let rotated = try await client.post("token/refresh/", ["refresh": .string(old)])
            #expect(rotated.status == .ok)
            guard case .object(let body)? = rotated.json else {
                Issue.record("no body")
                return
            }
            #expect(
                body.keys == ["access", "refresh", "access_expiration", "refresh_expiration"]
                    || Set(body.keys) == ["access", "refresh", "access_expiration", "refresh_expiration"])
            #expect(rotated.body.hasPrefix(#"{"access":"#))
            let new = try #require(rotated.string("refresh"))
            #expect(new != old && claims(of: new)["fam"] == claims(of: old)["fam"])
            #expect(rotated.setCookieLine("jwt-auth") != nil && rotated.setCookieLine("jwt-refresh") != nil)
            client.cookies = [:]
            let access = try #require(rotated.string("access"))
            let wrongType = try await client.post("token/refresh/", ["refresh": .string(access)])
            #expect(wrongType.json == ["detail": "Token has wrong type", "code": "token_not_valid"])
            let missing = try await client.post("token/refresh/", [:])
            #expect(missing.json == ["detail": "No valid refresh token found.", "code": "token_not_valid"])
        }
    }

    @Test("Reusing a rotated refresh token revokes its family, the new token too")
    func reuseRevokesFamily() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtRefreshReuseGrace = 0
        }) { _, client in
            let user = try await client.register()
            let login = try await client.jwtLogIn(user.username)
            let old = try #require(login.string("refresh"))
            client.cookies = [:]
            let new = try #require(try await client.post("token/refresh/", ["refresh": .string(old)]).string("refresh"))
            let newAccess = try #require(
                try await client.post("token/refresh/", ["refresh": .string(new)]).string("access"))
            client.cookies = [:]
            let replay = try await client.post("token/refresh/", ["refresh": .string(old)])
            #expect(replay.json == ["detail": "Token is blacklisted", "code": "token_not_valid"])
            client.cookies = [:]
            let r16 = try await client.post("token/refresh/", ["refresh": .string(new)])
            #expect(r16.status == .unauthorized, "the family is gone")
            client.authorization = "Bearer \(newAccess)"
            let r17 = try await client.get("user/")
            #expect(r17.status == .unauthorized, "its access tokens too")
        }
    }

    @Test("Eight parallel refreshes of one token: exactly one succeeds")
    func parallelRefresh() async throws {
        try await withRestAuthApp(jwtProfile) { app, client in
            let user = try await client.register()
            let refresh = try #require(try await client.jwtLogIn(user.username).string("refresh"))
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await TestClient(app: app).post("token/refresh/", ["refresh": .string(refresh)]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .unauthorized }.count == 7)
        }
    }

    @Test("The losers of a refresh race do not cost the winner its tokens; a later replay does")
    func raceLosersKeepTheWinner() async throws {
        try await withRestAuthApp(jwtProfile) { app, client in
            let user = try await client.register()
            let refresh = try #require(try await client.jwtLogIn(user.username).string("refresh"))
            let replies = try await withThrowingTaskGroup(of: TestClient.Reply.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await TestClient(app: app).post("token/refresh/", ["refresh": .string(refresh)])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winner = try #require(replies.first { $0.status == .ok })
            let newRefresh = try #require(winner.string("refresh"))
            let newAccess = try #require(winner.string("access"))
            // Within the grace the losers were refused and nothing else happened.
            let me = try await TestClient(app: app).request(
                .GET, "user/", .none, headers: ["Authorization": "Bearer \(newAccess)"])
            #expect(me.status == .ok)
            let next = try await TestClient(app: app).post("token/refresh/", ["refresh": .string(newRefresh)])
            #expect(next.status == .ok, "\(next.body)")
            // Once the grace has passed, the first token coming back is a replay.
            let database = app.db as! any SQLDatabase
            try await database.raw(
                "UPDATE token_blacklist_blacklistedtoken SET blacklisted_at = \(bind: Date().addingTimeInterval(-60))"
            ).run()
            let replay = try await TestClient(app: app).post("token/refresh/", ["refresh": .string(refresh)])
            #expect(replay.status == .unauthorized)
            let after = try #require(next.string("refresh"))
            let dead = try await TestClient(app: app).post("token/refresh/", ["refresh": .string(after)])
            #expect(dead.status == .unauthorized, "the family is gone")
        }
    }

    @Test("Rotation without BLACKLIST_AFTER_ROTATION keeps simplejwt's rule: the old refresh token still works")
    func rotationWithoutBlacklist() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtBlacklistAfterRotation = false
        }) { _, client in
            let user = try await client.register()
            let refresh = try #require(try await client.jwtLogIn(user.username).string("refresh"))
            client.cookies = [:]
            let first = try await client.post("token/refresh/", ["refresh": .string(refresh)])
            #expect(first.status == .ok)
            #expect(first.string("refresh") != nil && first.string("refresh") != refresh)
            client.cookies = [:]
            let again = try await client.post("token/refresh/", ["refresh": .string(refresh)])
            #expect(again.status == .ok)
            client.cookies = [:]
            let newer = try await client.post("token/refresh/", ["refresh": .string(first.string("refresh")!)])
            #expect(newer.status == .ok)
        }
    }

    @Test("A refreshed access token has its own iat, jti and exp (simplejwt's no_copy_claims)")
    func refreshedClaims() async throws {
        try await withRestAuthApp(jwtProfile) { _, client in
            let user = try await client.register()
            let refresh = try #require(try await client.jwtLogIn(user.username).string("refresh"))
            try await Task.sleep(for: .milliseconds(1100))
            client.cookies = [:]
            let access = try #require(
                try await client.post("token/refresh/", ["refresh": .string(refresh)]).string("access"))
            let refreshClaims = claims(of: refresh)
            let accessClaims = claims(of: access)
            let iat = try #require(JWTTokens.number(accessClaims["iat"]))
            let exp = try #require(JWTTokens.number(accessClaims["exp"]))
            #expect(exp - iat == 300)
            #expect(iat > JWTTokens.number(refreshClaims["iat"])!)
            #expect(accessClaims["jti"] != refreshClaims["jti"])
            #expect(accessClaims["token_type"] == "access")
            #expect(accessClaims["user_id"] == refreshClaims["user_id"])
        }
    }

    @Test("token/verify/ refuses an access token whose login ended")
    func verifyRevokedAccess() async throws {
        try await withRestAuthApp(jwtProfile) { _, client in
            let user = try await client.register()
            let login = try await client.jwtLogIn(user.username)
            let access = try #require(login.string("access"))
            let refresh = try #require(login.string("refresh"))
            client.cookies = [:]
            client.authorization = "Bearer \(access)"
            #expect(try await client.post("logout/", ["refresh": .string(refresh)]).status == .ok)
            client.authorization = nil
            let verify = try await client.post("token/verify/", ["token": .string(access)])
            #expect(verify.status == .unauthorized)
            #expect(verify.json == ["detail": "Token is blacklisted", "code": "token_not_valid"])
        }
    }

    @Test("Without rotation: only a new access token; the refresh token keeps working")
    func noRotation() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtRotateRefreshTokens = false
        }) { _, client in
            let user = try await client.register()
            let refresh = try #require(try await client.jwtLogIn(user.username).string("refresh"))
            client.cookies = [:]
            let first = try await client.post("token/refresh/", ["refresh": .string(refresh)])
            guard case .object(let body)? = first.json else {
                Issue.record("no body")
                return
            }
            #expect(Set(body.keys) == ["access", "access_expiration"])
            let r18 = try await client.post("token/refresh/", ["refresh": .string(refresh)])
            #expect(r18.status == .ok)
        }
    }

    @Test("Logout blacklists the refresh token, revokes its login and clears both cookies")
    func logout() async throws {
        try await withRestAuthApp(jwtProfile) { _, client in
            let user = try await client.register()
            let login = try await client.jwtLogIn(user.username)
            let access = try #require(login.string("access"))
            let refresh = try #require(login.string("refresh"))
            client.authorization = "Bearer \(access)"
            let reply = try await client.post("logout/", ["refresh": .string(refresh)])
            #expect(reply.status == .ok && reply.json == ["detail": "Successfully logged out."])
            for name in ["jwt-auth", "jwt-refresh"] {
                #expect(reply.setCookieLine(name)?.contains("Max-Age=0") == true)
            }
            let r19 = try await client.get("user/")
            #expect(r19.status == .unauthorized, "the login's access token is revoked too")
            client.authorization = nil
            client.cookies = [:]
            let r20 = try await client.post("token/refresh/", ["refresh": .string(refresh)])
            #expect(r20.status == .unauthorized)
            let again = try await client.post("logout/", ["refresh": .string(refresh)])
            #expect(again.json == ["detail": "Token is blacklisted"])
            let missing = try await client.post("logout/", [:])
            #expect(
                missing.status == .unauthorized
                    && missing.json == ["detail": "Refresh token was not included in request data."])
        }
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtAuthHTTPOnly = true
        }) { _, client in
            let reply = try await client.post("logout/", [:])
            #expect(reply.json == ["detail": "Refresh token was not included in cookie data."])
        }
    }

    @Test("A password change revokes every other login; a reset revokes all")
    func passwordRevokes() async throws {
        try await withRestAuthApp(jwtProfile) { app, client in
            let user = try await client.register()
            let mine = try await client.jwtLogIn(user.username)
            let other = try await TestClient(app: app).jwtLogIn(user.username)
            client.cookies = [:]
            client.authorization = "Bearer \(mine.string("access")!)"
            let r21 = try await client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": .string(newPassword)])
            #expect(r21.status == .ok)
            client.authorization = nil
            #expect(
                try await client.post("token/refresh/", ["refresh": .string(mine.string("refresh")!)]).status == .ok,
                "the caller's login stays")
            client.cookies = [:]
            #expect(
                try await client.post("token/refresh/", ["refresh": .string(other.string("refresh")!)]).status
                    == .unauthorized)
            let otherClient = TestClient(app: app)
            otherClient.authorization = "Bearer \(other.string("access")!)"
            #expect(try await otherClient.get("user/").status == .unauthorized)
        }
    }

    @Test("flushexpiredtokens removes expired outstanding tokens, and families once no access token can name them")
    func flush() async throws {
        try await withRestAuthApp(jwtProfile) { app, client in
            let user = try await client.register()
            _ = try await client.jwtLogIn(user.username)
            try await OutstandingToken.query(on: app.db).set(\.$expiresAt, to: Date().addingTimeInterval(-1)).update()
            try await RefreshFamily.query(on: app.db).set(\.$expiresAt, to: Date().addingTimeInterval(-1)).update()
            let removed = try await RefreshTokenStore().deleteExpired(accessTokenGrace: 300, on: app.db)
            #expect(removed == 2, "the sign-up's and the login's")
            #expect(try await OutstandingToken.query(on: app.db).count() == 0)
            #expect(try await RefreshFamily.query(on: app.db).count() == 2, "access tokens may still name them")
            try await RefreshTokenStore().deleteExpired(
                accessTokenGrace: 300, now: Date().addingTimeInterval(301), on: app.db)
            #expect(try await RefreshFamily.query(on: app.db).count() == 0)
        }
    }

    @Test("A revoked family outlives its refresh token while an access token it issued lives")
    func revokedFamilySurvivesFlush() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtAccessTokenLifetime = 600
        }) { app, client in
            let user = try await client.register()
            let login = try await client.jwtLogIn(user.username)
            let access = try #require(login.string("access"))
            client.cookies = [:]
            client.authorization = "Bearer \(access)"
            #expect(try await client.post("logout/", ["refresh": .string(login.string("refresh")!)]).status == .ok)
            #expect(try await client.get("user/").status == .unauthorized)
            // The refresh token's lifetime ends now; its last access token lives ten more minutes.
            try await RefreshFamily.query(on: app.db).set(\.$expiresAt, to: Date().addingTimeInterval(-1)).update()
            let configuration = app.restAuth.state.configuration
            try await app.restAuth.state.refreshTokens.deleteExpired(
                accessTokenGrace: configuration.jwtAccessTokenLifetime + configuration.jwtLeeway, on: app.db)
            #expect(try await client.get("user/").status == .unauthorized, "still revoked after the flush")
        }
    }

    @Test("Outstanding tokens are stored hashed, never as usable tokens")
    func storedHashed() async throws {
        try await withRestAuthApp(jwtProfile) { app, client in
            let user = try await client.register()
            let refresh = try #require(try await client.jwtLogIn(user.username).string("refresh"))
            let rows = try await OutstandingToken.query(on: app.db).all()
            #expect(rows.allSatisfy { $0.token.hasPrefix("sha256:") })
            #expect(rows.contains { $0.token == JWTTokens.storedForm(refresh) })
        }
    }
}
