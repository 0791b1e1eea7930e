import Fluent
import Foundation
import JWTKit
import RestAuth
import RestAuthTesting
import Testing
import Vapor

@testable import RestAuthSocial

@Suite("Social login: each provider end to end against the provider server")
struct SocialLoginTests {
    @Test("Google: a code makes a user with a verified address, an unusable password, the account and its token")
    func googleCodeSignUp() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "ada@example.com", emailVerified: true)
            let client = RestAuthTestClient(app: app)
            let reply = try await client.social(
                "google/", ["code": .string(server.code(for: user, provider: "google"))])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(reply.string("key")?.count == 40)

            let me = try await client.get("user/")
            #expect(me.string("email") == "ada@example.com")
            #expect(me.string("username") == "ada")
            #expect(me.string("first_name") == "Ada")
            #expect(me.string("last_name") == "Lovelace")

            let stored = try #require(try await AuthUser.query(on: app.db).first())
            #expect(stored.password.hasPrefix("!"))
            let address = try #require(try await EmailAddress.query(on: app.db).first())
            #expect(address.email == "ada@example.com")
            #expect(address.verified)
            #expect(address.primary)

            let accounts = try await socialAccounts(app)
            #expect(accounts.count == 1)
            #expect(accounts.first?.provider == "google")
            #expect(accounts.first?.uid == user.sub)
            #expect(accounts.first?.userKey == .int(stored.id!))
            guard case .object(let extra)? = accounts.first?.extraData else {
                Issue.record("extra_data is not an object")
                return
            }
            #expect(extra["email"] == .string("ada@example.com"))

            let token = try #require(try await SocialToken.query(on: app.db).first())
            #expect(token.accountID == accounts.first?.id)
            #expect(token.token.hasPrefix("token-"))
            #expect(token.tokenSecret.hasPrefix("refresh-"))
            #expect(token.appID == nil)
            #expect(token.expiresAt.map { $0 > Date() } == true)

            // The code was exchanged with the app's credentials and the callback URL.
            #expect(server.requests(matching: "POST /google/token").count == 1)
        }
    }

    @Test("A later login with the same provider account finds the user, never a second one")
    func laterLoginFindsUser() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "grace@example.com")
            let first = try await RestAuthTestClient(app: app).social(
                "google/", ["access_token": .string(server.accessToken(for: user, provider: "google"))])
            #expect(first.status == .ok, "\(first.body)")
            let before = try #require(try await socialAccounts(app).first)
            try await Task.sleep(for: .milliseconds(5))
            let second = try await RestAuthTestClient(app: app).social(
                "google/", ["code": .string(server.code(for: user, provider: "google"))])
            #expect(second.status == .ok, "\(second.body)")
            #expect(second.string("key") == first.string("key"))
            #expect(try await userCount(app) == 1)
            let after = try #require(try await socialAccounts(app).first)
            #expect(after.lastLogin > before.lastLogin)
            #expect(after.dateJoined == before.dateJoined)
            // One token per account and app, refreshed.
            #expect(try await SocialToken.query(on: app.db).count() == 1)
        }
    }

    @Test("Google: an id_token alone, or with an access token, is checked against the provider's keys")
    func googleIDToken() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "id@example.com")
            let idToken = try await server.idToken(for: user, issuer: server.url("google"))
            let reply = try await RestAuthTestClient(app: app).social("google/", ["id_token": .string(idToken)])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(try await socialAccounts(app).first?.uid == user.sub)

            let both = try await RestAuthTestClient(app: app).social(
                "google/", ["access_token": "anything", "id_token": .string(idToken)])
            #expect(both.status == .ok, "\(both.body)")
            #expect(try await userCount(app) == 1)
            // The user-info endpoint was never needed.
            #expect(server.requests(matching: "GET /google/userinfo").isEmpty)
        }
    }

    @Test(
        "Forged id_tokens are refused by every provider that takes one: another key, expired, another app, another issuer, alg none, no subject"
    )
    func forgedIDTokens() async throws {
        try await withSocialApp { app, server in
            let header = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString().replacingOccurrences(
                of: "=", with: "")
            for provider in ["google", "apple", "microsoft", "keycloak"] {
                let user = ProviderUser(email: "forge-\(provider)@example.com")
                var issuer = server.url(provider == "keycloak" ? "oidc" : provider)
                var base: [String: JSONValue?] = [:]
                if provider == "microsoft" {
                    issuer = "\(issuer)/\(user.tenant)/v2.0"
                    base["oid"] = .string(user.sub)
                }
                func token(
                    issuer: String = issuer, audience: String = ProviderServer.clientID, expiresIn: TimeInterval = 600,
                    key: JWTKit.Insecure.RSA.PrivateKey = ProviderServer.signingKey, kid: String = ProviderServer.keyID,
                    overrides: [String: JSONValue?] = [:]
                ) async throws -> String {
                    try await server.idToken(
                        for: user, issuer: issuer, audience: audience, expiresIn: expiresIn, key: key, kid: kid,
                        overrides: base.merging(overrides) { $1 })
                }
                // The genuine article works, so each refusal below is the forgery's doing.
                let valid = try await token()
                let genuine = try await RestAuthTestClient(app: app).post(
                    "\(provider)/", ["id_token": .string(valid)])
                #expect(genuine.status == .ok, "\(provider): \(genuine.body)")
                let payload = valid.split(separator: ".")[1]
                let forged: [(String, String)] = [
                    ("another key", try await token(key: ProviderServer.strangerKey)),
                    ("another key, unknown kid", try await token(key: ProviderServer.strangerKey, kid: "k2")),
                    ("expired", try await token(expiresIn: -60)),
                    ("another app", try await token(audience: "someone-elses-client")),
                    ("another issuer", try await token(issuer: "https://evil.example.com")),
                    ("no subject", try await token(overrides: ["sub": nil, "oid": nil])),
                    ("alg none", "\(header).\(payload)."),
                    (
                        "tampered",
                        valid.replacingOccurrences(of: String(payload), with: String(payload.dropLast(2)) + "AA")
                    ),
                    ("garbage", "not-a-jwt"),
                ]
                for (name, forgery) in forged {
                    let reply = try await RestAuthTestClient(app: app).post(
                        "\(provider)/", ["id_token": .string(forgery)])
                    #expect(reply.status == .badRequest, "\(provider), \(name): \(reply.body)")
                    #expect(nonFieldErrors(reply) == ["Incorrect value"], "\(provider), \(name): \(reply.body)")
                }
            }
            // One user per provider, from the genuine tokens only.
            #expect(try await userCount(app) == 4)
            #expect(try await socialAccounts(app).count == 4)
        }
    }

    @Test("A token the provider no longer honours (expired or revoked) logs nobody in, whichever the provider")
    func revokedTokens() async throws {
        try await withSocialApp { app, server in
            for (path, provider) in [
                ("google", "google"), ("facebook", "facebook"), ("github", "github"), ("microsoft", "microsoft"),
                ("keycloak", "oidc"),
            ] {
                var user = ProviderUser(email: "revoked-\(provider)@example.com", login: "revoked-\(provider)")
                user.githubEmails = [("revoked-\(provider)@example.com", true, true)]
                let token = server.accessToken(for: user, provider: provider)
                let first = try await RestAuthTestClient(app: app).post(
                    "\(path)/", ["access_token": .string(token)])
                #expect(first.status == .ok, "\(path): \(first.body)")
                server.revoke(token)
                let again = try await RestAuthTestClient(app: app).post(
                    "\(path)/", ["access_token": .string(token)])
                #expect(again.status == .badRequest, "\(path): \(again.body)")
                #expect(nonFieldErrors(again) == ["Incorrect value"], "\(path): \(again.body)")
            }
            let (token, secret) = server.oauth1Token(for: ProviderUser(login: "revoked-x"))
            let first = try await RestAuthTestClient(app: app).post(
                "twitter/", ["access_token": .string(token), "token_secret": .string(secret)])
            #expect(first.status == .ok, "\(first.body)")
            server.revoke(token)
            let again = try await RestAuthTestClient(app: app).post(
                "twitter/", ["access_token": .string(token), "token_secret": .string(secret)])
            #expect(nonFieldErrors(again) == ["Incorrect value"], "\(again.body)")
        }
    }

    @Test("dj-rest-auth's messages for missing input, a bad code, and a missing callback URL")
    func inputErrors() async throws {
        try await withSocialApp { app, server in
            let client = RestAuthTestClient(app: app)
            var reply = try await client.post("google/", [:])
            #expect(reply.status == .badRequest)
            #expect(reply.json == ["non_field_errors": ["Incorrect input. access_token or code is required."]])

            reply = try await client.post("google/", ["access_token": "", "code": ""])
            #expect(reply.json == ["non_field_errors": ["Incorrect input. access_token or code is required."]])

            reply = try await client.post("google/", ["code": "never-issued"])
            #expect(reply.status == .badRequest)
            #expect(reply.json == ["non_field_errors": ["Failed to exchange code for access token"]])

            reply = try await client.post("google/", ["access_token": "never-issued"])
            #expect(reply.json == ["non_field_errors": ["Incorrect value"]])

            reply = try await client.post("google/", ["access_token": true])
            #expect(reply.json == ["access_token": ["Not a valid string."]])
            reply = try await client.post("google/", ["code": ["a"], "id_token": [:]])
            #expect(reply.json == ["code": ["Not a valid string."], "id_token": ["Not a valid string."]])

            reply = try await client.request(.POST, "google/", .raw("{", contentType: "application/json"))
            #expect(reply.status == .badRequest)

            reply = try await client.get("google/")
            #expect(reply.status == .methodNotAllowed)
            #expect(try await userCount(app) == 0)
        }
        try await withSocialApp(social: { server, social in
            social = socialConfiguration(server, callbackURL: nil)
        }) { app, server in
            let reply = try await RestAuthTestClient(app: app).post(
                "google/", ["code": .string(server.code(for: ProviderUser(), provider: "google"))])
            #expect(reply.json == ["non_field_errors": ["Define callback_url in view"]])
        }
    }

    @Test("A code is single-use: the second exchange fails")
    func codeIsSingleUse() async throws {
        try await withSocialApp { app, server in
            let code = server.code(for: ProviderUser(email: "once@example.com"), provider: "github")
            let first = try await RestAuthTestClient(app: app).post("github/", ["code": .string(code)])
            #expect(first.status == .ok, "\(first.body)")
            let second = try await RestAuthTestClient(app: app).post("github/", ["code": .string(code)])
            #expect(second.json == ["non_field_errors": ["Failed to exchange code for access token"]])
        }
    }

    @Test("An address that already has an account is refused, and nothing is created")
    func emailCollision() async throws {
        try await withSocialApp { app, server in
            try await RestAuthTestClient(app: app).signUpWithPassword("existing", email: "taken@example.com")
            for email in ["taken@example.com", "TAKEN@example.com"] {
                let user = ProviderUser(email: email)
                let reply = try await RestAuthTestClient(app: app).post(
                    "google/", ["access_token": .string(server.accessToken(for: user, provider: "google"))])
                #expect(reply.status == .badRequest)
                #expect(reply.json == ["non_field_errors": ["User is already registered with this e-mail address."]])
            }
            #expect(try await userCount(app) == 1)
            #expect(try await socialAccounts(app).isEmpty)
        }
    }

    @Test("A provider that does not vouch for the address leaves it unverified")
    func unverifiedAddress() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "maybe@example.com", emailVerified: false)
            let reply = try await RestAuthTestClient(app: app).social(
                "keycloak/", ["code": .string(server.code(for: user, provider: "oidc"))])
            #expect(reply.status == .ok, "\(reply.body)")
            let address = try #require(try await EmailAddress.query(on: app.db).first())
            #expect(!address.verified)
        }
    }

    @Test("Mandatory verification: an unverified address gets a confirmation mail and no login")
    func mandatoryVerification() async throws {
        let mail = MemoryEmailSender()
        try await withSocialApp({
            $0.emailVerification = .mandatory
            $0.emailSender = mail
        }) { app, server in
            let user = ProviderUser(email: "confirm@example.com", emailVerified: false)
            let reply = try await RestAuthTestClient(app: app).post(
                "keycloak/", ["access_token": .string(server.accessToken(for: user, provider: "oidc"))])
            #expect(reply.status == .badRequest)
            #expect(reply.json == ["non_field_errors": ["E-mail is not verified."]])
            #expect(mail.messages(to: "confirm@example.com").count == 1)
            #expect(try await userCount(app) == 1)

            let verified = ProviderUser(email: "fine@example.com", emailVerified: true)
            let ok = try await RestAuthTestClient(app: app).post(
                "keycloak/", ["access_token": .string(server.accessToken(for: verified, provider: "oidc"))])
            #expect(ok.status == .ok, "\(ok.body)")
            #expect(mail.messages(to: "fine@example.com").isEmpty)
        }
    }

    @Test("An inactive user cannot log in with a provider")
    func inactiveUser() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "off@example.com")
            let first = try await RestAuthTestClient(app: app).post(
                "google/", ["access_token": .string(server.accessToken(for: user, provider: "google"))])
            #expect(first.status == .ok)
            let stored = try #require(try await AuthUser.query(on: app.db).first())
            stored.isActive = false
            try await stored.save(on: app.db)
            let second = try await RestAuthTestClient(app: app).post(
                "google/", ["access_token": .string(server.accessToken(for: user, provider: "google"))])
            #expect(second.json == ["non_field_errors": ["User account is disabled."]])
        }
    }

    @Test("Usernames come from the profile and are made unique")
    func usernames() async throws {
        try await withSocialApp { app, server in
            try await RestAuthTestClient(app: app).signUpWithPassword("octocat", email: "someone@example.com")
            var user = ProviderUser(login: "OctoCat")
            user.githubEmails = [("cat@example.com", true, true)]
            let reply = try await RestAuthTestClient(app: app).social(
                "github/", ["code": .string(server.code(for: user, provider: "github"))])
            #expect(reply.status == .ok, "\(reply.body)")
            let names = try await AuthUser.query(on: app.db).all().map(\.username)
            #expect(names.count == 2)
            let generated = try #require(names.first { $0 != "octocat" })
            #expect(generated.hasPrefix("octocat"))
            #expect(generated.count > "octocat".count)

            // Nothing usable in the profile: allauth's "user".
            let nameless = ProviderUser(email: nil, givenName: nil, familyName: nil)
            let other = try await RestAuthTestClient(app: app).post(
                "keycloak/", ["access_token": .string(server.accessToken(for: nameless, provider: "oidc"))])
            #expect(other.status == .ok, "\(other.body)")
            #expect(try await AuthUser.query(on: app.db).filter(\.$username == "user").count() == 1)
        }
        #expect(SocialUsernames.clean("Zoë Ångström") == "zoe_angstrom")
        #expect(SocialUsernames.clean("jane.doe+x@example.com") == "jane.doe+x")
        #expect(SocialUsernames.clean("  ") == "")
    }

    @Test("Two first logins of one provider account at once make one user")
    func concurrentFirstLogins() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "race@example.com")
            let tokens = (0..<12).map { _ in server.accessToken(for: user, provider: "google") }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for token in tokens {
                    group.addTask {
                        let reply = try await RestAuthTestClient(app: app).post(
                            "google/", ["access_token": .string(token)])
                        return reply.status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses)")
            #expect(try await userCount(app) == 1)
            #expect(try await socialAccounts(app).count == 1)
            #expect(try await EmailAddress.query(on: app.db).count() == 1)
        }
    }
}
