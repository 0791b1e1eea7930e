import Fluent
import SQLKit

/// Django's `django_session`.
struct CreateDjangoSession: AsyncMigration {
    var name: String { "RestAuth.CreateDjangoSession" }

    func prepare(on database: any Database) async throws {
        try await database.schema(DjangoSession.schema)
            .field("session_key", .custom("VARCHAR(40)"), .identifier(auto: false))
            .field("session_data", .string, .required)
            .field("expire_date", .datetime, .required)
            .ignoreExisting()
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            """
            CREATE INDEX IF NOT EXISTS "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")
            """
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DjangoSession.schema).delete()
    }
}
