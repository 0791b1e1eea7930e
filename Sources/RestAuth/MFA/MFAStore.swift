import Fluent
import Foundation
import SQLKit

/// The database side of MFA: dj-rest-auth's `dj_rest_auth_mfa_authenticator` rows (one per
/// user and type, `data` in the reference's JSON), and this package's ephemeral-token
/// records (`restauth_mfa_challenge`). Every change two requests could race for is a
/// compare-and-swap or settled by a unique constraint.
struct MFAStore: Sendable {
    static let table = "dj_rest_auth_mfa_authenticator"
    static let challengeTable = "restauth_mfa_challenge"

    enum Kind: String, Sendable {
        case totp
        case recoveryCodes = "recovery_codes"
    }

    /// One authenticator row; `data` is its JSON text as stored (the compare-and-swap's
    /// expected value).
    struct Row: Sendable {
        var id: Int
        var kind: Kind
        var data: String
        var createdAt: Date
        var lastUsedAt: Date?

        var json: JSONObject? {
            guard case .object(let object)? = try? JSONParser.parse(Array(data.utf8)) else { return nil }
            return object
        }
    }

    private func sql(_ database: any Database) -> any SQLDatabase { database as! any SQLDatabase }

    /// The JSON column as text (PostgreSQL keeps `jsonb`) and a bound text as JSON.
    private static func dataColumn(_ sql: any SQLDatabase) -> SQLQueryString {
        FoldedIndex.isPostgres(sql) ? #""data"::text"# : #""data""#
    }
    private static func jsonCast(_ sql: any SQLDatabase) -> SQLQueryString {
        FoldedIndex.isPostgres(sql) ? "::jsonb" : ""
    }

    /// The user's authenticators (at most one of each type), in one query.
    func authenticators(of key: UserKey, on database: any Database) async throws -> [Row] {
        let sql = sql(database)
        let rows = try await sql.raw(Self.authenticatorsQuery(key, on: sql)).all()
        return try rows.compactMap { row in
            guard let kind = Kind(rawValue: try row.decode(column: "type", as: String.self)) else { return nil }
            return Row(
                id: try row.decode(column: "id", as: Int.self), kind: kind,
                data: try row.decode(column: "data", as: String.self),
                createdAt: try row.decode(column: "created_at", as: Date.self),
                lastUsedAt: try row.decode(column: "last_used_at", as: Date?.self))
        }
    }

    static func authenticatorsQuery(_ key: UserKey, on sql: any SQLDatabase) -> SQLQueryString {
        """
        SELECT "id", "type", \(dataColumn(sql)) AS "data", "created_at", "last_used_at" FROM \
        "\(unsafeRaw: table)" WHERE "user_id" = \(bind: key.bindable)
        """
    }

    /// Whether the user has TOTP on (dj-rest-auth's `is_mfa_enabled`): an index search.
    func hasTOTP(_ key: UserKey, on database: any Database) async throws -> Bool {
        try await sql(database).raw(Self.hasTOTPQuery(key)).first() != nil
    }

    static func hasTOTPQuery(_ key: UserKey) -> SQLQueryString {
        """
        SELECT 1 AS "one" FROM "\(unsafeRaw: table)" WHERE "user_id" = \(bind: key.bindable) AND "type" = 'totp' \
        LIMIT 1
        """
    }

    /// Turns TOTP on with its first data and (re)creates the recovery codes, in one
    /// transaction. False when TOTP was already on (a parallel activation won): nothing changes.
    func activate(_ key: UserKey, totpData: String, recoveryData: String, at now: Date, on database: any Database)
        async throws -> Bool
    {
        try await database.transaction { database in
            let sql = self.sql(database)
            let inserted = try await sql.raw(
                """
                INSERT INTO "\(unsafeRaw: Self.table)" ("user_id", "type", "data", "created_at", "last_used_at") \
                VALUES (\(bind: key.bindable), 'totp', \(bind: totpData)\(Self.jsonCast(sql)), \(bind: now), \
                NULL) ON CONFLICT ("user_id", "type") DO NOTHING RETURNING "id"
                """
            ).all()
            guard !inserted.isEmpty else { return false }
            try await self.replaceRecoveryCodes(key, data: recoveryData, at: now, on: sql)
            return true
        }
    }

