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

    /// The indexes of the test's schema: name and definition.
    func indexes(on app: Application) async throws -> [String: String] {
        let sql = app.db as! any SQLDatabase
        let rows =
            sql.dialect.name == "sqlite"
            ? try await sql.raw(
                "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).all()
            : try await sql.raw(
                "SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = current_schema()"
            ).all()
        var result: [String: String] = [:]
        for row in rows {
            result[try row.decode(column: "name", as: String.self)] = try row.decode(
                column: "definition", as: String.self)
        }
        return result
    }

    @Test("The case-insensitive lookups are indexed on the folding: lower() on SQLite, translate() on PostgreSQL")
    func foldedIndexes() async throws {
        try await withRestAuthApp { app, _ in
            let postgres = (app.db as! any SQLDatabase).dialect.name == "postgresql"
            let suffix = postgres ? "_fold" : "_lower"
            let folding = postgres ? "translate(" : "lower("
            let all = try await indexes(on: app)
            for name in [
                "auth_user_username\(suffix)_uniq", "account_emailaddress_verified_email\(suffix)_uniq",
                "auth_user_email\(suffix)", "account_emailaddress_email\(suffix)",
            ] {
                let definition = try #require(all[name], "\(name) in \(all.keys.sorted())")
                #expect(definition.contains(folding), "\(definition)")
                #expect(definition.contains("UNIQUE") == name.hasSuffix("_uniq"), "\(definition)")
            }
            if postgres { #expect(all.keys.filter { $0.hasSuffix("_lower_uniq") }.isEmpty) }
        }
    }

    @Test("On a database of an earlier version the new indexes are added, and PostgreSQL's lower() ones replaced")
    func foldedIndexesOnEarlierDatabase() async throws {
        try await withRestAuthApp { app, client in
            try await client.register("Keeper", email: "Keeper@Example.com")
            let sql = app.db as! any SQLDatabase
            let postgres = sql.dialect.name == "postgresql"
            // What an earlier version left: no lookup indexes; on PostgreSQL, unique lower() ones.
            try await CreateFoldedLookupIndexes(users: UserTable(AuthUser.self)).revert(on: app.db)
            if postgres {
                try await CreateCaseInsensitiveUsernameIndex(users: UserTable(AuthUser.self)).revert(on: app.db)
                try await CreateCaseInsensitiveVerifiedEmailIndex().revert(on: app.db)
                try await sql.raw(
                    #"CREATE UNIQUE INDEX "auth_user_username_lower_uniq" ON "auth_user" (lower("username"))"#
                ).run()
                try await sql.raw(
                    #"CREATE UNIQUE INDEX "account_emailaddress_verified_email_lower_uniq" ON "account_emailaddress" (lower("email")) WHERE "verified""#
                ).run()
            }
            try await sql.raw("DELETE FROM _fluent_migrations WHERE name = 'RestAuth.CreateFoldedLookupIndexes'").run()
            #expect(try await indexes(on: app)["account_emailaddress_email_lower"] == nil)
            try await app.autoMigrate()
            let all = try await indexes(on: app)
            let suffix = postgres ? "_fold" : "_lower"
            for name in [
                "auth_user_username\(suffix)_uniq", "account_emailaddress_verified_email\(suffix)_uniq",
                "auth_user_email\(suffix)", "account_emailaddress_email\(suffix)",
            ] {
                #expect(all[name] != nil, "\(name) in \(all.keys.sorted())")
            }
            if postgres {
                #expect(all["auth_user_username_lower_uniq"] == nil)
                #expect(all["account_emailaddress_verified_email_lower_uniq"] == nil)
            }
            #expect(try await client.logIn("KEEPER").status == .ok)
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
