import SQLKit

/// The one case folding of usernames and e-mail addresses: `A`–`Z` become `a`–`z`, every
/// other character stays as it is.
///
/// The database compares folded columns, Swift folds the values bound against them and
/// every comparison made in memory, and all three must agree. SQLite's `lower()` folds
/// ASCII only; PostgreSQL's follows the database's locale; Swift's `lowercased()` folds
/// all of Unicode. So the package folds ASCII only, everywhere: `lower(column)` on SQLite,
/// `translate(column, 'A…Z', 'a…z')` on PostgreSQL (built-in and immutable, so Django can
/// still write to tables indexed on it), and ``fold(_:)`` in Swift. `Émile` and `émile`
/// are then two usernames on both databases; `Bob` and `BOB` are one.
public enum AccountCaseFolding {
    /// `text` with `A`–`Z` lowered and nothing else changed.
    public static func fold(_ text: String) -> String {
        guard text.utf8.contains(where: isUpper) else { return text }
        return String(decoding: text.utf8.map { isUpper($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// Whether the two are equal once folded, comparing bytes as the database does (Swift's
    /// `==` would also equate canonically equivalent forms, such as `é` and `e` + U+0301).
    public static func equal(_ a: String, _ b: String) -> Bool {
        fold(a).utf8.elementsEqual(fold(b).utf8)
    }

    private static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }

    static let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    static let lower = "abcdefghijklmnopqrstuvwxyz"
}

/// A column folded as ``AccountCaseFolding`` folds, in the dialect it is serialized for:
/// the expression of the queries and of the indexes that serve them, which must match
/// character for character for the database to use the index.
struct FoldedColumn: SQLExpression {
    let column: any SQLExpression

    init(_ column: String, table: String? = nil) {
        self.column = table.map { SQLColumn(column, table: $0) } ?? SQLColumn(column)
    }

    init(expression: any SQLExpression) {
        self.column = expression
    }

    func serialize(to serializer: inout SQLSerializer) {
        if serializer.dialect.name == "postgresql" {
            serializer.write("translate(")
            column.serialize(to: &serializer)
            serializer.write(", '\(AccountCaseFolding.upper)', '\(AccountCaseFolding.lower)')")
        } else {
            serializer.write("lower(")
            column.serialize(to: &serializer)
            serializer.write(")")
        }
    }
}