    /// New recovery codes for a user with TOTP on (in one transaction with the check).
    /// False when TOTP is off.
    func regenerateRecoveryCodes(_ key: UserKey, data: String, at now: Date, on database: any Database) async throws
        -> Bool
    {
        try await database.transaction { database in
            guard try await self.hasTOTP(key, on: database) else { return false }
            try await self.replaceRecoveryCodes(key, data: data, at: now, on: self.sql(database))
            return true
        }
    }

    private func replaceRecoveryCodes(_ key: UserKey, data: String, at now: Date, on sql: any SQLDatabase)
        async throws
    {
        try await sql.raw(
            """
            INSERT INTO "\(unsafeRaw: Self.table)" ("user_id", "type", "data", "created_at", "last_used_at") \
            VALUES (\(bind: key.bindable), 'recovery_codes', \(bind: data)\(Self.jsonCast(sql)), \(bind: now), NULL) \
            ON CONFLICT ("user_id", "type") DO UPDATE SET "data" = excluded."data", "created_at" = excluded."created_at", \
            "last_used_at" = NULL
            """
        ).run()
    }

    /// Records a use: the new data and `last_used_at`, only where the data is still what
    /// the check read. False when another request changed it first (it used the code).
    func recordUse(of row: Row, data: String, at now: Date, on database: any Database) async throws -> Bool {
        let sql = sql(database)
        return try await !sql.raw(
            """
            UPDATE "\(unsafeRaw: Self.table)" SET "data" = \(bind: data)\(Self.jsonCast(sql)), \
            "last_used_at" = \(bind: now) WHERE "id" = \(bind: row.id) AND \(Self.dataColumn(sql)) = \(bind: row.data) \
            RETURNING "id"
            """
        ).all().isEmpty
    }

    /// Turns MFA off: both rows go.
    func deactivate(_ key: UserKey, on database: any Database) async throws {
        try await sql(database).raw(
            #"DELETE FROM "\#(unsafeRaw: Self.table)" WHERE "user_id" = \#(bind: key.bindable)"#
        ).run()
    }

    // MARK: Ephemeral tokens

    /// Records an ephemeral token (by its digest) with the user's password at that moment
    /// (by a digest of its hash); expired records go first. The reference's token is the
    /// user's key and a timestamp in seconds, so two logins of one user within a second get
    /// the same token: the second opens the record again (it proved the password too).
    func recordChallenge(
        _ digest: String, userKey: UserKey, passwordDigest: String, expiresAt: Date, now: Date,
        on database: any Database
    ) async throws {
        let sql = sql(database)
        try await sql.raw(
            #"DELETE FROM "\#(unsafeRaw: Self.challengeTable)" WHERE "expires_at" < \#(bind: now)"#
        ).run()
        try await sql.raw(
            """
            INSERT INTO "\(unsafeRaw: Self.challengeTable)" ("digest", "user_id", "password_digest", "expires_at") \
            VALUES (\(bind: digest), \(bind: userKey.bindable), \(bind: passwordDigest), \(bind: expiresAt)) \
            ON CONFLICT ("digest") DO UPDATE SET "password_digest" = excluded."password_digest", \
            "expires_at" = excluded."expires_at", "used_at" = NULL
            """
        ).run()
    }

    /// The password digest recorded with an unused, unexpired ephemeral token of this user.
    func openChallenge(_ digest: String, userKey: UserKey, now: Date, on database: any Database) async throws
        -> String?
    {
        try await sql(database).raw(Self.openChallengeQuery(digest, userKey: userKey, now: now)).first()?
            .decode(column: "password_digest", as: String.self)
    }

    static func openChallengeQuery(_ digest: String, userKey: UserKey, now: Date) -> SQLQueryString {
        """
        SELECT "password_digest" FROM "\(unsafeRaw: challengeTable)" WHERE "digest" = \(bind: digest) \
        AND "user_id" = \(bind: userKey.bindable) AND "used_at" IS NULL AND "expires_at" >= \(bind: now)
        """
    }

    /// Marks an ephemeral token used; false when another request used it first.
    func consumeChallenge(_ digest: String, now: Date, on database: any Database) async throws -> Bool {
        try await !sql(database).raw(
            """
            UPDATE "\(unsafeRaw: Self.challengeTable)" SET "used_at" = \(bind: now) WHERE "digest" = \(bind: digest) \
            AND "used_at" IS NULL RETURNING "digest"
            """
        ).all().isEmpty
    }
}
