import Fluent
import SQLKit

/// dj-rest-auth's `dj_rest_auth_mfa_authenticator` (as its migration 0001 makes it: `data`
/// is `jsonb` on PostgreSQL and text on SQLite, one row per user and type) and this
/// package's `restauth_mfa_challenge` (ephemeral tokens, by digest, until they are used
/// or expire). Added only with MFA on: Django's own migration would fail on a table it
/// did not make, so the table appears only where the feature is used.
struct CreateMFATables: AsyncMigration {
    let users: UserTable
    var name: String { "RestAuth.CreateMFATables" }

    func prepare(on database: any Database) async throws {
        let postgres = (database as? any SQLDatabase).map(FoldedIndex.isPostgres) ?? false
        try await database.schema(MFAStore.table)
            .autoIncrementID(on: database)
            .field("type", .custom("VARCHAR(20)"), .required)
            .field("data", .custom(postgres ? "JSONB" : "TEXT"), .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field(
                "user_id", users.keyDataType, .required, .references(users.schema, users.fields.id, onDelete: .cascade)
            )
            .unique(on: "user_id", "type", name: "dj_rest_auth_mfa_authenticator_user_id_type_62322d58_uniq")
            .ignoreExisting()
            .create()
        try await database.schema(MFAStore.challengeTable)
            .field("digest", .custom("VARCHAR(64)"), .identifier(auto: false))
            .field(
                "user_id", users.keyDataType, .required, .references(users.schema, users.fields.id, onDelete: .cascade)
            )
            .field("password_digest", .custom("VARCHAR(64)"), .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .ignoreExisting()
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            #"CREATE INDEX IF NOT EXISTS "dj_rest_auth_mfa_authenticator_user_id_e953f0ca" ON "dj_rest_auth_mfa_authenticator" ("user_id")"#
        ).run()
        try await sql.raw(
            #"CREATE INDEX IF NOT EXISTS "restauth_mfa_challenge_expires_at" ON "restauth_mfa_challenge" ("expires_at")"#
        ).run()
        try await sql.raw(
            #"CREATE INDEX IF NOT EXISTS "restauth_mfa_challenge_user_id" ON "restauth_mfa_challenge" ("user_id")"#
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MFAStore.challengeTable).delete()
        try await database.schema(MFAStore.table).delete()
    }
}
