import Fluent
import SQLKit

/// With `ACCOUNT_UNIQUE_EMAIL=false`: no unique index on verified addresses. allauth's
/// migration creates `unique_verified_email` only when the setting is on; a database
/// migrated while it was on keeps it (and this package's folded one), and then every
/// second account that confirms a shared address fails to. Both go, so the setting holds.
struct DropVerifiedEmailUniqueness: AsyncMigration {
    var name: String { "RestAuth.DropVerifiedEmailUniqueness" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let folded = CreateCaseInsensitiveVerifiedEmailIndex.index
        for index in [folded.name(on: sql), folded.legacyPostgresName, "unique_verified_email"].compactMap({ $0 }) {
            try await sql.raw("DROP INDEX IF EXISTS \(ident: index)").run()
        }
    }

    func revert(on database: any Database) async throws {}
}
