import Foundation
import RestAuth

/// `DATABASE_URL`: `sqlite://PATH` (relative or absolute: `sqlite:///var/db.sqlite`),
/// `sqlite::memory:`, or `postgres://user:pass@host:port/db`.
enum DatabaseURL: Equatable {
    case sqlite(path: String)
    case sqliteMemory
    case postgres(String)

    init(_ value: String) throws {
        let value = value.trimmingCharacters(in: .whitespaces)
        if value == "sqlite::memory:" || value == "sqlite://:memory:" {
            self = .sqliteMemory
        } else if value.hasPrefix("sqlite://") {
            let path = String(value.dropFirst("sqlite://".count))
            guard !path.isEmpty else {
                throw ConfigurationError(
                    setting: "DATABASE_URL", message: "sqlite:// needs a path, as in sqlite://restauth.sqlite")
            }
            self = .sqlite(path: path)
        } else if value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
            || value.hasPrefix("postgres+tcp://")
        {
            self = .postgres(
                value.hasPrefix("postgresql://") ? "postgres://" + value.dropFirst("postgresql://".count) : value)
        } else {
            throw ConfigurationError(
                setting: "DATABASE_URL",
                message: "expected sqlite://PATH, sqlite::memory: or postgres://user:password@host:port/database")
        }
    }
}
