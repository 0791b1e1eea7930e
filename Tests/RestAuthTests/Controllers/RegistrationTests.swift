import Fluent
import Testing
import Vapor

@testable import RestAuth

@Suite("registration/")
struct RegistrationTests {
    @Test("201 with a token that works; the address is stored unverified and primary, in lower case")
    func register() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register("newuser", email: "New.User@Example.COM")
            #expect(user.reply.status == .created)
            let key = try #require(user.reply.string("key"))
            client.authorization = "Token \(key)"
            let r1 = try await client.get("user/")
            #expect(r1.string("email") == "new.user@example.com")
            let address = try #require(try await EmailAddress.query(on: app.db).first())
            #expect(address.email == "new.user@example.com" && !address.verified && address.primary)
            let row = try #require(try await AuthUser.query(on: app.db).first())
            #expect(row.password.hasPrefix("pbkdf2_sha256$") && row.isActive && !row.isStaff && !row.isSuperuser)
        }
    }

    @Test("Missing fields, mismatch, weak and similar passwords")
    func validation() async throws {
        try await withRestAuthApp { _, client in
            let missing = try await client.post("registration/", [:])
            #expect(
                missing.body.hasPrefix(
                    #"{"username":["This field is required."],"email":["This field is required."],"password1":["#),
                "fields in declaration order")
            let mismatch = try await client.post(
                "registration/",
                [
                    "username": "a1", "email": "a1@example.com", "password1": .string(password),
                    "password2": "other-other-1",
                ])
            #expect(mismatch.json == ["non_field_errors": ["The two password fields didn't match."]])
            let weak = try await client.post(
                "registration/",
                ["username": "a2", "email": "a2@example.com", "password1": "1234", "password2": "1234"])
            #expect(
                weak.json == [
                    "password1": [
                        "This password is too short. It must contain at least 8 characters.",
                        "This password is too common.", "This password is entirely numeric.",
                    ]
                ])
            let similar = try await client.post(
                "registration/",
                [
                    "username": "lanternsturdy", "email": "a3@example.com", "password1": "sturdylantern1",
                    "password2": "sturdylantern1",
                ])
            #expect(similar.json == ["non_field_errors": ["The password is too similar to the username."]])
            let badName = try await client.post(
                "registration/",
                [
                    "username": "a b", "email": "a4@example.com", "password1": .string(password),
                    "password2": .string(password),
                ])
            #expect(badName.json == ["username": [.string(UsernameSyntax.message)]])
        }
    }

    @Test("Usernames are unique without regard to case")
    func duplicateUsername() async throws {
        try await withRestAuthApp { _, client in
            try await client.register("Taken")
            let reply = try await client.register("tAKEN")
            #expect(reply.reply.status == .badRequest)
            #expect(reply.reply.json == ["username": ["A user with that username already exists."]])
        }
    }

    @Test("A verified address belongs to one account; an unverified one does not block (allauth)")
    func duplicateEmail() async throws {
        try await withRestAuthApp { app, client in
            try await client.register("first", email: "shared@example.com")
            let r2 = try await client.register("second", email: "SHARED@example.com")
            #expect(r2.reply.status == .created)
            let address = try #require(
                try await EmailAddress.query(on: app.db).filter(\.$email == "shared@example.com").first())
            address.verified = true
            try await address.save(on: app.db)
            let third = try await client.register("third", email: "Shared@Example.com")
            #expect(third.reply.json == ["email": ["User is already registered with this e-mail address."]])
        }
    }

    @Test("Sign-up starts a session when SESSION_LOGIN")
    func session() async throws {
        try await withRestAuthApp { _, client in
            let reply = try await client.post(
                "registration/",
                [
                    "username": "sessionuser", "email": "s@example.com", "password1": .string(password),
                    "password2": .string(password),
                ])
            #expect(reply.setCookieLine("sessionid") != nil && reply.setCookieLine("csrftoken") != nil)
            let me = try await client.get("user/")
            #expect(me.string("username") == "sessionuser")
        }
    }

    @Test("The username length limits come from the settings")
    func lengths() async throws {
        try await withRestAuthApp({
            $0.usernameMinLength = 3
            $0.usernameMaxLength = 5
        }) { _, client in
            let r4 = try await client.register("ab")
            #expect(r4.reply.json == ["username": ["Ensure this field has at least 3 characters."]])
            let r5 = try await client.register("abcdef")
            #expect(r5.reply.json == ["username": ["Ensure this field has no more than 5 characters."]])
            let r6 = try await client.register("abcd")
            #expect(r6.reply.status == .created)
        }
    }
}
