import Fluent
import Foundation
import SQLKit

/// One passkey as `passkeys_webauthncredential` keeps it, with what this package keeps beside
/// it (`restauth_passkey`).
public struct PasskeyRecord: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var credentialID: [UInt8]
    /// The COSE key as the authenticator sent it.
    public var publicKey: [UInt8]
    /// The counter as last verified (64 bits here; the reference's column holds at most 2^31-1).
    public var signCount: UInt32
    public var transports: [String]
    public var discoverable: Bool
    public var createdAt: Date
    public var lastUsedAt: Date?
    /// BE as registered; nil for a passkey registered by the reference (learnt at its next use).
    public var backupEligible: Bool?
}

/// The database side of passkeys. Every change two requests could race for is settled by the
/// database: a challenge is taken with one DELETE ... RETURNING (two completes: one gets it),
/// a credential id by its unique index (two registrations: one row), and a counter by a
/// compare-and-swap (two assertions with one count: one login).
struct PasskeyStore: Sendable {
    static let table = "passkeys_webauthncredential"
    static let extraTable = "restauth_passkey"
    static let challengeTable = "restauth_passkey_challenge"
    /// The reference's `sign_count` is a PositiveIntegerField: `integer` on PostgreSQL.
    static let referenceCounterLimit: UInt32 = UInt32(Int32.max)

    let keyType: UserKeyType

    private func sql(_ database: any Database) -> any SQLDatabase { database as! any SQLDatabase }

    private func transportsColumn(_ sql: any SQLDatabase) -> String {
        FoldedIndex.isPostgres(sql) ? #"c."transports"::text"# : #"c."transports""#
    }

    func select(_ sql: any SQLDatabase, where condition: SQLQueryString, order: String = "")
        -> SQLQueryString
    {
        """
        SELECT c."id", c."name", c."credential_id", c."public_key", c."sign_count", \
        \(unsafeRaw: transportsColumn(sql)) AS "transports", c."discoverable", c."created_at", c."last_used_at", \
        c."user_id", x."backup_eligible", x."sign_count" AS "full_sign_count" FROM "\(unsafeRaw: Self.table)" c \
        LEFT JOIN "\(unsafeRaw: Self.extraTable)" x ON x."credential_pk" = c."id" WHERE \(condition)\(unsafeRaw: order)
        """
    }

