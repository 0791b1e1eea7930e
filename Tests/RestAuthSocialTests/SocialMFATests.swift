import Foundation
import RestAuthSocial
import RestAuthTesting
import Testing
import Vapor

@testable import RestAuth

@Suite("Social login and the second factor")
struct SocialMFATests {
    /// The code of a step relative to now for a base 32 secret.
    private func code(_ secret: String, _ offset: Int64) throws -> String {
        let totp = try #require(TOTP(base32Secret: secret, digits: 6, period: 30))
        return totp.code(step: totp.step(at: Date()) + offset)
    }

    /// Signs in with Google (a new user), turns TOTP on; the secret.
    private func enableMFA(_ app: Application, _ server: ProviderServer, _ user: ProviderUser) async throws -> String {
        let client = RestAuthTestClient(app: app)
        let first = try await client.social("google/", ["code": .string(server.code(for: user, provider: "google"))])
        try #require(first.string("key") != nil, "\(first.body)")
        let offer = try await client.get("mfa/totp/activate/")
        let secret = try #require(offer.string("secret"))
        let on = try await client.post(
            "mfa/totp/activate/",
            [
                "activation_token": .string(try #require(offer.string("activation_token"))),
                // The current step, then the next one below: each inside the server's window of
                // one step either side even when a 30 s boundary passes between two requests.
                "code": .string(code(secret, 0)),
            ])
        try #require(on.status == .ok, "\(on.body)")
        return secret
    }

    @Test("A user with TOTP on who signs in with a provider gets the ephemeral-token step, then the credential")
    func socialLoginAsksForCode() async throws {
        try await withSocialApp({ $0.mfa.enabled = true }) { app, server in
            let user = ProviderUser(email: "ada@example.com", emailVerified: true)
            let secret = try await enableMFA(app, server, user)
            let client = RestAuthTestClient(app: app)
            let step = try await client.social("google/", ["code": .string(server.code(for: user, provider: "google"))])
            #expect(step.status == .ok)
            #expect(step["mfa_required"] == .bool(true))
            #expect(step["key"] == nil)
            #expect(step.headers[.setCookie].isEmpty)
            let token = try #require(step.string("ephemeral_token"))
            let done = try await client.post(
                "mfa/verify/", ["ephemeral_token": .string(token), "code": .string(code(secret, 1))])
            #expect(done.status == .ok, "\(done.body)")
            #expect(done.string("key")?.count == 40)
        }
    }

    @Test("REST_AUTH_MFA_SOCIAL_LOGIN_REQUIRES_CODE=false: social logins skip the step, as in dj-rest-auth")
    func socialLoginStepCanBeTurnedOff() async throws {
        try await withSocialApp({
            $0.mfa.enabled = true
            $0.mfa.socialLoginRequiresCode = false
        }) { app, server in
            let user = ProviderUser(email: "grace@example.com", emailVerified: true)
            _ = try await enableMFA(app, server, user)
            let again = try await RestAuthTestClient(app: app).social(
                "google/", ["code": .string(server.code(for: user, provider: "google"))])
            #expect(again.string("key")?.count == 40, "\(again.body)")
            #expect(again["mfa_required"] == nil)
        }
    }
}
