import Fluent
import SQLKit
import Testing
import Vapor

@testable import RestAuth

@Suite("Schema")
struct MigrationTests {
    func columns(_ table: String, on app: Application) async throws -> [String] {
        let sql = app.db as! any SQLDatabase
        if sql.dialect.name == "sqlite" {
            return try await sql.raw("PRAGMA table_info(\(unsafeRaw: table))").all().map {
                try $0.decode(column: "name", as: String.self)
            }
        }
        return try await sql.raw(
            "SELECT column_name FROM information_schema.columns WHERE table_name = \(bind: table) AND table_schema = current_schema() ORDER BY ordinal_position"
        ).all()
            .map { try $0.decode(column: "column_name", as: String.self) }
    }

    @Test("Django's tables and columns")
    func djangoSchema() async throws {
        try await withRestAuthApp { app, _ in
            let userColumns = Set(try await columns("auth_user", on: app))
            #expect(
                userColumns == [
                    "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
                    "is_staff", "is_active", "date_joined",
                ])
            let tokenColumns = Set(try await columns("authtoken_token", on: app))
            #expect(tokenColumns == ["key", "created", "user_id"])
            let addressColumns = Set(try await columns("account_emailaddress", on: app))
            #expect(addressColumns == ["id", "email", "verified", "primary", "user_id"])
            let sessionColumns = Set(try await columns("django_session", on: app))
            #expect(sessionColumns == ["session_key", "session_data", "expire_date"])
        }
    }

    @Test("Migrations leave existing tables and their rows alone, and run twice")
    func idempotent() async throws {
        try await withRestAuthApp { app, client in
            try await client.register("keeper")
            // A Django database has the tables but not our migration log.
            try await (app.db as! any SQLDatabase).raw("DELETE FROM _fluent_migrations").run()
            try await app.autoMigrate()
            let r1 = try await AuthUser.query(on: app.db).filter(\.$username == "keeper").count()
            #expect(r1 == 1)
        }
    }

    @Test("A verified address is unique in the database itself")
    func verifiedUnique() async throws {
        try await withRestAuthApp { app, client in
            try await client.register("one", email: "same@example.com")
            try await client.register("two", email: "same@example.com")
            try await EmailAddress.query(on: app.db).filter(\.$email == "same@example.com").limit(1).all().first!
                .setVerified(on: app.db)
            let second = try #require(try await EmailAddress.query(on: app.db).filter(\.$verified == false).first())
            second.verified = true
            await #expect(throws: (any Error).self) { try await second.save(on: app.db) }
        }
    }

    @Test("A verified address is unique without regard to case, and a racing verification loses cleanly")
    func verifiedUniqueIgnoringCase() async throws {
        try await withRestAuthApp { app, client in
            try await client.register("one", email: "Case@Example.com")
            try await client.register("two", email: "case@example.com")
            let addresses = try await EmailAddress.query(on: app.db).sort(\.$id).all()
            #expect(addresses.count == 2)
            let store = app.restAuth.state.users
            #expect(try await store.markVerified(addressID: addresses[0].id!, on: app.db))
            // Bypassing the application's check: the database itself refuses the second.
            #expect(try await !store.markVerified(addressID: addresses[1].id!, on: app.db))
            #expect(try await EmailAddress.query(on: app.db).filter(\.$verified == true).count() == 1)
        }
    }
}

extension EmailAddress {
    func setVerified(on database: any Database) async throws {
        verified = true
        try await save(on: database)
    }
}
