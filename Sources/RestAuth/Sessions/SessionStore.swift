import Fluent
import Foundation
import SQLKit

/// Django's database session backend for what authentication needs: a session holds the
/// user's id and an HMAC of their password hash (`_auth_user_hash`), so a password change
/// ends every other session, exactly as `django.contrib.auth` does.
///
/// Sessions are stored in `django_session` in Django's signed format: a Django server on
/// the same database reads them, and this package reads Django's.
struct SessionStore: Sendable {
    static let userIDKey = "_auth_user_id"
    static let backendKey = "_auth_user_backend"
    static let hashKey = "_auth_user_hash"
    static let backend = "django.contrib.auth.backends.ModelBackend"
    static let validKeyCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789")

    let signer: DjangoSigner
    let secretKey: String
    let fallbacks: [String]
    let age: TimeInterval

    init(secretKey: String, fallbacks: [String] = [], age: Int) {
        self.secretKey = secretKey
        self.fallbacks = fallbacks
        self.signer = DjangoSigner(
            secret: secretKey, salt: "django.contrib.sessions.SessionStore", fallbacks: fallbacks)
        self.age = TimeInterval(age)
    }

    /// `AbstractBaseUser.get_session_auth_hash()` (with `secret`: `_get_session_auth_hash(secret=...)`,
    /// which Django 4.1 uses for each fallback key).
    func authHash(forPasswordHash password: String, secret: String? = nil) -> String {
        DjangoSigner.saltedHMAC(
            keySalt: "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", value: password,
            secret: secret ?? secretKey
        ).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a cookie value could be a session key at all (Django's `_validate_session_key`).
    static func isPlausibleKey(_ key: String) -> Bool {
        key.count >= 8 && key.count <= 40 && key.allSatisfy { validKeyCharacters.contains($0) }
    }

    /// Starts a session for `user`; returns its key.
    func create(for user: any RestAuthUser, on database: any Database) async throws -> String {
        let key = try user.requireAccountKey()
        var data = JSONObject()
        data[Self.userIDKey] = .string(key.description)
        data[Self.backendKey] = .string(Self.backend)
        data[Self.hashKey] = .string(authHash(forPasswordHash: user.accountPassword))
        let signed = signer.signObject(json: JSONValue.object(data).serialized())
        for _ in 0..<5 {
            let key = SaltGenerator.randomString(length: 32, alphabet: SaltGenerator.lowercaseAlphanumerics)
            let session = DjangoSession(key: key, data: signed, expireDate: Date().addingTimeInterval(age))
            do {
                try await session.create(on: database)
                return key
            } catch let error as any DatabaseError where error.isConstraintFailure {
                continue  // a key collision: draw another
            }
        }
        throw APIError.detail(.internalServerError, RestAuthMessages.Errors.sessionUnavailable.text)
    }

    /// The authenticated user of a session: nil when the session is unknown, expired,
    /// forged, or no longer matches the user's password.
    func user(forKey key: String, users: UserStore, on database: any Database) async throws -> (any RestAuthUser)? {
        guard Self.isPlausibleKey(key),
            let session = try await DjangoSession.query(on: database)
                .filter(\.$id == key)
                .filter(\.$expireDate > Date())
                .first(),
            let json = signer.unsignObject(session.sessionData),
            case .object(let data) = try? JSONParser.parse(json)
        else { return nil }
        let keyType = users.fields.keyType
        let userKey: UserKey?
        switch data[Self.userIDKey] {
        case .string(let text): userKey = keyType.parse(text)
        case .int(let value): userKey = keyType.parse(String(value))
        default: userKey = nil
        }
        guard let userKey, let user = try await users.user(key: userKey, on: database) else { return nil }
        guard case .string(let storedHash) = data[Self.hashKey] else { return nil }
        if ConstantTime.equals(storedHash, authHash(forPasswordHash: user.accountPassword)) { return user }
        // django.contrib.auth.get_user: a hash made with a fallback key is accepted, and the
        // session is re-keyed (here: its data re-signed and the hash made with the current key).
        guard
            fallbacks.contains(where: {
                ConstantTime.equals(storedHash, authHash(forPasswordHash: user.accountPassword, secret: $0))
            })
        else { return nil }
        var renewed = data
        renewed[Self.hashKey] = .string(authHash(forPasswordHash: user.accountPassword))
        session.sessionData = signer.signObject(json: JSONValue.object(renewed).serialized())
        try await session.save(on: database)
        return user
    }

    func delete(key: String, on database: any Database) async throws {
        guard Self.isPlausibleKey(key) else { return }
        try await DjangoSession.query(on: database).filter(\.$id == key).delete()
    }

    /// Deletes every expired session (Django's `clearsessions`).
    func deleteExpired(on database: any Database) async throws {
        try await DjangoSession.query(on: database).filter(\.$expireDate <= Date()).delete()
    }
}
