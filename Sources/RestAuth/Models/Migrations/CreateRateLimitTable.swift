import Fluent

/// `restauth_ratelimit`: rate-limit counters, one row per bucket and time slot. Old rows
/// are purged as new ones are counted.
struct CreateRateLimitTable: AsyncMigration {
    var name: String { "RestAuth.CreateRateLimitTable" }

    func prepare(on database: any Database) async throws {
        try await database.schema(DatabaseRateLimitStore.table)
            .field("bucket", .custom("VARCHAR(128)"), .required)
            .field("slot", .int64, .required)
            .field("hits", .int64, .required)
            .field("expires", .int64, .required)
            .unique(on: "bucket", "slot", name: "restauth_ratelimit_bucket_slot_uniq")
            .ignoreExisting()
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DatabaseRateLimitStore.table).delete()
    }
}
