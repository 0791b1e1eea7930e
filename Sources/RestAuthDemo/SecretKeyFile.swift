import Fluent
import Foundation
import Logging
import RestAuth
import SQLKit

/// `SECRET_KEY` from the environment; when unset, one generated on the first start and
/// kept beside the data: in a file next to the SQLite database, or, on PostgreSQL, in the
/// database itself (table `restauth_secret_key`), so every instance that shares the
/// database signs with the same key and sessions, reset links and tokens survive a restart.
enum SecretKeyFile {
    static func path(for database: DatabaseURL) -> String {
        if case .sqlite(let path) = database { return path + ".secret_key" }
        return ".restauth.secret_key"
    }

    static func secretKey(
        environment: [String: String], database: DatabaseURL, on db: any Database, logger: Logger
    ) async throws -> String {
        if let key = environment["SECRET_KEY"], !key.isEmpty { return key }
        if case .postgres = database, let sql = db as? any SQLDatabase {
            return try await stored(in: sql, logger: logger)
        }
        return try secretKey(environment: environment, database: database, logger: logger)
    }

    static func generate() -> String {
        String((0..<50).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)".randomElement()! })
    }

    /// The first instance to start stores its key; the others read it.
    static func stored(in sql: any SQLDatabase, logger: Logger) async throws -> String {
        struct Row: Decodable { let key: String }
        for attempt in 1...3 {
            do {
                try await sql.raw(
                    "CREATE TABLE IF NOT EXISTS restauth_secret_key (id INTEGER PRIMARY KEY CHECK (id = 1), key TEXT NOT NULL)"
                ).run()
                break
            } catch  where attempt < 3 {
                // Two instances creating the table at once: one wins, the other finds it next time.
                try await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
        try await sql.raw(
            "INSERT INTO restauth_secret_key (id, key) VALUES (1, \(bind: generate())) ON CONFLICT (id) DO NOTHING"
        ).run()
        guard let row = try await sql.raw("SELECT key FROM restauth_secret_key WHERE id = 1").first(decoding: Row.self)
        else {
            throw ConfigurationError(
                setting: "SECRET_KEY", message: "is not set and could not be stored in the database")
        }
        logger.warning(
            "SECRET_KEY is not set; using the key stored in the database (restauth_secret_key). Set SECRET_KEY in production."
        )
        return row.key
    }

    static func secretKey(environment: [String: String], database: DatabaseURL, logger: Logger) throws -> String {
        if let key = environment["SECRET_KEY"], !key.isEmpty { return key }
        if database == .sqliteMemory {
            // The data dies with the process: so may its key (no file left behind).
            logger.warning("SECRET_KEY is not set; using a key for this process only, as the database is in memory")
            return generate()
        }
        let file = path(for: database)
        if let stored = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines),
            !stored.isEmpty
        {
            logger.warning("SECRET_KEY is not set; using the key stored in \(file)")
            return stored
        }
        let key = generate()
        do {
            try key.write(toFile: file, atomically: true, encoding: .utf8)
            _ = chmod(file, 0o600)
        } catch {
            throw ConfigurationError(
                setting: "SECRET_KEY", message: "is not set and \(file) cannot be written: \(error)")
        }
        logger.warning("SECRET_KEY is not set; generated one and stored it in \(file). Set SECRET_KEY in production.")
        return key
    }
}
