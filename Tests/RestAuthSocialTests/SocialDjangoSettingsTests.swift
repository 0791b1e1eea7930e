import Fluent
import Foundation
import RestAuth
import RestAuthTesting
import Testing
import Vapor

@testable import RestAuthSocial

@Suite("allauth's social settings")
struct SocialDjangoSettingsTests {
    @Test("SOCIALACCOUNT_PROVIDERS in Django's shape: APPS, SCOPE, VERIFIED_EMAIL; openid_connect apps")
    func providersSetting() throws {
        let social = try SocialConfiguration.fromEnvironment([
            "SOCIALACCOUNT_PROVIDERS": """
            {"google": {"SCOPE": ["profile", "email"], "AUTH_PARAMS": {"access_type": "online"},
                        "APPS": [{"client_id": "g-id", "secret": "g-secret", "key": ""}]},
             "facebook": {"VERIFIED_EMAIL": true, "APP": {"client_id": "f-id", "secret": "f-secret"}},
             "github": {"SCOPE": ["user:email"]},
             "openid_connect": {"APPS": [{"provider_id": "keycloak", "client_id": "kc", "secret": "s",
                                          "settings": {"server_url": "https://sso.example.com/realms/main"}}]}}
            """
        ])
        let ids = social.entries.map(\.provider.id)
        #expect(ids == ["google", "facebook", "github", "keycloak"])
        let google = try #require(social.entries.first?.app)
        #expect(google.clientID == "g-id" && google.secret == "g-secret" && google.setting("scope") == "profile email")
        #expect(google.settings["auth_params"] == ["access_type": "online"])
        #expect(social.entries[1].app?.settings["verified_email"] == .bool(true))
        #expect(social.entries[2].app == nil, "no APPS: the socialapp table holds its credentials")
        #expect(throws: (any Error).self) {
            try SocialConfiguration.fromEnvironment(["SOCIALACCOUNT_PROVIDERS": "[1]"])
        }
    }

    @Test("SOCIALACCOUNT_EMAIL_AUTHENTICATION: a provider-verified address signs in to the account that verified it")
    func emailAuthentication() async throws {
        try await withSocialApp(social: { _, social in
            social.emailAuthentication = true
            social.emailAuthenticationAutoConnect = true
        }) { app, server in
            let owner = RestAuthTestClient(app: app)
            _ = try await owner.signUpWithPassword("grace", email: "grace@example.com")
            // The address is not verified here yet: no sign-in through it.
            let unverified = ProviderUser(email: "grace@example.com", emailVerified: true)
            let refused = try await RestAuthTestClient(app: app).social(
                "google/", ["code": .string(server.code(for: unverified, provider: "google"))])
            #expect(refused.status == .badRequest, "\(refused.body)")
            try await EmailAddress.query(on: app.db).set(\.$verified, to: true).update()
            let reply = try await RestAuthTestClient(app: app).social(
                "google/", ["code": .string(server.code(for: unverified, provider: "google"))])
            #expect(reply.status == .ok, "\(reply.body)")
            let me = try await RestAuthTestClient(app: app).get(
                "user/", headers: ["Authorization": .init("Token \(try #require(reply.string("key")))")])
            #expect(me.string("username") == "grace")
            #expect(try await socialAccounts(app).count == 1, "auto-connected")
            // An address the provider does not vouch for never signs anyone in.
            let unvouched = ProviderUser(email: "grace@example.com", emailVerified: false)
            let other = try await RestAuthTestClient(app: app).social(
                "google/", ["code": .string(server.code(for: unvouched, provider: "google"))])
            #expect(other.status == .badRequest)
        }
    }
}

@Suite("The social account routes, mounted where the app wants them")
struct SocialAccountRoutesTests {
    @Test("mountsAccountRoutes off: the list and disconnect answer where the app mounts them, not under the prefix")
    func mountedElsewhere() async throws {
        try await withSocialApp(social: { _, social in social.mountsAccountRoutes = false }) { app, server in
            try app.restAuthSocial.mountAccountRoutes(on: app.routes, at: ["accounts"])
            let client = RestAuthTestClient(app: app)
            let login = try await client.social(
                "google/",
                ["code": .string(server.code(for: ProviderUser(email: "ada@example.com"), provider: "google"))])
            #expect(login.status == .ok, "\(login.body)")
            #expect(try await client.get("socialaccounts/").status == .notFound)
            let list = try await client.get("/accounts/socialaccounts/")
            #expect(list.status == .ok)
            guard case .array(let accounts)? = list.json, case .object(let account)? = accounts.first,
                case .int(let id)? = account["id"]
            else {
                Issue.record("no account listed: \(list.body)")
                return
            }
            #expect(try await RestAuthTestClient(app: app).get("/accounts/socialaccounts/").status == .unauthorized)
            let gone = try await client.post("/accounts/socialaccounts/\(id)/disconnect/")
            #expect(gone.status != .notFound, "\(gone.body)")
        }
    }
}

@Suite("SOCIALACCOUNT_QUERY_EMAIL")
struct SocialQueryEmailTests {
    private func githubEmail(queryEmail: Bool) async throws -> String? {
        var found: String?
        try await withSocialApp(social: { _, social in social.queryEmail = queryEmail }) { app, server in
            var user = ProviderUser(email: nil, login: "octo")
            user.githubEmails = [("octo@example.com", true, true)]
            let client = RestAuthTestClient(app: app)
            let reply = try await client.social(
                "github/", ["code": .string(server.code(for: user, provider: "github"))])
            #expect(reply.status == .ok, "\(reply.body)")
            found = try await client.get("user/").string("email")
        }
        return found
    }

    @Test("On (the default): GitHub's verified address is asked for; off: only the profile's public one")
    func github() async throws {
        #expect(try await githubEmail(queryEmail: true) == "octo@example.com")
        #expect(try await githubEmail(queryEmail: false) == "")
        #expect(!(try SocialConfiguration.fromEnvironment(["SOCIALACCOUNT_QUERY_EMAIL": "false"]).queryEmail))
    }
}
