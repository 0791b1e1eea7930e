import Fluent
import SQLKit

/// A unique index on `lower(username)` (on `lower(email)` for a user model without
/// usernames, whose address is then its identifier).
///
/// allauth treats usernames case-insensitively (`Bob` and `bob` are one account) but
/// Django's own constraint is case-sensitive, so two sign-ups racing with `Bob` and `bob`
/// could both pass allauth's check. This index makes the database settle the race. It is
/// an addition to Django's schema that Django ignores; on a database that already holds
/// case variants of one username it cannot be built, and the migration says so in the
/// log and goes on (the application check still applies).
struct CreateCaseInsensitiveUsernameIndex: AsyncMigration {
    let users: UserTable
    var name: String { "RestAuth.CreateCaseInsensitiveUsernameIndex" }

    var column: String { (users.fields.username ?? users.fields.email).description }
    var indexName: String { "\(users.schema)_\(column)_lower_uniq" }

    var index: CaseInsensitiveUniqueIndex {
        CaseInsensitiveUniqueIndex(
            name: indexName, table: users.schema, column: column,
            conflict: "are there values that differ only in case?")
    }

    func prepare(on database: any Database) async throws { try await index.create(on: database) }

    func revert(on database: any Database) async throws { try await index.drop(on: database) }
}
