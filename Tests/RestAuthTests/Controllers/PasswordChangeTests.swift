import Fluent
import Testing
import Vapor

@testable import RestAuth

@Suite("password/change/")
struct PasswordChangeTests {
    @Test("Changes the password; the old one stops working")
    func change() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            try await client.logIn(user.username)
            let reply = try await client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": .string(newPassword)])
            #expect(reply.status == .ok && reply.json == ["detail": "New password has been saved."])
            client.authorization = nil
            client.cookies = [:]
            let r1 = try await client.logIn(user.username)
            #expect(r1.status == .badRequest)
            let r2 = try await client.logIn(user.username, password: newPassword)
            #expect(r2.status == .ok)
        }
    }

    @Test("Mismatch, validators and length limits report on new_password2 as Django does")
    func validation() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            try await client.logIn(user.username)
            let mismatch = try await client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": "other"])
            #expect(mismatch.json == ["new_password2": ["The two password fields didn\u{2019}t match."]])
            let weak = try await client.post(
                "password/change/", ["new_password1": "12345678901", "new_password2": "12345678901"])
            #expect(
                weak.json == ["new_password2": ["This password is too common.", "This password is entirely numeric."]])
            let similar = try await client.post(
                "password/change/", ["new_password1": .string(user.username), "new_password2": .string(user.username)])
            #expect(similar.json == ["new_password2": ["The password is too similar to the username."]])
            let missing = try await client.post("password/change/", ["new_password1": .string(newPassword)])
            #expect(missing.json == ["new_password2": ["This field is required."]])
            let long = String(repeating: "x", count: 129)
            let tooLong = try await client.post(
                "password/change/", ["new_password1": .string(long), "new_password2": .string(long)])
            #expect(
                tooLong.json == [
                    "new_password1": ["Ensure this field has no more than 128 characters."],
                    "new_password2": ["Ensure this field has no more than 128 characters."],
                ])
        }
    }

    @Test("OLD_PASSWORD_FIELD_ENABLED asks for the current password")
    func oldPassword() async throws {
        try await withRestAuthApp({ $0.oldPasswordFieldEnabled = true }) { _, client in
            let user = try await client.register()
            try await client.logIn(user.username)
            let missing = try await client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": .string(newPassword)])
            #expect(missing.json == ["old_password": ["This field is required."]])
            let wrong = try await client.post(
                "password/change/",
                [
                    "old_password": "wrong-wrong-1", "new_password1": .string(newPassword),
                    "new_password2": .string(newPassword),
                ])
            #expect(
                wrong.json == ["old_password": ["Your old password was entered incorrectly. Please enter it again."]])
            let right = try await client.post(
                "password/change/",
                [
                    "old_password": .string(password), "new_password1": .string(newPassword),
                    "new_password2": .string(newPassword),
                ])
            #expect(right.status == .ok)
        }
    }

    @Test("The caller's session survives; other sessions end")
    func sessionSurvives() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            client.cookies = [:]
            let other = TestClient(app: app)
            try await other.logIn(user.username)
            other.authorization = nil
            let r3 = try await other.get("user/")
            #expect(r3.status == .ok)

            try await client.logIn(user.username)
            client.authorization = nil
            let csrf = try #require(client.cookies["csrftoken"])
            let reply = try await client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": .string(newPassword)],
                headers: ["X-CSRFToken": csrf])
            #expect(reply.status == .ok)
            #expect(reply.setCookieLine("sessionid") != nil, "the session key is cycled")
            let r4 = try await client.get("user/")
            #expect(r4.status == .ok, "the caller stays logged in")
            let r5 = try await other.get("user/")
            #expect(r5.status == .unauthorized, "another session of the user ended")
        }
    }

    @Test("LOGOUT_ON_PASSWORD_CHANGE ends the caller's session too")
    func logoutOnChange() async throws {
        try await withRestAuthApp({ $0.logoutOnPasswordChange = true }) { _, client in
            let user = try await client.register()
            client.cookies = [:]
            try await client.logIn(user.username)
            client.authorization = nil
            let csrf = try #require(client.cookies["csrftoken"])
            let r6 = try await client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": .string(newPassword)],
                headers: ["X-CSRFToken": csrf])
            #expect(r6.status == .ok)
            let r7 = try await client.get("user/")
            #expect(r7.status == .unauthorized)
        }
    }

    @Test("Requires authentication")
    func anonymous() async throws {
        try await withRestAuthApp { _, client in
            let r8 = try await client.post("password/change/", ["new_password1": "a", "new_password2": "a"])
            #expect(r8.status == .unauthorized)
        }
    }
}
