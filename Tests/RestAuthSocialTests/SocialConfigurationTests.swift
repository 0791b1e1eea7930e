import Fluent
import Foundation
import RestAuth
import RestAuthTesting
import Testing
import Vapor

@testable import RestAuthSocial

@Suite("Social apps from configuration, the socialapp table and the environment")
struct SocialConfigurationTests {
    @Test("Credentials from socialaccount_socialapp, as the Django admin keeps them; none is a 503")
    func appsFromTable() async throws {
        try await withSocialApp(social: { server, social in
            social = SocialConfiguration()
            social.storeTokens = true
            social.add(GoogleProvider(baseURL: server.url("google")), callbackURL: ProviderServer.callbackURL)
            social.add(
                OpenIDConnectProvider(id: "keycloak", serverURL: server.url("oidc")),
                callbackURL: ProviderServer.callbackURL)
        }) { app, server in
            let missing = try await RestAuthTestClient(app: app).post("google/", ["access_token": "t"])
            #expect(missing.status == .serviceUnavailable)
            #expect(missing.json == ["detail": "Social login with google is not configured."])

            let google = SocialApp(
                provider: "google", name: "Google", clientID: ProviderServer.clientID, secret: ProviderServer.secret)
            try await google.save(on: app.db)
            let oidc = SocialApp(
                provider: "openid_connect", providerID: "keycloak", name: "Keycloak", clientID: ProviderServer.clientID,
                secret: ProviderServer.secret, settings: ["server_url": .string(server.url("oidc"))])
            try await oidc.save(on: app.db)

            let user = ProviderUser(email: "table@example.com")
            let reply = try await RestAuthTestClient(app: app).post(
                "google/", ["code": .string(server.code(for: user, provider: "google"))])
            #expect(reply.status == .ok, "\(reply.body)")
            // The token remembers its app.
            #expect(try await SocialToken.query(on: app.db).first()?.appID == google.id)

            let kc = try await RestAuthTestClient(app: app).post(
                "keycloak/", ["code": .string(server.code(for: ProviderUser(), provider: "oidc"))])
            #expect(kc.status == .ok, "\(kc.body)")

            // The settings column is JSON, read back as such.
            let stored = try #require(try await SocialApp.query(on: app.db).filter(\.$providerID == "keycloak").first())
            #expect(stored.settings == ["server_url": .string(server.url("oidc"))])
        }
    }

    @Test("Tokens are not kept when STORE_TOKENS is off")
    func storeTokensOff() async throws {
        try await withSocialApp(social: { _, social in social.storeTokens = false }) { app, server in
            let reply = try await RestAuthTestClient(app: app).post(
                "google/", ["code": .string(server.code(for: ProviderUser(), provider: "google"))])
            #expect(reply.status == .ok)
            #expect(try await SocialToken.query(on: app.db).count() == 0)
        }
    }

