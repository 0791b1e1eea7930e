import Fluent
import SQLKit

/// A unique index on `lower(email)` of verified addresses.
///
/// allauth compares addresses without regard to case, but Django's `unique_verified_email`
/// constraint is case-sensitive, so `Ada@example.com` and `ada@example.com` could be
/// verified by two accounts confirming at once. This index lets the database settle that
/// race. Django ignores it; on a database that already holds such a pair it cannot be
/// built, and the migration says so in the log and goes on (the application check stays).
struct CreateCaseInsensitiveVerifiedEmailIndex: AsyncMigration {
    var name: String { "RestAuth.CreateCaseInsensitiveVerifiedEmailIndex" }
    static let indexName = "account_emailaddress_verified_email_lower_uniq"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        do {
            try await sql.raw(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS \(ident: Self.indexName) ON "account_emailaddress" (lower("email")) WHERE "verified"
                """
            ).run()
        } catch {
            database.logger.warning(
                "RestAuth: cannot create a case-insensitive unique index on verified addresses (do two accounts hold one address verified, in different case?); uniqueness stays checked by the application: \(String(reflecting: error))"
            )
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX IF EXISTS \(ident: Self.indexName)").run()
    }
}
