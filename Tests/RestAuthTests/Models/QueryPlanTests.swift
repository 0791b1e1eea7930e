import Fluent
import SQLKit
import Testing
import Vapor

@testable import RestAuth

/// Every lookup a request without credentials makes is served by an index: the database
/// is asked for the plan of the statement UserStore builds (so a change of the query's
/// shape is caught), and no plan may read a whole table. On PostgreSQL sequential scans
/// are turned off for the question, so a plan shows one only where no index can serve.
@Suite("Query plans of the unauthenticated lookups")
struct QueryPlanTests {
    /// The lines of the plan of `query`, built on the connection that explains it.
    static func plan(
        on app: Application, _ query: @escaping @Sendable (any SQLDatabase) throws -> SQLSelectBuilder?
    ) async throws -> [String] {
        try await plan(
            on: app,
            raw: { sql in
                let builder = try #require(try query(sql))
                return "\(builder.query)"
            })
    }

    /// The plan of a statement written as SQL (the stores' raw queries).
    static func plan(on app: Application, raw query: @escaping @Sendable (any SQLDatabase) throws -> SQLQueryString)
        async throws -> [String]
    {
        try await app.db.withConnection { connection in
            let sql = connection as! any SQLDatabase
            let statement = try query(sql)
            guard FoldedIndex.isPostgres(sql) else {
                return try await sql.raw("EXPLAIN QUERY PLAN \(statement)").all().map {
                    try $0.decode(column: "detail", as: String.self)
                }
            }
            try await sql.raw("SET enable_seqscan = off").run()
            let lines = try await sql.raw("EXPLAIN \(statement)").all().map {
                try $0.decode(column: "QUERY PLAN", as: String.self)
            }
            try await sql.raw("RESET enable_seqscan").run()
            return lines
        }
    }

    /// A full scan in a plan: SQLite's `SCAN table` (also `SCAN table USING COVERING
    /// INDEX`, which reads all of an index), PostgreSQL's `Seq Scan on table`.
    static func fullScans(in plan: [String]) -> [String] {
        plan.filter { $0.hasPrefix("SCAN ") || $0.contains("Seq Scan on") }
    }

    static func expectIndexed(
        _ name: String, on app: Application, sourceLocation: SourceLocation = #_sourceLocation,
        _ query: @escaping @Sendable (any SQLDatabase) throws -> SQLSelectBuilder?
    ) async throws {
        let plan = try await plan(on: app, query)
        #expect(!plan.isEmpty, "\(name): no plan", sourceLocation: sourceLocation)
        #expect(
            fullScans(in: plan).isEmpty, "\(name) reads a whole table: \(plan.joined(separator: " | "))",
            sourceLocation: sourceLocation)
    }

    @Test("Login, password reset, resend-email, sign-up and verify-email look rows up by index")
    func lookupsUseIndexes() async throws {
        try await withRestAuthApp { app, client in
            try await client.register("Someone", email: "Someone@Example.com")
            let users = app.restAuth.state.users
            let user = try #require(try await users.user(username: "someone", on: app.db))
            let key = try user.requireAccountKey()
            let address = try #require(try await users.emailAddress("someone@example.com", on: app.db))
            let addressID = try #require(address.id)
            let email = "SOMEONE@example.com"

            // login/ by username (and, with "@" in it, as an address: the e-mail lookups below)
            try await Self.expectIndexed("login: username", on: app) { users.usernameQuery("SOMEONE", on: $0) }
            // login/ by e-mail and password/reset/: account_emailaddress, then the user table's column
            try await Self.expectIndexed("login/reset: address", on: app) { users.addressUsersQuery(email, on: $0) }
            try await Self.expectIndexed("login/reset: user e-mail", on: app) {
                users.emailColumnUsersQuery(email, on: $0)
            }
            // login/ under mandatory verification, then the token it returns
            try await Self.expectIndexed("login: verified?", on: app) { try users.hasVerifiedEmailQuery(user, on: $0) }
            try await Self.expectIndexed("login: token", on: app) { users.tokenQuery(of: key, on: $0) }
            // password/reset/: what the token is bound to
            try await Self.expectIndexed("reset: addresses", on: app) { users.addressesQuery(of: key, on: $0) }
            // registration/resend-email/
            try await Self.expectIndexed("resend: address", on: app) { users.emailAddressQuery(email, on: $0) }
            try await Self.expectIndexed("resend: user", on: app) { users.userQuery(key: key, on: $0) }
            // registration/: the uniqueness checks
            try await Self.expectIndexed("sign-up: username", on: app) { users.usernameTakenQuery("SOMEONE", on: $0) }
            try await Self.expectIndexed("sign-up: verified address", on: app) {
                users.verifiedEmailQuery(email, on: $0)
            }
            try await Self.expectIndexed("sign-up: e-mail as identifier", on: app) {
                users.emailTakenQuery(email, on: $0)
            }
            // registration/verify-email/
            try await Self.expectIndexed("verify: address", on: app) {
                users.unverifiedAddressQuery(id: addressID, on: $0)
            }
            try await Self.expectIndexed("verify: primary?", on: app) { users.primaryAddressQuery(of: key, on: $0) }
        }
    }

    @Test("A full scan is recognised, so the test above can fail")
    func fullScanIsSeen() async throws {
        try await withRestAuthApp { app, _ in
            let plan = try await Self.plan(on: app) { sql in
                sql.select().column("id").from("auth_user").where(SQLColumn("first_name"), .equal, SQLBind("x"))
            }
            #expect(!Self.fullScans(in: plan).isEmpty, "\(plan)")
        }
    }
}
