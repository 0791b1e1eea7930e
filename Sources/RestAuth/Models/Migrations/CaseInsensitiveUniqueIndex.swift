import Fluent
import SQLKit

/// A unique index on `lower(column)` that the database may be unable to build (it already
/// holds case variants): the package's additions to Django's schema that let the database
/// settle races allauth's case-insensitive checks cannot. Failing to build it is logged,
/// and the migration goes on; the application check still applies.
struct CaseInsensitiveUniqueIndex {
    let name: String
    let table: String
    let column: String
    /// An SQL condition for a partial index (`"verified"`), or nil.
    var condition: SQLQueryString? = nil
    /// What the warning names as the likely cause.
    let conflict: String

    func create(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        var statement: SQLQueryString =
            "CREATE UNIQUE INDEX IF NOT EXISTS \(ident: name) ON \(ident: table) (lower(\(ident: column)))"
        if let condition { statement = statement + " WHERE " + condition }
        do {
            try await sql.raw(statement).run()
        } catch {
            database.logger.warning(
                "RestAuth: cannot create a case-insensitive unique index on \(table).\(column) (\(conflict)); uniqueness stays checked by the application: \(String(reflecting: error))"
            )
        }
    }

    func drop(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX IF EXISTS \(ident: name)").run()
    }
}
