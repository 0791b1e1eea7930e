import Fluent
import FluentPostgresDriver
import Foundation
import PostgresKit
import Vapor

/// Migrations at start-up. On PostgreSQL several instances may start at once: they take
/// turns under an advisory lock, so the second finds the first's tables and its
/// `_fluent_migrations` rows instead of racing it.
enum DemoMigrations {
    /// Any constant both instances agree on (the lock is per database).
    static let lockKey: Int64 = 0x5245_5354_4155_5448  // "RESTAUTH"

    static func run(_ app: Application, database: DatabaseURL) async throws {
        guard case .postgres = database, let postgres = app.db as? any PostgresDatabase else {
            try await app.autoMigrate()
            return
        }
        let logger = app.logger
        let key = lockKey
        try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                _ = try await connection.query("SELECT pg_advisory_lock(\(key))", logger: logger)
                do {
                    try await app.autoMigrate()
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
                    throw error
                }
                _ = try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
            }
        }.get()
    }
}
