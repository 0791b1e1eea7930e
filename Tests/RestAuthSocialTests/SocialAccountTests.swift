import Fluent
import Foundation
import RestAuth
import RestAuthTesting
import Testing
import Vapor

@testable import RestAuthSocial

@Suite("Connect, list and disconnect")
struct SocialAccountTests {
    @Test("A signed-in user connects an account; it is listed; a later social login finds the user")
    func connectAndList() async throws {
        try await withSocialApp { app, server in
            let client = RestAuthTestClient(app: app)
            try await client.signUpWithPassword("ada", email: "ada@example.com")
            var github = ProviderUser(login: "ada-gh")
            github.githubEmails = [("ada@example.com", true, true)]
            let connect = try await client.post(
                "github/connect/", ["code": .string(server.code(for: github, provider: "github"))])
            #expect(connect.status == .ok, "\(connect.body)")
            #expect(connect.string("key") != nil)

            let list = try await client.get("socialaccounts/")
            #expect(list.status == .ok)
            guard case .array(let accounts)? = list.json, case .object(let first)? = accounts.first else {
                Issue.record("not a list: \(list.body)")
                return
            }
            #expect(accounts.count == 1)
            #expect(Set(first.keys) == ["id", "provider", "uid", "last_login", "date_joined"])
            #expect(list.body.hasPrefix(#"[{"id":"#))
            #expect(first["provider"] == "github")
            #expect(first["uid"]?.stringValue?.isEmpty == false)
            #expect(first["last_login"]?.stringValue?.hasSuffix("Z") == true)

            // GitHub now logs Ada in, though the address alone never would have.
            let login = try await RestAuthTestClient(app: app).post(
                "github/", ["access_token": .string(server.accessToken(for: github, provider: "github"))])
            #expect(login.status == .ok, "\(login.body)")
            #expect(try await userCount(app) == 1)

            // Connecting again is harmless.
            let again = try await client.post(
                "github/connect/", ["code": .string(server.code(for: github, provider: "github"))])
            #expect(again.status == .ok)
            #expect(try await socialAccounts(app).count == 1)
        }
    }

