import Fluent
import SQLKit

/// A unique index on the folded username (on the folded e-mail for a user model without
/// usernames, whose address is then its identifier); see ``FoldedIndex``.
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

    var index: FoldedIndex {
        FoldedIndex(
            base: "\(users.schema)_\(column)", table: users.schema, column: column, unique: true,
            conflict: "are there values that differ only in case?")
    }

    func prepare(on database: any Database) async throws { try await index.create(on: database) }

    func revert(on database: any Database) async throws { try await index.drop(on: database) }
}
