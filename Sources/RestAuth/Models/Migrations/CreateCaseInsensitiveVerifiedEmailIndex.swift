import Fluent
import SQLKit

/// A unique index on the folded address of verified addresses; see ``FoldedIndex``.
///
/// allauth compares addresses without regard to case, but Django's `unique_verified_email`
/// constraint is case-sensitive, so `Ada@example.com` and `ada@example.com` could be
/// verified by two accounts confirming at once. This index lets the database settle that
/// race. Django ignores it; on a database that already holds such a pair it cannot be
/// built, and the migration says so in the log and goes on (the application check stays).
struct CreateCaseInsensitiveVerifiedEmailIndex: AsyncMigration {
    var name: String { "RestAuth.CreateCaseInsensitiveVerifiedEmailIndex" }

    static var index: FoldedIndex {
        FoldedIndex(
            base: "account_emailaddress_verified_email", table: "account_emailaddress", column: "email", unique: true,
            condition: "\"verified\"", conflict: "do two accounts hold one address verified, in different case?")
    }

    func prepare(on database: any Database) async throws { try await Self.index.create(on: database) }

    func revert(on database: any Database) async throws { try await Self.index.drop(on: database) }
}
