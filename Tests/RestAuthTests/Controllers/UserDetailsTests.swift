import Fluent
import Testing
import Vapor

@testable import RestAuth

@Suite("user/")
struct UserDetailsTests {
    @Test("GET returns dj-rest-auth's five fields in order")
    func show() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            try await client.logIn(user.username)
            let reply = try await client.get("user/")
            #expect(reply.status == .ok)
            #expect(
                reply.body.range(
                    of: #"^\{"pk":[0-9]+,"username":"[^"]+","email":"[^"]+","first_name":"","last_name":""\}$"#,
                    options: .regularExpression) != nil, "\(reply.body)")
            guard case .object(let object)? = reply.json else {
                Issue.record("not an object")
                return
            }
            #expect(object["username"]?.stringValue == user.username && object["email"]?.stringValue == user.email)
        }
    }

    @Test("Without credentials: 401 with WWW-Authenticate: Token")
    func anonymous() async throws {
        try await withRestAuthApp { _, client in
            let reply = try await client.get("user/")
            #expect(reply.status == .unauthorized)
            #expect(reply.headers.first(name: "WWW-Authenticate") == "Token")
            #expect(reply.json == ["detail": "Authentication credentials were not provided."])
            let r1 = try await client.request(.DELETE, "user/")
            #expect(r1.status == .unauthorized, "authentication comes before the method")
        }
    }

    @Test("PATCH changes names; PUT needs the username; e-mail and pk are read-only")
    func update() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            try await client.logIn(user.username)
            let patch = try await client.request(
                .PATCH, "user/",
                .json(["first_name": "Ada", "last_name": "Lovelace", "email": "x@example.com", "pk": 99]))
            #expect(patch.status == .ok)
            #expect(patch.string("first_name") == "Ada" && patch.string("last_name") == "Lovelace")
            #expect(patch.string("email") == user.email && patch["pk"] != 99)
            let r2 = try await client.request(.PUT, "user/", .json(["first_name": "Grace"]))
            #expect(r2.json == ["username": ["This field is required."]])
            let put = try await client.request(.PUT, "user/", .json(["username": "renamed", "first_name": "Grace"]))
            #expect(put.status == .ok && put.string("username") == "renamed" && put.string("last_name") == "Lovelace")
            client.authorization = nil
            client.cookies = [:]
            let r3 = try await client.logIn("renamed")
            #expect(r3.status == .ok)
            let r4 = try await client.request(.DELETE, "user/")
            #expect(r4.status == .methodNotAllowed)
        }
    }

    @Test("A user may keep their own username, or change its case; another's is taken")
    func usernameRules() async throws {
        try await withRestAuthApp { _, client in
            let other = try await client.register("takenname")
            let user = try await client.register()
            try await client.logIn(user.username)
            let r5 = try await client.request(.PUT, "user/", .json(["username": .string(user.username)]))
            #expect(r5.status == .ok)
            let r6 = try await client.request(.PATCH, "user/", .json(["username": .string(user.username.uppercased())]))
            #expect(r6.status == .ok)
            let taken = try await client.request(
                .PATCH, "user/", .json(["username": .string(other.username.uppercased())]))
            #expect(taken.json == ["username": ["A user with that username already exists."]])
            let invalid = try await client.request(.PATCH, "user/", .json(["username": "a b"]))
            #expect(invalid.json == ["username": [.string(UsernameSyntax.message)]])
            let long = try await client.request(
                .PATCH, "user/", .json(["first_name": .string(String(repeating: "x", count: 151))]))
            #expect(long.json == ["first_name": ["Ensure this field has no more than 150 characters."]])
        }
    }

    @Test("Lower-case usernames when ACCOUNT_PRESERVE_USERNAME_CASING is off; blacklist applies")
    func casingAndBlacklist() async throws {
        try await withRestAuthApp({
            $0.preserveUsernameCasing = false
            $0.usernameBlacklist = ["Admin"]
        }) { _, client in
            let user = try await client.register("MiXeD")
            try await client.logIn(user.username)
            let r7 = try await client.get("user/")
            #expect(r7.string("username") == "mixed")
            let reply = try await client.request(.PATCH, "user/", .json(["username": "admin"]))
            #expect(reply.json == ["username": ["Username can not be used. Please use other username."]])
        }
    }
}
