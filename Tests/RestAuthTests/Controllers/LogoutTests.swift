import Fluent
import Testing
import Vapor

@testable import RestAuth

@Suite("logout/")
struct LogoutTests {
    @Test("Deletes the token and ends the session; the next login gets a new key")
    func logout() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            client.cookies = [:]
            let key = try #require(try await client.logIn(user.username).string("key"))
            let sessions = try await DjangoSession.query(on: app.db).count()
            let reply = try await client.post("logout/")
            #expect(reply.status == .ok && reply.json == ["detail": "Successfully logged out."])
            #expect(reply.setCookieLine("sessionid")?.contains("Max-Age=0") == true)
            let r1 = try await DjangoSession.query(on: app.db).count()
            #expect(r1 == sessions - 1)
            let r2 = try await client.get("user/")
            #expect(r2.json == ["detail": "Invalid token."])
            client.authorization = nil
            let again = try #require(try await client.logIn(user.username).string("key"))
            #expect(again != key)
        }
    }

    @Test("GET is 405 unless ACCOUNT_LOGOUT_ON_GET")
    func logoutOnGet() async throws {
        try await withRestAuthApp { _, client in
            let r3 = try await client.get("logout/")
            #expect(r3.status == .methodNotAllowed)
        }
        try await withRestAuthApp({ $0.logoutOnGet = true }) { _, client in
            let user = try await client.register()
            try await client.logIn(user.username)
            let r4 = try await client.get("logout/")
            #expect(r4.status == .ok)
            let r5 = try await client.get("user/")
            #expect(r5.status == .unauthorized)
        }
    }

    @Test("An anonymous logout is a 200, as in dj-rest-auth")
    func anonymous() async throws {
        try await withRestAuthApp { _, client in
            let r6 = try await client.post("logout/")
            #expect(r6.status == .ok)
        }
        try await withRestAuthApp({ $0.sessionLogin = false }) { _, client in
            let reply = try await client.post("logout/")
            #expect(reply.status == .badRequest)
            #expect(reply.json == ["detail": "You should be logged in to logout. Check whether the token is passed."])
        }
    }

    @Test("A session-authenticated logout needs CSRF and ends the session")
    func sessionLogout() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            client.cookies = [:]
            try await client.logIn(user.username)
            client.authorization = nil
            let r7 = try await client.post("logout/")
            #expect(r7.status == .forbidden)
            let csrf = try #require(client.cookies["csrftoken"])
            let r8 = try await client.post("logout/", headers: ["X-CSRFToken": csrf])
            #expect(r8.status == .ok)
            let r9 = try await client.get("user/")
            #expect(r9.status == .unauthorized)
        }
    }
}
