import Fluent
import Foundation
import Testing
import Vapor

@testable import RestAuth

/// Django 4.1's `SECRET_KEY_FALLBACKS`: what the old key signed still works, what is new is
/// signed with the new key.
@Suite("SECRET_KEY_FALLBACKS")
struct KeyRotationTests {
    static let old = "old-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    static let new = "new-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

    @Test("Signatures, reset tokens and confirmation keys made with a fallback key are accepted; new ones use the key")
    func signers() throws {
        let before = DjangoSigner(secret: Self.old, salt: "account")
        let after = DjangoSigner(secret: Self.new, salt: "account", fallbacks: [Self.old])
        let signed = before.timestampSign("42")
        #expect(after.timestampUnsign(signed)?.value == "42")
        #expect(DjangoSigner(secret: Self.new, salt: "account").timestampUnsign(signed) == nil)
        #expect(before.timestampUnsign(after.timestampSign("42")) == nil, "new values are signed with the new key")

        let state = PasswordResetTokenGenerator.UserState(
            pk: "7", password: "pbkdf2_sha256$1$x$y", lastLogin: nil, email: "a@example.com", addresses: [])
        let token = PasswordResetTokenGenerator(secret: Self.old, timeout: 3600).makeToken(for: state)
        #expect(
            PasswordResetTokenGenerator(secret: Self.new, timeout: 3600, fallbacks: [Self.old]).check(token, for: state)
        )
        #expect(!PasswordResetTokenGenerator(secret: Self.new, timeout: 3600).check(token, for: state))

        let key = EmailConfirmationKey(secretKey: Self.old, expireDays: 3).key(forAddressID: 9)
        #expect(
            EmailConfirmationKey(secretKey: Self.new, fallbacks: [Self.old], expireDays: 3).addressID(from: key) == 9)
        #expect(EmailConfirmationKey(secretKey: Self.new, expireDays: 3).addressID(from: key) == nil)
    }

    @Test("A JWT signed with SECRET_KEY survives its rotation; one signed with SIGNING_KEY does not use fallbacks")
    func jwt() throws {
        let old = HMACAlgorithm(algorithm: .hs256, key: Self.old)
        let rotated = HMACAlgorithm(algorithm: .hs256, key: Self.new, fallbacks: [Self.old])
        let input = Array("header.payload".utf8)
        #expect(try rotated.verify(try old.sign(input), signs: input))
        #expect(try !HMACAlgorithm(algorithm: .hs256, key: Self.new).verify(try old.sign(input), signs: input))
    }

    @Test("A session made under the old key authenticates, and is re-signed with the new one")
    func session() async throws {
        try await withRestAuthApp({
            $0.secretKey = Self.new
            $0.secretKeyFallbacks = [Self.old]
        }) { app, client in
            let registered = try await client.register()
            let user = try #require(
                try await AuthUser.query(on: app.db).filter(\.$username == registered.username).first())
            let oldStore = SessionStore(secretKey: Self.old, age: 3600)
            let key = try await oldStore.create(for: user, on: app.db)
            client.cookies["sessionid"] = key
            let me = try await client.get("user/")
            #expect(me.status == .ok && me.string("username") == registered.username)
            let row = try #require(try await DjangoSession.find(key, on: app.db))
            let current = SessionStore(secretKey: Self.new, age: 3600)
            #expect(current.signer.unsignObject(row.sessionData) != nil, "re-signed with the current key")
            #expect(try await current.user(forKey: key, users: app.restAuth.state.users, on: app.db) != nil)
        }
        try await withRestAuthApp({ $0.secretKey = Self.new }) { app, client in
            let registered = try await client.register()
            let user = try #require(
                try await AuthUser.query(on: app.db).filter(\.$username == registered.username).first())
            client.cookies["sessionid"] = try await SessionStore(secretKey: Self.old, age: 3600).create(
                for: user, on: app.db)
            #expect(try await client.get("user/").status != .ok, "without the fallback the old session is dead")
        }
    }
}