    private func decode(_ row: any SQLRow) throws -> (PasskeyRecord, UserKey) {
        let full = try row.decode(column: "full_sign_count", as: Int64?.self)
        let reference = try row.decode(column: "sign_count", as: Int64.self)
        let count = UInt32(clamping: max(full ?? reference, 0))
        let transports: [String]
        if case .array(let items)? = try? JSONValue.parse(
            Array(try row.decode(column: "transports", as: String.self).utf8))
        {
            transports = items.compactMap(\.stringValue)
        } else {
            transports = []
        }
        let passkey = PasskeyRecord(
            id: try row.decode(column: "id", as: Int.self), name: try row.decode(column: "name", as: String.self),
            credentialID: Array(try row.decode(column: "credential_id", as: Data.self)),
            publicKey: Array(try row.decode(column: "public_key", as: Data.self)), signCount: count,
            transports: transports, discoverable: try row.decode(column: "discoverable", as: Bool.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            lastUsedAt: try row.decode(column: "last_used_at", as: Date?.self),
            backupEligible: try row.decode(column: "backup_eligible", as: Bool?.self))
        let user: UserKey =
            switch keyType {
            case .int: .int(try row.decode(column: "user_id", as: Int.self))
            case .uuid: .uuid(try row.decode(column: "user_id", as: UUID.self))
            case .string: .string(try row.decode(column: "user_id", as: String.self))
            }
        return (passkey, user)
    }

    /// The user's passkeys, newest first (the reference's `-created_at`), by the user_id index.
    func passkeys(of key: UserKey, on database: any Database) async throws -> [PasskeyRecord] {
        let sql = sql(database)
        return try await sql.raw(ofUserQuery(key, on: sql)).all().map { try decode($0).0 }
    }

    func ofUserQuery(_ key: UserKey, on sql: any SQLDatabase) -> SQLQueryString {
        select(
            sql, where: #"c."user_id" = \#(bind: key.bindable)"#, order: #" ORDER BY c."created_at" DESC, c."id" DESC"#)
    }

    func byCredentialIDQuery(_ credentialID: [UInt8], on sql: any SQLDatabase) -> SQLQueryString {
        select(sql, where: #"c."credential_id" = \#(bind: Data(credentialID))"#)
    }

    /// One of the user's passkeys (another user's is nil, as a missing one is).
    func passkey(id: Int, of key: UserKey, on database: any Database) async throws -> PasskeyRecord? {
        let sql = sql(database)
        return try await sql.raw(
            select(sql, where: #"c."id" = \#(bind: id) AND c."user_id" = \#(bind: key.bindable)"#)
        ).first().map { try decode($0).0 }
    }

    /// The passkey with this credential id and its owner, by the unique index.
    func passkey(credentialID: [UInt8], on database: any Database) async throws -> (PasskeyRecord, UserKey)? {
        let sql = sql(database)
        return try await sql.raw(byCredentialIDQuery(credentialID, on: sql)).first().map(decode)
    }

    /// Stores a new passkey; nil when the credential id is already registered (to anyone:
    /// the unique index decides between racing registrations).
    func insert(
        _ credential: RegisteredCredential, name: String, transports: [String], discoverable: Bool, owner: UserKey,
        at now: Date, on database: any Database
    ) async throws -> PasskeyRecord? {
        try await database.transaction { database in
            let sql = self.sql(database)
            let postgres = FoldedIndex.isPostgres(sql)
            let transportsJSON = String(
                decoding: JSONValue.array(transports.map(JSONValue.string)).serialized(), as: UTF8.self)
            guard
                let row = try await sql.raw(
                    """
                    INSERT INTO "\(unsafeRaw: Self.table)" ("name", "credential_id", "public_key", "sign_count", \
                    "transports", "discoverable", "created_at", "last_used_at", "user_id") VALUES (\(bind: name), \
                    \(bind: Data(credential.credentialID)), \(bind: Data(credential.publicKey.encoded)), \
                    \(bind: Int64(min(credential.signCount, Self.referenceCounterLimit))), \
                    \(bind: transportsJSON)\(unsafeRaw: postgres ? "::jsonb" : ""), \(bind: discoverable), \
                    \(bind: now), NULL, \(bind: owner.bindable)) ON CONFLICT ("credential_id") DO NOTHING \
                    RETURNING "id", "created_at"
                    """
                ).first()
            else { return nil }
            let id = try row.decode(column: "id", as: Int.self)
            // As stored (PostgreSQL keeps microseconds): the 201 shows what a later read shows.
            let createdAt = try row.decode(column: "created_at", as: Date.self)
            try await sql.raw(
                """
                INSERT INTO "\(unsafeRaw: Self.extraTable)" ("credential_pk", "backup_eligible", "sign_count") \
                VALUES (\(bind: id), \(bind: credential.backupEligible), \(bind: Int64(credential.signCount)))
                """
            ).run()
            return PasskeyRecord(
                id: id, name: name, credentialID: credential.credentialID, publicKey: credential.publicKey.encoded,
                signCount: credential.signCount, transports: transports, discoverable: discoverable,
                createdAt: createdAt,
                lastUsedAt: nil, backupEligible: credential.backupEligible)
        }
    }

    /// Records a verified use: the new counter (only over the one the check read, so two
    /// assertions that carry one count sign in once), the backup eligibility when it was not
    /// known, and `last_used_at`. False when another request moved the counter first.
    func recordUse(
        of passkey: PasskeyRecord, signCount: UInt32, backupEligible: Bool, at now: Date, on database: any Database
    )
        async throws -> Bool
    {
        try await database.transaction { database in
            let sql = self.sql(database)
            let moved: Bool
            if passkey.backupEligible == nil {
                // A passkey the reference registered: its row here is made at its first use.
                moved = try await !sql.raw(
                    """
                    INSERT INTO "\(unsafeRaw: Self.extraTable)" ("credential_pk", "backup_eligible", "sign_count") \
                    VALUES (\(bind: passkey.id), \(bind: backupEligible), \(bind: Int64(signCount))) \
                    ON CONFLICT ("credential_pk") DO NOTHING RETURNING "credential_pk"
                    """
                ).all().isEmpty
            } else {
                moved = try await !sql.raw(
                    """
                    UPDATE "\(unsafeRaw: Self.extraTable)" SET "sign_count" = \(bind: Int64(signCount)) \
                    WHERE "credential_pk" = \(bind: passkey.id) AND "sign_count" = \(bind: Int64(passkey.signCount)) \
                    RETURNING "credential_pk"
                    """
                ).all().isEmpty
            }
            guard moved else { return false }
            try await sql.raw(
                """
                UPDATE "\(unsafeRaw: Self.table)" SET "sign_count" = \
                \(bind: Int64(min(signCount, Self.referenceCounterLimit))), "last_used_at" = \(bind: now) \
                WHERE "id" = \(bind: passkey.id)
                """
            ).run()
            return true
        }
    }

    /// Renames one of the user's passkeys; false when it is not theirs (or gone).
    func rename(id: Int, of key: UserKey, to name: String, on database: any Database) async throws -> Bool {
        try await !sql(database).raw(
            """
            UPDATE "\(unsafeRaw: Self.table)" SET "name" = \(bind: name) WHERE "id" = \(bind: id) \
            AND "user_id" = \(bind: key.bindable) RETURNING "id"
            """
        ).all().isEmpty
    }

    /// Deletes one of the user's passkeys; false when it is not theirs (or gone).
    func delete(id: Int, of key: UserKey, on database: any Database) async throws -> Bool {
        try await database.transaction { database in
            let sql = self.sql(database)
            // SQLite enforces the cascade only with foreign keys on; delete the row here first.
            try await sql.raw(
                """
                DELETE FROM "\(unsafeRaw: Self.extraTable)" WHERE "credential_pk" IN (SELECT "id" FROM \
                "\(unsafeRaw: Self.table)" WHERE "id" = \(bind: id) AND "user_id" = \(bind: key.bindable))
                """
            ).run()
            return try await !sql.raw(
                """
                DELETE FROM "\(unsafeRaw: Self.table)" WHERE "id" = \(bind: id) AND "user_id" = \(bind: key.bindable) \
                RETURNING "id"
                """
            ).all().isEmpty
        }
    }

    // MARK: Challenges

    static func purgeQuery(_ now: Date) -> SQLQueryString {
        #"DELETE FROM "\#(unsafeRaw: challengeTable)" WHERE "expires_at" < \#(bind: now)"#
    }

    static func takeQuery(_ id: String) -> SQLQueryString {
        """
        DELETE FROM "\(unsafeRaw: challengeTable)" WHERE "id" = \(bind: id) \
        RETURNING "challenge", "user_id", "expires_at"
        """
    }

    /// A pending challenge, as taken.
    struct Challenge: Sendable {
        var challenge: [UInt8]
        var user: UserKey?
        var expiresAt: Date
    }

    /// Records a challenge under `id` (replacing a pending one there: a new registration
    /// begin replaces the user's); expired challenges go first, by their index.
    func putChallenge(
        _ id: String, challenge: [UInt8], user: UserKey?, expiresAt: Date, now: Date, on database: any Database
    ) async throws {
        let sql = sql(database)
        try await sql.raw(Self.purgeQuery(now)).run()
        let text = DjangoSigner.b64Encode(challenge)
        if let user {
            try await sql.raw(
                """
                INSERT INTO "\(unsafeRaw: Self.challengeTable)" ("id", "challenge", "user_id", "expires_at") VALUES \
                (\(bind: id), \(bind: text), \(bind: user.bindable), \(bind: expiresAt)) ON CONFLICT ("id") DO UPDATE \
                SET "challenge" = excluded."challenge", "user_id" = excluded."user_id", \
                "expires_at" = excluded."expires_at"
                """
            ).run()
        } else {
            try await sql.raw(
                """
                INSERT INTO "\(unsafeRaw: Self.challengeTable)" ("id", "challenge", "user_id", "expires_at") VALUES \
                (\(bind: id), \(bind: text), NULL, \(bind: expiresAt)) ON CONFLICT ("id") DO UPDATE \
                SET "challenge" = excluded."challenge", "user_id" = NULL, "expires_at" = excluded."expires_at"
                """
            ).run()
        }
    }

    /// Takes the challenge under `id`: it is gone for every other request whatever happens
    /// next. Nil when there is none or it expired.
    func takeChallenge(_ id: String, now: Date, on database: any Database) async throws -> Challenge? {
        guard
            let row = try await sql(database).raw(Self.takeQuery(id)).first()
        else { return nil }
        let expiresAt = try row.decode(column: "expires_at", as: Date.self)
        guard expiresAt >= now,
            let challenge = DjangoSigner.b64Decode(Substring(try row.decode(column: "challenge", as: String.self)))
        else { return nil }
        let user: UserKey? =
            switch keyType {
            case .int: try row.decode(column: "user_id", as: Int?.self).map(UserKey.int)
            case .uuid: try row.decode(column: "user_id", as: UUID?.self).map(UserKey.uuid)
            case .string: try row.decode(column: "user_id", as: String?.self).map(UserKey.string)
            }
        return Challenge(challenge: challenge, user: user, expiresAt: expiresAt)
    }
}