    @Test("Connect needs a signed-in user, and refuses an account linked to someone else")
    func connectRules() async throws {
        try await withSocialApp { app, server in
            let anonymous = try await RestAuthTestClient(app: app).post(
                "google/connect/",
                ["access_token": .string(server.accessToken(for: ProviderUser(), provider: "google"))])
            #expect(anonymous.status == .unauthorized || anonymous.status == .forbidden)
            #expect(anonymous.json == ["detail": "Authentication credentials were not provided."])

            let owner = ProviderUser(email: "owner@example.com")
            let ownerLogin = try await RestAuthTestClient(app: app).social(
                "google/", ["access_token": .string(server.accessToken(for: owner, provider: "google"))])
            #expect(ownerLogin.status == .ok)

            let client = RestAuthTestClient(app: app)
            try await client.signUpWithPassword("mallory", email: "mallory@example.com")
            let stolen = try await client.post(
                "google/connect/", ["access_token": .string(server.accessToken(for: owner, provider: "google"))])
            #expect(stolen.status == .badRequest)
            #expect(
                stolen.json == [
                    "non_field_errors": ["The third-party account is already connected to a different account."]
                ])
            let accounts = try await socialAccounts(app)
            #expect(accounts.count == 1)
            #expect(accounts.first?.userKey == .int(1))

            // Connect takes the same input errors as login.
            let empty = try await client.post("google/connect/", [:])
            #expect(empty.json == ["non_field_errors": ["Incorrect input. access_token or code is required."]])
        }
    }

    @Test("Disconnect: only the caller's accounts; never the last way in of a user without a password")
    func disconnectRules() async throws {
        try await withSocialApp { app, server in
            // A user who signed up with Google: no usable password.
            let social = RestAuthTestClient(app: app)
            try await social.social(
                "google/",
                [
                    "access_token": .string(
                        server.accessToken(for: ProviderUser(email: "s@example.com"), provider: "google"))
                ])
            let googleID = try #require(try await socialAccounts(app).first?.id)

            let last = try await social.post("socialaccounts/\(googleID)/disconnect/")
            #expect(last.status == .badRequest)
            #expect(last.json == ["non_field_errors": ["Your account has no password set up."]])
            #expect(try await socialAccounts(app).count == 1)

            // Someone else cannot see or remove it.
            let other = RestAuthTestClient(app: app)
            try await other.signUpWithPassword("other", email: "other@example.com")
            let foreign = try await other.post("socialaccounts/\(googleID)/disconnect/")
            #expect(foreign.status == .notFound)
            #expect(foreign.json == ["detail": "Not found."])
            #expect(try await other.get("socialaccounts/").json == [])
            #expect(try await other.post("socialaccounts/999/disconnect/").status == .notFound)
            #expect(try await other.post("socialaccounts/abc/disconnect/").status == .notFound)
            #expect(
                try await RestAuthTestClient(app: app).post("socialaccounts/\(googleID)/disconnect/").status
                    == .unauthorized)

            // With a second account, the first can go.
            var github = ProviderUser(login: "s-gh")
            github.githubEmails = [("s@example.com", true, true)]
            let connect = try await social.post(
                "github/connect/", ["code": .string(server.code(for: github, provider: "github"))])
            #expect(connect.status == .ok, "\(connect.body)")
            let removed = try await social.post("socialaccounts/\(googleID)/disconnect/")
            #expect(removed.status == .ok, "\(removed.body)")
            #expect(removed.json == [:])
            let remaining = try await socialAccounts(app)
            #expect(remaining.map(\.provider) == ["github"])
            #expect(try await SocialToken.query(on: app.db).count() == 1)

            // The last one stays.
            let githubID = try #require(remaining.first?.id)
            #expect(try await social.post("socialaccounts/\(githubID)/disconnect/").status == .badRequest)
        }
    }

    @Test("A user with a password can disconnect their last account")
    func disconnectWithPassword() async throws {
        try await withSocialApp { app, server in
            let client = RestAuthTestClient(app: app)
            try await client.signUpWithPassword("pw", email: "pw@example.com")
            let connect = try await client.post(
                "keycloak/connect/",
                ["access_token": .string(server.accessToken(for: ProviderUser(), provider: "oidc"))])
            #expect(connect.status == .ok, "\(connect.body)")
            let id = try #require(try await socialAccounts(app).first?.id)
            let reply = try await client.post("socialaccounts/\(id)/disconnect/")
            #expect(reply.status == .ok)
            #expect(try await socialAccounts(app).isEmpty)
            #expect(try await SocialToken.query(on: app.db).count() == 0)
        }
    }

    @Test("Two disconnects at once cannot remove both of a password-less user's accounts")
    func concurrentDisconnects() async throws {
        try await withSocialApp { app, server in
            let client = RestAuthTestClient(app: app)
            try await client.social(
                "google/",
                [
                    "access_token": .string(
                        server.accessToken(for: ProviderUser(email: "two@example.com"), provider: "google"))
                ])
            let connect = try await client.post(
                "keycloak/connect/",
                ["access_token": .string(server.accessToken(for: ProviderUser(), provider: "oidc"))])
            #expect(connect.status == .ok)
            let ids = try await socialAccounts(app).compactMap(\.id)
            #expect(ids.count == 2)
            let authorization = try #require(client.authorization)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for id in ids {
                    group.addTask {
                        let c = RestAuthTestClient(app: app)
                        c.authorization = authorization
                        return try await c.post("socialaccounts/\(id)/disconnect/").status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.sorted { $0.code < $1.code } == [.ok, .badRequest])
            #expect(try await socialAccounts(app).count == 1)
        }
    }

    @Test("JWT mode: social login returns the pair; connect and list work with the access token")
    func jwtMode() async throws {
        try await withSocialApp({
            $0.useJWT = true
            $0.tokenModel = false
        }) { app, server in
            let client = RestAuthTestClient(app: app)
            let login = try await client.social(
                "google/",
                ["code": .string(server.code(for: ProviderUser(email: "jwt@example.com"), provider: "google"))])
            #expect(login.status == .ok, "\(login.body)")
            #expect(login.string("access") != nil)
            #expect(login.string("refresh") != nil)
            #expect(login["user"] != nil)
            #expect(client.authorization?.hasPrefix("Bearer ") == true)

            var github = ProviderUser(login: "jwt-gh")
            github.githubEmails = [("jwt@example.com", true, true)]
            let connect = try await client.post(
                "github/connect/", ["code": .string(server.code(for: github, provider: "github"))])
            #expect(connect.status == .ok, "\(connect.body)")
            #expect(connect.string("access") != nil)
            let list = try await client.get("socialaccounts/")
            guard case .array(let accounts)? = list.json else {
                Issue.record("not a list: \(list.body)")
                return
            }
            #expect(accounts.count == 2)
        }
    }

    @Test("Hooks hear of accounts added and removed")
    func hooks() async throws {
        let events = EventLog()
        try await withSocialApp({ configuration in
            configuration.hooks = [{ event, _ in events.append(event.name) }]
        }) { app, server in
            let client = RestAuthTestClient(app: app)
            try await client.signUpWithPassword("hook", email: "hook@example.com")
            _ = try await client.post(
                "google/connect/",
                ["access_token": .string(server.accessToken(for: ProviderUser(), provider: "google"))])
            let id = try #require(try await socialAccounts(app).first?.id)
            _ = try await client.post("socialaccounts/\(id)/disconnect/")
            _ = try await RestAuthTestClient(app: app).post(
                "google/",
                [
                    "access_token": .string(
                        server.accessToken(for: ProviderUser(email: "new@example.com"), provider: "google"))
                ])
        }
        let names = events.names
        #expect(names.contains("social_account_added"))
        #expect(names.contains("social_account_removed"))
        #expect(names.filter { $0 == "user_signed_up" }.count == 2)
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ name: String) { lock.withLock { list.append(name) } }
    var names: [String] { lock.withLock { list } }
}

