import Fluent
import SQLKit

/// `auth_user` with Django's columns; an existing table (a Django database) is kept as it is.
struct CreateAuthUser: AsyncMigration {
    var name: String { "RestAuth.CreateAuthUser" }

    func prepare(on database: any Database) async throws {
        try await database.schema(AuthUser.schema)
            .autoIncrementID(on: database)
            .field("password", .custom("VARCHAR(128)"), .required)
            .field("last_login", .datetime)
            .field("is_superuser", .bool, .required)
            .field("username", .custom("VARCHAR(150)"), .required)
            .field("first_name", .custom("VARCHAR(150)"), .required)
            .field("last_name", .custom("VARCHAR(150)"), .required)
            .field("email", .custom("VARCHAR(254)"), .required)
            .field("is_staff", .bool, .required)
            .field("is_active", .bool, .required)
            .field("date_joined", .datetime, .required)
            .unique(on: "username", name: "auth_user_username_key")
            .ignoreExisting()
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuthUser.schema).delete()
    }
}
