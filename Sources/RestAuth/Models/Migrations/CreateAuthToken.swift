import Fluent

/// DRF's `authtoken_token`: the key is the primary key, one row per user.
struct CreateAuthToken: AsyncMigration {
    let users: UserTable
    var name: String { "RestAuth.CreateAuthToken" }

    func prepare(on database: any Database) async throws {
        try await database.schema(AuthToken.schema)
            .field("key", .custom("VARCHAR(40)"), .identifier(auto: false))
            .field("created", .datetime, .required)
            .field(
                "user_id", users.keyDataType, .required, .references(users.schema, users.fields.id, onDelete: .cascade)
            )
            .unique(on: "user_id", name: "authtoken_token_user_id_key")
            .ignoreExisting()
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuthToken.schema).delete()
    }
}