    @Test("The demo's environment: built-in providers with credentials, generic OpenID Connect providers")
    func environment() throws {
        let social = try SocialConfiguration.fromEnvironment([
            "SOCIALACCOUNT_GOOGLE_CLIENT_ID": "g-id", "SOCIALACCOUNT_GOOGLE_SECRET": "g-secret",
            "SOCIALACCOUNT_GOOGLE_CALLBACK_URL": "https://app/cb", "SOCIALACCOUNT_GITHUB_CLIENT_ID": "gh",
            "SOCIALACCOUNT_GITHUB_BASE_URL": "http://127.0.0.1:1234/",
            "SOCIALACCOUNT_FACEBOOK_SECRET": "no id, not offered",
            "SOCIALACCOUNT_APPLE_CLIENT_ID": "com.example", "SOCIALACCOUNT_APPLE_KEY": "TEAM",
            "SOCIALACCOUNT_APPLE_SECRET": "KEYID", "SOCIALACCOUNT_APPLE_CERTIFICATE_KEY": "-----BEGIN PRIVATE KEY-----",
            "SOCIALACCOUNT_OIDC_KEYCLOAK_SERVER_URL": "https://sso.example.com/realms/main",
            "SOCIALACCOUNT_OIDC_KEYCLOAK_CLIENT_ID": "kc", "SOCIALACCOUNT_OIDC_KEYCLOAK_SECRET": "kc-secret",
            "SOCIALACCOUNT_OIDC_KEYCLOAK_SETTINGS": #"{"scope": "openid"}"#, "SOCIALACCOUNT_STORE_TOKENS": "False",
        ])
        #expect(social.entries.map(\.provider.id) == ["google", "github", "apple", "keycloak"])
        #expect(!social.storeTokens)
        #expect(!SocialConfiguration().storeTokens, "allauth's default")
        #expect(try SocialConfiguration.fromEnvironment(["SOCIALACCOUNT_STORE_TOKENS": "true"]).storeTokens)
        let google = try #require(social.entries.first?.app)
        #expect(google.clientID == "g-id")
        #expect(google.secret == "g-secret")
        #expect(google.callbackURL == "https://app/cb")
        let github = try #require(social.entries[1].provider as? GitHubProvider)
        #expect(github.apiURL == "http://127.0.0.1:1234")
        #expect(social.entries[2].app?.setting("certificate_key") == "-----BEGIN PRIVATE KEY-----")
        #expect(social.entries[2].app?.key == "TEAM")
        let keycloak = try #require(social.entries[3].provider as? OpenIDConnectProvider)
        #expect(keycloak.serverURL == "https://sso.example.com/realms/main")
        #expect(social.entries[3].app?.setting("scope") == "openid")

        #expect(throws: SocialConfigurationError.self) {
            try SocialConfiguration.fromEnvironment(["SOCIALACCOUNT_OIDC_X_SERVER_URL": "https://x"])
        }
        // A generic provider cannot quietly take a built-in one's place.
        #expect(throws: SocialConfigurationError.self) {
            try SocialConfiguration.fromEnvironment([
                "SOCIALACCOUNT_GOOGLE_CLIENT_ID": "g", "SOCIALACCOUNT_OIDC_GOOGLE_SERVER_URL": "https://x",
                "SOCIALACCOUNT_OIDC_GOOGLE_CLIENT_ID": "c",
            ])
        }
        // GitHub Enterprise: the web URL and the API's.
        let enterprise = try SocialConfiguration.fromEnvironment([
            "SOCIALACCOUNT_GITHUB_CLIENT_ID": "gh", "SOCIALACCOUNT_GITHUB_BASE_URL": "https://github.example.com",
            "SOCIALACCOUNT_GITHUB_API_URL": "https://github.example.com/api/v3/",
        ])
        let ghe = try #require(enterprise.entries.first?.provider as? GitHubProvider)
        #expect(ghe.webURL == "https://github.example.com" && ghe.apiURL == "https://github.example.com/api/v3")
        #expect(throws: SocialConfigurationError.self) {
            try SocialConfiguration.fromEnvironment([
                "SOCIALACCOUNT_GOOGLE_CLIENT_ID": "g", "SOCIALACCOUNT_GOOGLE_SETTINGS": "[1]",
            ])
        }
        #expect(throws: SocialConfigurationError.self) {
            try SocialConfiguration.fromEnvironment([
                "SOCIALACCOUNT_OIDC_LOGIN_SERVER_URL": "https://x", "SOCIALACCOUNT_OIDC_LOGIN_CLIENT_ID": "c",
            ])
        }
    }

    @Test("Endpoints have DRF's names and methods")
    func metadata() async throws {
        try await withSocialApp { app, _ in
            let client = RestAuthTestClient(app: app)
            let options = try await client.request(.OPTIONS, "github/")
            #expect(options.string("name") == "GitHub Login")
            #expect(options.headers.first(name: .allow) == "POST, OPTIONS")
            let connect = try await client.request(.OPTIONS, "keycloak/connect/")
            #expect(connect.status == .unauthorized)
            #expect(try await client.get("nosuchprovider/").status == .notFound)
        }
    }
}

@Suite("The social package's environment names")
struct SocialEnvironmentNamesTests {
    @Test("What fromEnvironment reads is recognised; the rest of SOCIALACCOUNT_* is not")
    func names() {
        for name in [
            "SOCIALACCOUNT_GOOGLE_CLIENT_ID", "SOCIALACCOUNT_APPLE_CERTIFICATE_KEY", "SOCIALACCOUNT_STORE_TOKENS",
            "SOCIALACCOUNT_OIDC_KEYCLOAK_SERVER_URL", "SOCIALACCOUNT_MICROSOFT_TENANT",
        ] {
            #expect(SocialConfiguration.readsEnvironmentSetting(name), "\(name)")
        }
        for name in [
            "SOCIALACCOUNT_AUTO_SIGNUP", "SOCIALACCOUNT_GOOGLE_CLIENTID",
            "SOCIALACCOUNT_OIDC__SECRET",
        ] {
            #expect(!SocialConfiguration.readsEnvironmentSetting(name), "\(name)")
        }
    }
}
