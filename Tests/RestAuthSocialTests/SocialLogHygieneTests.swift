import Fluent
import Foundation
import RestAuth
import RestAuthTesting
import Testing
import Vapor

@testable import RestAuthSocial

@Suite("Social login: nothing secret in logs")
struct SocialLogHygieneTests {
    @Test("Codes, provider tokens, id_tokens, OAuth 1.0a secrets and app secrets never reach a log line")
    func socialFlows() async throws {
        let capture = LogCapture.shared
        let mark = capture.mark()
        var secrets: [String: String] = [
            "client secret": ProviderServer.secret, "consumer secret": ProviderServer.consumerSecret,
        ]
        try await withSocialApp { app, server in
            app.logger.logLevel = .trace
            let live = Application.Method.running(hostname: "127.0.0.1", port: 0)
            let ada = ProviderUser(email: "ada.hygiene@example.com", emailVerified: true)

            let code = server.code(for: ada, provider: "google")
            secrets["code"] = code
            let client = RestAuthTestClient(app: app, method: live)
            let login = try await client.post("google/", ["code": .string(code)])
            #expect(login.status == .ok, "\(login.body)")
            secrets["key"] = login.string("key") ?? ""
            for token in try await SocialToken.query(on: app.db).all() {
                secrets["provider token \(token.id ?? 0)"] = token.token
                secrets["provider refresh \(token.id ?? 0)"] = token.tokenSecret
            }
            // A reused code fails, and its failure is logged without it.
            let reused = try await RestAuthTestClient(app: app, method: live).post("google/", ["code": .string(code)])
            #expect(reused.status == .badRequest)

            let access = server.accessToken(for: ada, provider: "google")
            secrets["access token"] = access
            let byToken = try await RestAuthTestClient(app: app, method: live).post(
                "google/", ["access_token": .string(access)])
            #expect(byToken.status == .ok, "\(byToken.body)")

            let idToken = try await server.idToken(for: ada, issuer: server.url("google"))
            secrets["id_token"] = idToken
            let byIDToken = try await RestAuthTestClient(app: app, method: live).post(
                "google/", ["id_token": .string(idToken)])
            #expect(byIDToken.status == .ok || byIDToken.status == .badRequest)

            let (token, tokenSecret) = server.oauth1Token(for: ada)
            secrets["oauth1 token"] = token
            secrets["oauth1 token secret"] = tokenSecret
            let connect = RestAuthTestClient(app: app, method: live)
            connect.authorization = "Token \(login.string("key") ?? "")"
            let connected = try await connect.post(
                "twitter/connect/", ["access_token": .string(token), "token_secret": .string(tokenSecret)])
            #expect(connected.status == .ok, "\(connected.body)")
            let wrongSecret = try await connect.post(
                "twitter/connect/", ["access_token": .string(token), "token_secret": "Not-The-Secret-991"])
            secrets["wrong token secret"] = "Not-The-Secret-991"
            #expect(wrongSecret.status == .badRequest)

            // The list, and a disconnect.
            let accounts = try await connect.get("socialaccounts/")
            #expect(accounts.status == .ok)
            let twitter = try #require(try await socialAccounts(app).first { $0.provider == "twitter" })
            let disconnected = try await connect.post("socialaccounts/\(twitter.id!)/disconnect/")
            #expect(disconnected.status == .ok, "\(disconnected.body)")
        }
        let lines = capture.lines(since: mark)
        #expect(!lines.isEmpty)
        for (name, secret) in secrets where secret.count >= 8 {
            // In clear, as a hex dump and in base64 (a Basic header, a logged body).
            let bytes = Array(secret.utf8)
            let forms = [
                secret, bytes.map { String(format: "%02x", $0) }.joined(),
                bytes.map { String(format: "%02x", $0) }.joined(separator: " "), Data(bytes).base64EncodedString(),
            ]
            for form in forms {
                let leaks = lines.filter { $0.contains(form) }
                #expect(leaks.isEmpty, "\(name) appears in the log: \(leaks.prefix(2))")
            }
        }
        #expect(lines.contains { $0.contains("restauth.audit") && $0.contains("event=social_account_added") })
        #expect(lines.contains { $0.contains("restauth.audit") && $0.contains("event=social_account_removed") })
    }
}
