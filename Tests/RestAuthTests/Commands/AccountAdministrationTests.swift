import Fluent
import Testing
import Vapor

@testable import RestAuth

@Suite("createsuperuser and changepassword")
struct AccountAdministrationTests {
    @Test("Creates an active staff superuser with a verified address who can log in")
    func createSuperuser() async throws {
        try await withRestAuthApp { app, client in
            let admin = AccountAdministration(application: app)
            let created = try await admin.createSuperuser(
                username: "root", email: "Root@Example.COM", password: password)
            let user = try #require(created as? AuthUser)
            #expect(user.isSuperuser && user.isStaff && user.isActive)
            #expect(user.email == "Root@example.com", "Django's normalize_email: the domain in lower case")
            let r1 = try await EmailAddress.query(on: app.db).filter(\.$verified == true).count()
            #expect(r1 == 1)
            let r2 = try await client.logIn("root")
            #expect(r2.status == .ok)
            await #expect(throws: AccountAdministration.Failure.self) {
                try await admin.createSuperuser(username: "ROOT", email: "", password: password)
            }
            let r3 = try await admin.problems(username: "a b", email: "bad")
            #expect(r3 == ["Username: \(UsernameSyntax.message)", "Email address: Enter a valid email address."])
            #expect(
                admin.passwordProblems("root12", username: "root", email: "") == [
                    "The password is too similar to the username.",
                    "This password is too short. It must contain at least 8 characters.",
                ])
        }
    }

    @Test("Changes a password; unknown users are reported")
    func changePassword() async throws {
        try await withRestAuthApp { app, client in
            let user = try await client.register()
            let admin = AccountAdministration(application: app)
            try await admin.changePassword(username: user.username, to: newPassword)
            client.cookies = [:]
            let r4 = try await client.logIn(user.username, password: newPassword)
            #expect(r4.status == .ok)
            await #expect(throws: AccountAdministration.Failure.noSuchUser("ghost")) {
                try await admin.changePassword(username: "ghost", to: newPassword)
            }
        }
    }
}
