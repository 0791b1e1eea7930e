import Fluent
import SQLKit

/// simplejwt's `token_blacklist` tables, and this package's refresh families.
struct CreateTokenBlacklist: AsyncMigration {
    let users: UserTable
    var name: String { "RestAuth.CreateTokenBlacklist" }

    func prepare(on database: any Database) async throws {
        try await database.schema(OutstandingToken.schema)
            .autoIncrementID(on: database)
            .field("token", .string, .required)
            .field("created_at", .datetime)
            .field("expires_at", .datetime, .required)
            .field("user_id", users.keyDataType, .references(users.schema, users.fields.id, onDelete: .setNull))
            .field("jti", .custom("VARCHAR(255)"), .required)
            .unique(on: "jti", name: "token_blacklist_outstandingtoken_jti_hex_d9bdf6f7_uniq")
            .ignoreExisting()
            .create()
        try await database.schema(BlacklistedToken.schema)
            .autoIncrementID(on: database)
            .field("blacklisted_at", .datetime, .required)
            .field("token_id", .int, .required, .references(OutstandingToken.schema, "id", onDelete: .cascade))
            .unique(on: "token_id", name: "token_blacklist_blacklistedtoken_token_id_key")
            .ignoreExisting()
            .create()
        try await database.schema(RefreshFamily.schema)
            .field("family", .custom("VARCHAR(64)"), .identifier(auto: false))
            .field(
                "user_id", users.keyDataType, .required, .references(users.schema, users.fields.id, onDelete: .cascade)
            )
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .ignoreExisting()
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            #"CREATE INDEX IF NOT EXISTS "token_blacklist_outstandingtoken_user_id_83bc629a" ON "token_blacklist_outstandingtoken" ("user_id")"#
        ).run()
        try await sql.raw(
            #"CREATE INDEX IF NOT EXISTS "restauth_refreshfamily_user_id" ON "restauth_refreshfamily" ("user_id")"#
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RefreshFamily.schema).delete()
        try await database.schema(BlacklistedToken.schema).delete()
        try await database.schema(OutstandingToken.schema).delete()
    }
}
