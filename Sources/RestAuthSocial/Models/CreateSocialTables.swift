import Fluent
import RestAuth
import SQLKit

/// allauth's `socialaccount` tables with Django's columns and constraints; existing
/// tables (a Django database) are kept.
struct CreateSocialTables: AsyncMigration {
    let userTable: String
    let userKeyColumn: String
    let userKeyType: DatabaseSchema.DataType

    var name: String { "RestAuthSocial.CreateSocialTables" }

    func prepare(on database: any Database) async throws {
        // Django's JSONField: jsonb on PostgreSQL, text on SQLite (a JSON type name would
        // give the column numeric affinity there).
        let json: DatabaseSchema.DataType =
            (database as? any SQLDatabase)?.dialect.name == "sqlite" ? .custom("TEXT") : .json
        try await database.schema(SocialApp.schema)
            .autoIncrementID(on: database)
            .field("provider", .custom("VARCHAR(30)"), .required)
            .field("name", .custom("VARCHAR(40)"), .required)
            .field("client_id", .custom("VARCHAR(191)"), .required)
            .field("secret", .custom("VARCHAR(191)"), .required)
            .field("key", .custom("VARCHAR(191)"), .required)
            .field("provider_id", .custom("VARCHAR(200)"), .required)
            .field("settings", json, .required)
            .ignoreExisting()
            .create()
        try await database.schema(SocialAccount.schema)
            .autoIncrementID(on: database)
            .field("provider", .custom("VARCHAR(200)"), .required)
            .field("uid", .custom("VARCHAR(191)"), .required)
            .field("last_login", .datetime, .required)
            .field("date_joined", .datetime, .required)
            .field(
                "user_id", userKeyType, .required,
                .references(userTable, .init(stringLiteral: userKeyColumn), onDelete: .cascade)
            )
            .field("extra_data", json, .required)
            .unique(on: "provider", "uid", name: "socialaccount_socialaccount_provider_uid_fc810c6e_uniq")
            .ignoreExisting()
            .create()
        try await database.schema(SocialToken.schema)
            .autoIncrementID(on: database)
            .field("token", .string, .required)
            .field("token_secret", .string, .required)
            .field("expires_at", .datetime)
            .field("account_id", .int, .required, .references(SocialAccount.schema, "id", onDelete: .cascade))
            .field("app_id", .int, .references(SocialApp.schema, "id", onDelete: .setNull))
            .unique(on: "app_id", "account_id", name: "socialaccount_socialtoken_app_id_account_id_fca4e0ac_uniq")
            .ignoreExisting()
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            #"CREATE INDEX IF NOT EXISTS "socialaccount_socialaccount_user_id_8146e70c" ON "socialaccount_socialaccount" ("user_id")"#
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SocialToken.schema).delete()
        try await database.schema(SocialAccount.schema).delete()
        try await database.schema(SocialApp.schema).delete()
    }
}
