import Foundation
import JWTKit
import RestAuth
import RestAuthTesting
import Testing
import Vapor

@testable import RestAuthSocial

@Suite("Each provider's protocol")
struct ProviderTests {
    @Test("Facebook: a code or an access token of this app, with appsecret_proof; another app's token is refused")
    func facebook() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "fb@example.com")
            let code = try await RestAuthTestClient(app: app).social(
                "facebook/", ["code": .string(server.code(for: user, provider: "facebook"))])
            #expect(code.status == .ok, "\(code.body)")
            let token = try await RestAuthTestClient(app: app).social(
                "facebook/", ["access_token": .string(server.accessToken(for: user, provider: "facebook"))])
            #expect(token.status == .ok, "\(token.body)")
            #expect(try await userCount(app) == 1)
            // Facebook's addresses are not vouched for unless the app says so.
            #expect(try await EmailAddress.query(on: app.db).first()?.verified == false)
            let me = server.requests(matching: "GET /facebook/v19.0/me")
            #expect(me.count == 2)
            #expect(me.allSatisfy { $0.contains("appsecret_proof=") })

            // A token Facebook issued to another app, for another user.
            let stranger = ProviderUser(email: "other-app@example.com")
            let foreign = server.accessToken(for: stranger, provider: "facebook", appID: "another-app")
            let refused = try await RestAuthTestClient(app: app).post("facebook/", ["access_token": .string(foreign)])
            #expect(refused.json == ["non_field_errors": ["Incorrect value"]])
            #expect(try await userCount(app) == 1)
        }
    }

    @Test("GitHub: the primary verified address from the e-mails endpoint; the login as username")
    func github() async throws {
        try await withSocialApp { app, server in
            var user = ProviderUser(login: "hopper")
            user.githubEmails = [
                ("old@example.com", false, true), ("grace@example.com", true, true), ("x@example.com", false, false),
            ]
            let reply = try await RestAuthTestClient(app: app).social(
                "github/", ["code": .string(server.code(for: user, provider: "github"))])
            #expect(reply.status == .ok, "\(reply.body)")
            let stored = try #require(try await AuthUser.query(on: app.db).first())
            #expect(stored.username == "hopper")
            #expect(stored.email == "grace@example.com")
            #expect(try await EmailAddress.query(on: app.db).first()?.verified == true)

            // An access token works too (GitHub's tokens are long-lived).
            let again = try await RestAuthTestClient(app: app).social(
                "github/", ["access_token": .string(server.accessToken(for: user, provider: "github"))])
            #expect(again.status == .ok)
            #expect(try await userCount(app) == 1)

            // No verified address: the user has none either.
            var unverified = ProviderUser(login: "anon")
            unverified.githubEmails = [("anon@example.com", true, false)]
            let anon = try await RestAuthTestClient(app: app).social(
                "github/", ["code": .string(server.code(for: unverified, provider: "github"))])
            #expect(anon.status == .ok)
            let anonUser = try await AuthUser.query(on: app.db).all().first { $0.username == "anon" }
            #expect(anonUser?.email == "")

            // A token without the user:email scope: GitHub answers 404 for the addresses;
            // the login goes on with the public address, unverified (allauth's way).
            var hidden = ProviderUser(login: "private")
            hidden.githubEmailsHidden = true
            hidden.githubPublicEmail = "public@example.com"
            let noScope = try await RestAuthTestClient(app: app).social(
                "github/", ["code": .string(server.code(for: hidden, provider: "github"))])
            #expect(noScope.status == .ok, "\(noScope.body)")
            let privateUser = try #require(
                try await AuthUser.query(on: app.db).all().first { $0.username == "private" })
            #expect(privateUser.email == "public@example.com")
            let address = try await EmailAddress.query(on: app.db).all().first { $0.email == "public@example.com" }
            #expect(address?.verified == false)
        }
    }

    @Test("Microsoft: a code (read through Graph), or an id_token from the user's tenant")
    func microsoft() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "ms@example.com")
            let reply = try await RestAuthTestClient(app: app).social(
                "microsoft/", ["code": .string(server.code(for: user, provider: "microsoft"))])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(try await socialAccounts(app).first?.uid == user.sub)
            #expect(try await EmailAddress.query(on: app.db).first()?.verified == false)

            let idToken = try await server.idToken(
                for: user, issuer: "\(server.url("microsoft"))/\(user.tenant)/v2.0",
                overrides: ["oid": .string(user.sub)])
            let viaID = try await RestAuthTestClient(app: app).social("microsoft/", ["id_token": .string(idToken)])
            #expect(viaID.status == .ok, "\(viaID.body)")
            #expect(try await userCount(app) == 1)

            // A personal account: the id_token's oid is the Graph id behind a zero prefix,
            // so both ways in find one account.
            let personal = ProviderUser(sub: "3a9e1f4e8b2c7d10", email: "msa@example.com")
            let code = try await RestAuthTestClient(app: app).social(
                "microsoft/", ["code": .string(server.code(for: personal, provider: "microsoft"))])
            #expect(code.status == .ok, "\(code.body)")
            let personalToken = try await server.idToken(
                for: personal, issuer: "\(server.url("microsoft"))/\(personal.tenant)/v2.0",
                overrides: ["oid": "00000000-0000-0000-3a9e-1f4e8b2c7d10"])
            let viaPersonal = try await RestAuthTestClient(app: app).social(
                "microsoft/", ["id_token": .string(personalToken)])
            #expect(viaPersonal.status == .ok, "\(viaPersonal.body)")
            #expect(viaPersonal.string("key") == code.string("key"))
            #expect(try await userCount(app) == 2)

            // A token claiming one tenant but issued by another is refused.
            let mixed = try await server.idToken(
                for: user, issuer: "\(server.url("microsoft"))/another-tenant/v2.0",
                overrides: ["oid": .string(user.sub)])
            let refused = try await RestAuthTestClient(app: app).post("microsoft/", ["id_token": .string(mixed)])
            #expect(refused.json == ["non_field_errors": ["Incorrect value"]])
        }
    }

    @Test("Microsoft's tenant binds access tokens and id_tokens; opaque access tokens only by opt-in")
    func microsoftTenant() async throws {
        let workTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
        var work = ProviderUser(email: "work@example.com")
        work.tenant = workTenant
        let personal = ProviderUser(sub: "3a9e1f4e8b2c7d10", email: "msa@example.com")
        func configured(_ tenant: String, opaque: Bool = false) -> (ProviderServer, inout SocialConfiguration) -> Void {
            { server, social in
                var provider = MicrosoftProvider(
                    loginURL: server.url("microsoft"), graphURL: server.url("microsoft"), tenant: tenant)
                provider.acceptOpaqueAccessTokens = opaque
                social.add(
                    provider,
                    app: SocialAppCredentials(
                        clientID: ProviderServer.clientID, secret: ProviderServer.secret,
                        callbackURL: ProviderServer.callbackURL))
            }
        }
        // (tenant, user, accepted) for JWT access tokens issued to this app.
        let cases: [(String, ProviderUser, Bool)] = [
            (workTenant, work, true), (workTenant, personal, false), ("organizations", work, true),
            ("organizations", personal, false), ("consumers", personal, true), ("consumers", work, false),
            ("common", work, true), ("common", personal, true),
        ]
        for (tenant, user, accepted) in cases {
            try await withSocialApp(social: configured(tenant)) { app, server in
                let token = server.accessToken(for: user, provider: "microsoft")
                let reply = try await RestAuthTestClient(app: app).post(
                    "microsoft/", ["access_token": .string(token)])
                #expect((reply.status == .ok) == accepted, "\(tenant) \(user.tenant): \(reply.body)")
                if ["organizations", "consumers"].contains(tenant) {
                    let idToken = try await server.idToken(
                        for: user, issuer: "\(server.url("microsoft"))/\(user.tenant)/v2.0",
                        overrides: ["oid": .string(user.sub)])
                    let viaID = try await RestAuthTestClient(app: app).post(
                        "microsoft/", ["id_token": .string(idToken)])
                    #expect((viaID.status == .ok) == accepted, "id_token \(tenant) \(user.tenant): \(viaID.body)")
                }
            }
        }
        // An opaque token (another app's, for all anyone can tell): refused, unless opted in
        // with common or consumers; never with a specific tenant or organizations.
        for (tenant, opaque, accepted) in [
            ("common", false, false), ("common", true, true), ("consumers", true, true),
            ("organizations", true, false), (workTenant, true, false),
        ] {
            try await withSocialApp(social: configured(tenant, opaque: opaque)) { app, server in
                let token = server.accessToken(
                    for: personal, provider: "microsoft", appID: "a-game-the-user-played", opaque: true)
                let reply = try await RestAuthTestClient(app: app).post(
                    "microsoft/", ["access_token": .string(token)])
                #expect((reply.status == .ok) == accepted, "opaque \(tenant) \(opaque): \(reply.body)")
                if !accepted {
                    #expect(reply.json == ["non_field_errors": ["Incorrect value"]])
                    #expect(server.requests(matching: "GET /microsoft/v1.0/me").isEmpty, "refused before Graph")
                }
            }
        }
    }

    @Test("A provider's long names and address fit Django's columns, counted in code points")
    func columnsInCodePoints() async throws {
        try await withSocialApp { app, server in
            let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"  // one Character, five code points
            var user = ProviderUser(email: String(repeating: "a", count: 250) + "@example.com")
            user.givenName = String(repeating: family, count: 100)
            user.familyName = String(repeating: "é", count: 200)
            user.login = String(repeating: family, count: 40)
            let reply = try await RestAuthTestClient(app: app).social(
                "google/", ["code": .string(server.code(for: user, provider: "google"))])
            #expect(reply.status == .ok, "\(reply.body)")
            let stored = try #require(try await AuthUser.query(on: app.db).first())
            #expect(stored.firstName.unicodeScalars.count <= 150 && stored.lastName.unicodeScalars.count <= 150)
            #expect(stored.firstName.unicodeScalars.count == 150, "cut at the column, not before")
            #expect(stored.username.unicodeScalars.count <= 150)
            #expect(stored.email.isEmpty, "an address longer than the column is no address")
            #expect(try await EmailAddress.query(on: app.db).count() == 0)
        }
    }

    @Test("Apple: a code exchanged with an ES256 client secret; an id_token with or without an access token")
    func apple() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "apple@privaterelay.appleid.com", givenName: nil, familyName: nil)
            let reply = try await RestAuthTestClient(app: app).social(
                "apple/", ["code": .string(server.code(for: user, provider: "apple"))])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(try await socialAccounts(app).first?.provider == "apple")

            let idToken = try await server.idToken(
                for: user, issuer: server.url("apple"), overrides: ["email_verified": .string("true")])
            for body: JSONValue in [
                ["id_token": .string(idToken)], ["access_token": "from-device", "id_token": .string(idToken)],
            ] {
                let again = try await RestAuthTestClient(app: app).social("apple/", body)
                #expect(again.status == .ok, "\(again.body)")
            }
            #expect(try await userCount(app) == 1)

            // Apple answers with an id_token only: an access token alone proves nothing.
            let bare = try await RestAuthTestClient(app: app).post("apple/", ["access_token": "from-device"])
            #expect(bare.json == ["non_field_errors": ["Incorrect value"]])
        }
        // A client secret signed with another key is refused by Apple.
        try await withSocialApp(social: { server, social in
            var apple = SocialAppCredentials(
                clientID: ProviderServer.clientID, secret: ProviderServer.appleKeyID, key: ProviderServer.appleTeamID,
                callbackURL: ProviderServer.callbackURL)
            apple.settings["certificate_key"] = .string(ES256PrivateKey().pemRepresentation)
            social.add(AppleProvider(baseURL: server.url("apple")), app: apple)
        }) { app, server in
            let reply = try await RestAuthTestClient(app: app).post(
                "apple/", ["code": .string(server.code(for: ProviderUser(), provider: "apple"))])
            #expect(reply.json == ["non_field_errors": ["Failed to exchange code for access token"]])
        }
    }

    @Test("X: OAuth 1.0a with access_token and token_secret, every request signed")
    func twitter() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "x@example.com", login: "jack")
            let (token, secret) = server.oauth1Token(for: user)
            let reply = try await RestAuthTestClient(app: app).social(
                "twitter/", ["access_token": .string(token), "token_secret": .string(secret)])
            #expect(reply.status == .ok, "\(reply.body)")
            let stored = try #require(try await AuthUser.query(on: app.db).first())
            #expect(stored.username == "jack")
            let kept = try #require(try await SocialToken.query(on: app.db).first())
            #expect(kept.token == token)
            #expect(kept.tokenSecret == secret)

            let wrongSecret = try await RestAuthTestClient(app: app).post(
                "twitter/", ["access_token": .string(token), "token_secret": "not-the-secret"])
            #expect(wrongSecret.json == ["non_field_errors": ["Incorrect value"]])

            // dj-rest-auth's TwitterLoginSerializer: both fields are required.
            let missing = try await RestAuthTestClient(app: app).post("twitter/", ["access_token": .string(token)])
            #expect(missing.json == ["token_secret": ["This field is required."]])
        }
    }

    @Test("The HMAC-SHA1 signature matches Twitter's documented example")
    func oauth1KnownAnswer() {
        // https://developer.x.com/en/docs/authentication/oauth-1-0a/creating-a-signature
        let signature = OAuth1.signature(
            method: "POST", url: "https://api.twitter.com/1.1/statuses/update.json",
            parameters: [
                ("include_entities", "true"), ("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
                ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
                ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
                ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "1318622958"),
                ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"), ("oauth_version", "1.0"),
            ],
            consumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            tokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
        #expect(signature == "hCtSmYh+iHYCEqBWrE7C7hYmtUk=")
    }

    @Test("OpenID Connect from the discovery document; the user-info subject must match the id_token")
    func openIDConnect() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "kc@example.com", login: "kc-user")
            let reply = try await RestAuthTestClient(app: app).social(
                "keycloak/", ["code": .string(server.code(for: user, provider: "oidc"))])
            #expect(reply.status == .ok, "\(reply.body)")
            let account = try #require(try await socialAccounts(app).first)
            #expect(account.provider == "keycloak")
            #expect(try await AuthUser.query(on: app.db).first()?.username == "kc-user")
            #expect(server.requests(matching: "GET /oidc/.well-known/openid-configuration").count == 1)

            // The id_token is about one user, user info about another.
            server.app.storage[ForgedSubjectKey.self] = "someone-else"
            let mixed = try await RestAuthTestClient(app: app).post(
                "keycloak/", ["code": .string(server.code(for: user, provider: "oidc"))])
            #expect(mixed.json == ["non_field_errors": ["Incorrect value"]])
        }
    }

    @Test("Provider keys are fetched once and again when an unknown key appears")
    func keysAreCached() async throws {
        try await withSocialApp { app, server in
            for _ in 0..<3 {
                let token = try await server.idToken(for: ProviderUser(), issuer: server.url("google"))
                let reply = try await RestAuthTestClient(app: app).post("google/", ["id_token": .string(token)])
                #expect(reply.status == .ok, "\(reply.body)")
            }
            #expect(server.state.withLockedValue { $0.jwksFetches } == 1)
            let stranger = try await server.idToken(
                for: ProviderUser(), issuer: server.url("google"), key: ProviderServer.strangerKey, kid: "rotated")
            _ = try await RestAuthTestClient(app: app).post("google/", ["id_token": .string(stranger)])
            #expect(server.state.withLockedValue { $0.jwksFetches } == 2)

            // More made-up key ids within a minute cost the provider nothing more; a known
            // key id with a bad signature never does.
            for kid in ["made-up-1", "made-up-2", ProviderServer.keyID] {
                let forged = try await server.idToken(
                    for: ProviderUser(), issuer: server.url("google"), key: ProviderServer.strangerKey, kid: kid)
                let reply = try await RestAuthTestClient(app: app).post("google/", ["id_token": .string(forged)])
                #expect(reply.status == .badRequest)
            }
            #expect(server.state.withLockedValue { $0.jwksFetches } == 2)
            // A minute on, an unknown key id may be a rotation again.
            let state = try #require(app.storage[SocialStateKey.self])
            await state.keys.age("\(server.url("google"))/certs", by: JWKSCache.refreshInterval)
            let later = try await server.idToken(
                for: ProviderUser(), issuer: server.url("google"), key: ProviderServer.strangerKey, kid: "made-up-3")
            _ = try await RestAuthTestClient(app: app).post("google/", ["id_token": .string(later)])
            #expect(server.state.withLockedValue { $0.jwksFetches } == 3)
        }
    }

    @Test("OpenID Connect: the app's token_auth_method, the discovery document's issuer, server_url from the table")
    func openIDConnectDetails() async throws {
        // HTTP basic at the token endpoint when the app's settings ask for it.
        try await withSocialApp(social: { server, social in
            var app = SocialAppCredentials(
                clientID: ProviderServer.clientID, secret: ProviderServer.secret,
                callbackURL: ProviderServer.callbackURL)
            app.settings["token_auth_method"] = "client_secret_basic"
            social.add(OpenIDConnectProvider(id: "keycloak", serverURL: server.url("oidc")), app: app)
        }) { app, server in
            let reply = try await RestAuthTestClient(app: app).post(
                "keycloak/", ["code": .string(server.code(for: ProviderUser(), provider: "oidc"))])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(server.state.withLockedValue { $0.basicExchanges } == 1)
        }
        #expect(OpenIDConnectProvider.usesBasicAuth(settings: [:], supported: ["client_secret_basic"]))
        #expect(
            !OpenIDConnectProvider.usesBasicAuth(
                settings: [:], supported: ["client_secret_basic", "client_secret_post"]))
        #expect(!OpenIDConnectProvider.usesBasicAuth(settings: [:], supported: []))
        #expect(
            !OpenIDConnectProvider.usesBasicAuth(
                settings: ["token_auth_method": "client_secret_post"], supported: ["client_secret_basic"]))

        // A discovery document that names another issuer is not the provider's.
        try await withSocialApp { app, server in
            server.app.storage[ForgedIssuerKey.self] = "https://evil.example.com"
            let reply = try await RestAuthTestClient(app: app).post(
                "keycloak/", ["code": .string(server.code(for: ProviderUser(), provider: "oidc"))])
            #expect(reply.json == ["non_field_errors": ["Failed to exchange code for access token"]])
        }

        // An app kept in the table as allauth keeps it, with its server_url in the settings.
        try await withSocialApp(social: { server, social in
            social.add(OpenIDConnectProvider(id: "gitlab"), callbackURL: ProviderServer.callbackURL)
        }) { app, server in
            try await SocialApp(
                provider: "openid_connect", providerID: "gitlab", name: "GitLab", clientID: ProviderServer.clientID,
                secret: ProviderServer.secret, settings: ["server_url": .string(server.url("oidc") + "/")]
            ).save(on: app.db)
            let reply = try await RestAuthTestClient(app: app).post(
                "gitlab/", ["code": .string(server.code(for: ProviderUser(), provider: "oidc"))])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(try await socialAccounts(app).first?.provider == "gitlab")
        }
    }

    @Test("Facebook: the app's settings choose the Graph version and whether its addresses count as verified")
    func facebookSettings() async throws {
        try await withSocialApp(social: { server, social in
            var app = SocialAppCredentials(
                clientID: ProviderServer.clientID, secret: ProviderServer.secret,
                callbackURL: ProviderServer.callbackURL)
            app.settings["verified_email"] = true
            app.settings["version"] = "v19.0"
            var facebook = FacebookProvider(graphURL: server.url("facebook"))
            facebook.version = "v1.0"
            social.add(facebook, app: app)
        }) { app, server in
            let user = ProviderUser(email: "fb@example.com")
            let reply = try await RestAuthTestClient(app: app).post(
                "facebook/", ["access_token": .string(server.accessToken(for: user, provider: "facebook"))])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(try await EmailAddress.query(on: app.db).first()?.verified == true)
        }
    }

    @Test("An access token another app holds for the user does not log them in here")
    func tokensOfOtherApps() async throws {
        try await withSocialApp { app, server in
            let user = ProviderUser(email: "replay@example.com")
            for (path, provider) in [
                ("google", "google"), ("github", "github"), ("keycloak", "oidc"), ("microsoft", "microsoft"),
                ("facebook", "facebook"),
            ] {
                var owned = user
                owned.githubEmails = [("replay@example.com", true, true)]
                let foreign = server.accessToken(for: owned, provider: provider, appID: "a-game-the-user-played")
                let refused = try await RestAuthTestClient(app: app).post(
                    "\(path)/", ["access_token": .string(foreign)])
                #expect(refused.json == ["non_field_errors": ["Incorrect value"]], "\(path): \(refused.body)")
                #expect(try await userCount(app) == 0, "\(path)")
            }
            // The same kind of token, issued to this app, is fine.
            let own = server.accessToken(for: user, provider: "microsoft")
            let reply = try await RestAuthTestClient(app: app).post("microsoft/", ["access_token": .string(own)])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(server.requests(matching: "GET /google/tokeninfo").count == 1)
            #expect(server.requests(matching: "POST /github/applications/").count == 1)
            #expect(server.requests(matching: "POST /oidc/introspect").count == 1)
        }
    }

    @Test("An app's extra audiences (a mobile app's client id) are accepted for id_tokens and access tokens")
    func extraAudiences() async throws {
        try await withSocialApp(social: { server, social in
            var google = SocialAppCredentials(
                clientID: ProviderServer.clientID, secret: ProviderServer.secret,
                callbackURL: ProviderServer.callbackURL)
            google.settings["audiences"] = ["ios-client-id"]
            social.add(GoogleProvider(baseURL: server.url("google")), app: google)
        }) { app, server in
            let user = ProviderUser(email: "mobile@example.com")
            let idToken = try await server.idToken(for: user, issuer: server.url("google"), audience: "ios-client-id")
            let viaID = try await RestAuthTestClient(app: app).post("google/", ["id_token": .string(idToken)])
            #expect(viaID.status == .ok, "\(viaID.body)")
            let token = server.accessToken(for: user, provider: "google", appID: "ios-client-id")
            let viaToken = try await RestAuthTestClient(app: app).post("google/", ["access_token": .string(token)])
            #expect(viaToken.status == .ok, "\(viaToken.body)")
            #expect(try await userCount(app) == 1)
        }
    }

    @Test("A provider that cannot be reached is a 400, not a 500")
    func unreachableProvider() async throws {
        try await withSocialApp(social: { _, social in
            social.providerTimeout = .seconds(2)
            social.add(
                GoogleProvider(baseURL: "http://127.0.0.1:9"),
                app: SocialAppCredentials(
                    clientID: ProviderServer.clientID, secret: "s", callbackURL: ProviderServer.callbackURL))
        }) { app, _ in
            let client = RestAuthTestClient(app: app)
            let code = try await client.post("google/", ["code": "c"])
            #expect(code.json == ["non_field_errors": ["Failed to exchange code for access token"]])
            let token = try await client.post("google/", ["access_token": "t"])
            #expect(token.json == ["non_field_errors": ["Incorrect value"]])
        }
    }
}
