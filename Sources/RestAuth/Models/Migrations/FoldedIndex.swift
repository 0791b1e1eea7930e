import Fluent
import SQLKit

/// An index on a column folded as ``AccountCaseFolding`` folds (``FoldedColumn``): the
/// package's additions to Django's schema, for the case-insensitive lookups of usernames
/// and addresses and, unique, to let the database settle races allauth's
/// case-insensitive checks cannot.
///
/// The name says which folding it holds: `<base>_lower[_uniq]` on SQLite (`lower()`, as
/// every version built it), `<base>_fold[_uniq]` on PostgreSQL (`translate()`), where
/// earlier versions built `<base>_lower_uniq` on `lower()`, which follows the locale;
/// ``CreateFoldedLookupIndexes`` replaces those.
struct FoldedIndex {
    /// The name without its suffix: `auth_user_username`.
    let base: String
    let table: String
    let column: String
    var unique = false
    /// An SQL condition for a partial index (`"verified"`), or nil.
    var condition: SQLQueryString? = nil
    /// For a unique index, what the warning names as the likely cause when existing rows
    /// break it.
    var conflict = ""

    static func isPostgres(_ sql: any SQLDatabase) -> Bool { sql.dialect.name == "postgresql" }

    func name(on sql: any SQLDatabase) -> String {
        base + (Self.isPostgres(sql) ? "_fold" : "_lower") + (unique ? "_uniq" : "")
    }

    /// The name an earlier version gave it on PostgreSQL, with `lower()`: only unique
    /// indexes existed then.
    var legacyPostgresName: String? { unique ? base + "_lower_uniq" : nil }

    /// Creates the index unless one of its name exists. A unique index that existing rows
    /// break is logged and skipped (the application check still applies): false.
    @discardableResult
    func create(on database: any Database) async throws -> Bool {
        guard let sql = database as? any SQLDatabase else { return false }
        var statement: SQLQueryString = "CREATE "
        if unique { statement = statement + "UNIQUE " }
        statement =
            statement
            + "INDEX IF NOT EXISTS \(ident: name(on: sql)) ON \(ident: table) (\(FoldedColumn(column)))"
        if let condition { statement = statement + " WHERE " + condition }
        guard unique else {
            try await sql.raw(statement).run()
            return true
        }
        do {
            try await sql.raw(statement).run()
            return true
        } catch {
            database.logger.warning(
                "RestAuth: cannot create a case-insensitive unique index on \(table).\(column) (\(conflict)); uniqueness stays checked by the application: \(String(reflecting: error))"
            )
            return false
        }
    }

    func drop(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX IF EXISTS \(ident: name(on: sql))").run()
    }
}