@Suite("Every provider, in token and JWT modes")
struct EveryProviderTests {
    static let providers = ["google", "facebook", "github", "microsoft", "apple", "twitter", "keycloak"]

    /// What a client sends after the provider's own flow: a code, a token, or X's token pair.
    static func credentials(_ provider: String, for user: ProviderUser, server: ProviderServer) -> JSONValue {
        switch provider {
        case "facebook": return ["access_token": .string(server.accessToken(for: user, provider: "facebook"))]
        case "twitter":
            let (token, secret) = server.oauth1Token(for: user)
            return ["access_token": .string(token), "token_secret": .string(secret)]
        case "keycloak": return ["code": .string(server.code(for: user, provider: "oidc"))]
        default: return ["code": .string(server.code(for: user, provider: provider))]
        }
    }

    @Test("Connect, list, log in with, and disconnect", arguments: providers, [false, true])
    func roundTrip(provider: String, jwt: Bool) async throws {
        try await withSocialApp({
            if jwt {
                $0.useJWT = true
                $0.tokenModel = false
            }
        }) { app, server in
            let client = RestAuthTestClient(app: app)
            let signUp = try await client.signUpWithPassword("owner", email: "owner@example.com")
            if jwt, let access = signUp.string("access") { client.authorization = "Bearer \(access)" }
            let me = try await client.get("user/")
            let pk = try #require(me["pk"])

            var user = ProviderUser(email: "owner-\(provider)@example.com", login: "owner-\(provider)")
            user.githubEmails = [("owner-\(provider)@example.com", true, true)]
            let connect = try await client.post(
                "\(provider)/connect/", Self.credentials(provider, for: user, server: server))
            #expect(connect.status == .ok, "\(connect.body)")
            #expect(jwt ? connect.string("access") != nil : connect.string("key") != nil)

            let list = try await client.get("socialaccounts/")
            guard case .array(let accounts)? = list.json, case .object(let account)? = accounts.first else {
                Issue.record("not a list: \(list.body)")
                return
            }
            #expect(accounts.count == 1)
            #expect(account["provider"] == .string(provider))

            // The provider now logs the owner in, from a client that has nothing else.
            let login = try await RestAuthTestClient(app: app).social(
                "\(provider)/", Self.credentials(provider, for: user, server: server))
            #expect(login.status == .ok, "\(login.body)")
            let fresh = RestAuthTestClient(app: app)
            fresh.authorization = jwt ? "Bearer \(login.string("access") ?? "")" : "Token \(login.string("key") ?? "")"
            #expect(try await fresh.get("user/")["pk"] == pk)
            #expect(try await userCount(app) == 1)

            let id = try #require(account["id"].flatMap { if case .int(let n) = $0 { n } else { nil } })
            let disconnect = try await client.post("socialaccounts/\(id)/disconnect/")
            #expect(disconnect.status == .ok, "\(disconnect.body)")
            #expect(try await client.get("socialaccounts/").json == [])

            // Unlinked: the provider's account is now somebody new.
            let again = try await RestAuthTestClient(app: app).post(
                "\(provider)/", Self.credentials(provider, for: user, server: server))
            #expect(again.status == .ok, "\(again.body)")
            #expect(try await userCount(app) == 2)
        }
    }
}
