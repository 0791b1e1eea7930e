import Fluent
import SQLKit

/// allauth's `account_emailaddress` with its constraints: one row per user and address,
/// at most one primary address per user, and a verified address belongs to one user only.
struct CreateEmailAddress: AsyncMigration {
    let users: UserTable
    /// allauth's `unique_verified_email` exists only with `ACCOUNT_UNIQUE_EMAIL` (its migration 0003).
    var uniqueEmail = true
    var name: String { "RestAuth.CreateEmailAddress" }

    func prepare(on database: any Database) async throws {
        try await database.schema(EmailAddress.schema)
            .autoIncrementID(on: database)
            .field("verified", .bool, .required)
            .field("primary", .bool, .required)
            .field(
                "user_id", users.keyDataType, .required, .references(users.schema, users.fields.id, onDelete: .cascade)
            )
            .field("email", .custom("VARCHAR(254)"), .required)
            .unique(on: "user_id", "email", name: "account_emailaddress_user_id_email_987c8728_uniq")
            .ignoreExisting()
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        if uniqueEmail {
            try await sql.raw(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS "unique_verified_email" ON "account_emailaddress" ("email") WHERE "verified"
                """
            ).run()
        }
        try await sql.raw(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS "unique_primary_email" ON "account_emailaddress" ("user_id", "primary") WHERE "primary"
            """
        ).run()
        try await sql.raw(
            """
            CREATE INDEX IF NOT EXISTS "account_emailaddress_email_03be32b2" ON "account_emailaddress" ("email")
            """
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(EmailAddress.schema).delete()
    }
}
