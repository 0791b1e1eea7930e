import Fluent
import Foundation
import Testing
import Vapor

@testable import RestAuth

@Suite("registration/verify-email/ and registration/resend-email/")
struct EmailVerificationTests {
    @Test("Sign-up sends a confirmation mail whose key verifies the address once")
    func verify() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({ $0.emailSender = mail }) { app, client in
            let user = try await client.register()
            let message = try #require(mail.messages(to: user.email).first, "sent before the sign-up answered")
            #expect(message.subject == "[localhost] Please Confirm Your Email Address")
            #expect(message.text.contains("user \(user.username) has given your email address"))
            let key = try confirmationKey(in: message)
            #expect(try await client.post("registration/verify-email/", ["key": .string(key)]).json == ["detail": "ok"])
            #expect(try await EmailAddress.query(on: app.db).filter(\.$verified == true).count() == 1)
            let again = try await client.post("registration/verify-email/", ["key": .string(key)])
            #expect(again.status == .notFound, "usable until the address is verified")
        }
    }

    @Test("Bad, tampered and expired keys are 404; GET is 405; a missing key is a field error")
    func badKeys() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.emailConfirmationExpireDays = 1
        }) { app, client in
            let user = try await client.register()
            let key = try confirmationKey(in: try #require(mail.messages(to: user.email).first))
            for bad in ["nonsense-key", String(key.dropLast(2)) + "zz", "", String(repeating: "A", count: 5000)]
            where !bad.isEmpty {
                #expect(try await client.post("registration/verify-email/", ["key": .string(bad)]).status == .notFound)
            }
            let address = try #require(try await EmailAddress.query(on: app.db).first())
            let expired = app.restAuth.state.confirmationKeys.key(
                forAddressID: address.id!, at: Date().addingTimeInterval(-86_401))
            #expect(try await client.post("registration/verify-email/", ["key": .string(expired)]).status == .notFound)
            #expect(try await client.get("registration/verify-email/").status == .methodNotAllowed)
            #expect(
                try await client.post("registration/verify-email/", [:]).json == ["key": ["This field is required."]])
        }
    }

    @Test("Resend: a new mail for a known unverified address; quiet otherwise")
    func resend() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({ $0.emailSender = mail }) { app, client in
            let user = try await client.register()
            let reply = try await client.post("registration/resend-email/", ["email": .string(user.email.uppercased())])
            #expect(reply.json == ["detail": "ok"])
            await app.restAuth.deliverPendingEmail()
            try #require(mail.messages(to: user.email).count == 2)
            let key = try confirmationKey(in: mail.messages(to: user.email)[1])
            #expect(try await client.post("registration/verify-email/", ["key": .string(key)]).status == .ok)
            _ = try await client.post("registration/resend-email/", ["email": .string(user.email)])
            _ = try await client.post("registration/resend-email/", ["email": "ghost@example.com"])
            await app.restAuth.deliverPendingEmail()
            #expect(mail.messages(to: user.email).count == 2, "verified addresses get nothing")
            #expect(mail.messages(to: "ghost@example.com").isEmpty)
            #expect(
                try await client.post("registration/resend-email/", ["email": "nope"]).json == [
                    "email": ["Enter a valid email address."]
                ])
        }
    }

    @Test("An app's own templates: sign-up, resend and reset each use theirs, with the placeholders filled")
    func replacedTemplates() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.emailTemplates.emailConfirmationSignup = EmailTemplate(
                subject: "Welcome {{ username }}", text: "Confirm at {{ activate_url }} ({{ site_name }})",
                html: "<a href=\"{{ link }}\">Confirm</a>")
            $0.emailTemplates.emailConfirmation = EmailTemplate { context in
                RenderedEmail(subject: "Again for \(context["email"])", text: "Open \(context.link)")
            }
            $0.emailTemplates.passwordReset = EmailTemplate(
                subject: "Reset for {{ username }}", text: "Go to {{ password_reset_url }}")
        }) { app, client in
            let user = try await client.register()
            let welcome = try #require(mail.messages(to: user.email).first)
            #expect(welcome.subject == "[localhost] Welcome \(user.username)")
            #expect(welcome.text.contains("/account-confirm-email/") && welcome.text.hasSuffix("(localhost)"))
            #expect(welcome.html?.contains("<a href=\"http://localhost") == true)
            #expect(
                try await client.post("registration/verify-email/", ["key": .string(try confirmationKey(in: welcome))])
                    .status == .ok)

            let other = try await client.register()
            _ = try await client.post("registration/resend-email/", ["email": .string(other.email)])
            _ = try await client.post("password/reset/", ["email": .string(user.email)])
            await app.restAuth.deliverPendingEmail()
            let again = try #require(mail.messages(to: other.email).last)
            #expect(
                again.subject == "[localhost] Again for \(other.email)"
                    && again.text.contains("/account-confirm-email/"))
            let reset = try #require(mail.messages(to: user.email).last)
            #expect(reset.subject == "[localhost] Reset for \(user.username)")
            #expect(reset.text.contains("/password-reset/confirm/"))
        }
    }

    @Test("Mandatory verification: no token until verified, then login works")
    func mandatory() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.emailVerification = .mandatory
            $0.loginMethods = [.email]
        }) { _, client in
            let user = try await client.register()
            #expect(user.reply.json == ["detail": "Verification e-mail sent."])
            let login: JSONValue = ["email": .string(user.email), "password": .string(password)]
            #expect(try await client.post("login/", login).json == ["non_field_errors": ["E-mail is not verified."]])
            let key = try confirmationKey(in: try #require(mail.messages(to: user.email).first))
            #expect(try await client.post("registration/verify-email/", ["key": .string(key)]).status == .ok)
            #expect(try await client.post("login/", login).string("key") != nil)
        }
    }

    @Test("No mail when verification is none")
    func none() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.emailVerification = .none
        }) { app, client in
            try await client.register()
            await app.restAuth.deliverPendingEmail()
            #expect(mail.messages.isEmpty)
        }
    }

    @Test("A verified address of another account cannot be verified twice")
    func uniqueVerified() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({ $0.emailSender = mail }) { app, client in
            try await client.register("first", email: "same@example.com")
            try await client.register("second", email: "same@example.com")
            let keys = try mail.messages(to: "same@example.com").map(confirmationKey(in:))
            #expect(try await client.post("registration/verify-email/", ["key": .string(keys[0])]).status == .ok)
            #expect(try await client.post("registration/verify-email/", ["key": .string(keys[1])]).status == .ok)
            #expect(try await EmailAddress.query(on: app.db).filter(\.$verified == true).count() == 1)
        }
    }
}
