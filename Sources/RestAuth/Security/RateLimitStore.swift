import Fluent
import FluentSQL
import Foundation
import SQLKit

/// Where rate-limit counters live. The default keeps them in the database, so limits hold
/// across every instance that shares it; an app can put them elsewhere (Redis, for
/// instance) with its own store.
///
/// ```swift
/// config.rateLimitStore = MyRedisRateLimitStore(client: redis)
/// ```
public protocol RateLimitStore: Sendable {
    /// Counts one hit in `bucket` unless the rule's `amount` hits already lie in the
    /// trailing `duration`. Must be atomic: two instances racing for the last hit cannot
    /// both get it.
    func hit(_ bucket: String, rule: RateLimitRule, now: Date, on database: any Database) async throws
        -> RateLimitDecision
    /// Takes back a hit that was counted (a login that turned out to succeed).
    func refund(_ receipt: RateLimitReceipt, on database: any Database) async throws
}

/// The outcome of one hit.
public enum RateLimitDecision: Sendable, Equatable {
    case allowed(RateLimitReceipt)
    /// Over the limit; a hit is possible again after this many seconds.
    case refused(retryAfter: Int)
}

/// What a counted hit was, to take it back.
public struct RateLimitReceipt: Sendable, Hashable {
    public let bucket: String
    public let slot: Int64

    public init(bucket: String, slot: Int64) {
        self.bucket = bucket
        self.slot = slot
    }
}

/// Counters in `restauth_ratelimit`: one row per bucket and time slot of the rule's
/// duration. A hit is allowed when the slot's count plus the previous slot's count,
/// weighted by how much of it still lies in the trailing window, stays within the
/// amount (a sliding window, counted in two rows). A hit is one conditional upsert that
/// reads the previous slot itself: one round trip, and concurrent requests on any
/// instance are counted exactly.
public struct DatabaseRateLimitStore: RateLimitStore {
    static let table = "restauth_ratelimit"

    public init() {}

    public func hit(_ bucket: String, rule: RateLimitRule, now: Date, on database: any Database) async throws
        -> RateLimitDecision
    {
        guard let sql = database as? any SQLDatabase else {
            throw DatabaseRateLimitStoreError.notSQL
        }
        let duration = Double(rule.duration)
        let time = now.timeIntervalSince1970
        let slot = Int64((time / duration).rounded(.down))
        // The share of the previous slot's hits still inside the trailing window.
        let weight = 1 - (time - Double(slot) * duration) / duration
        let limit = Double(rule.amount) + 1e-9
        let expires = (slot + 2) * Int64(rule.duration)
        // One statement: the hit is counted (inserted, or incremented) only while this
        // slot's count, plus one, plus the previous slot's weighted count stays within the
        // amount; a refusal returns no row.
        let previousHits: SQLQueryString =
            "COALESCE((SELECT p.hits FROM \(ident: Self.table) AS p WHERE p.bucket = \(bind: bucket) AND p.slot = \(bind: slot - 1)), 0)"
        let counted = try await sql.raw(
            """
            INSERT INTO \(ident: Self.table) (bucket, slot, hits, expires) \
            SELECT \(bind: bucket), \(bind: slot), 1, \(bind: expires) \
            WHERE 1 + \(bind: weight) * \(previousHits) <= \(bind: limit) \
            ON CONFLICT (bucket, slot) DO UPDATE SET hits = \(ident: Self.table).hits + 1 \
            WHERE \(ident: Self.table).hits + 1 + \(bind: weight) * \(previousHits) <= \(bind: limit) RETURNING hits
            """
        ).all()
        if !counted.isEmpty {
            if Int.random(in: 0..<256) == 0 { try await purge(before: Int64(time), on: sql) }
            return .allowed(RateLimitReceipt(bucket: bucket, slot: slot))
        }
        // Refused (the rare path): the counts, for the wait.
        let rows = try await sql.raw(
            "SELECT slot, hits FROM \(ident: Self.table) WHERE bucket = \(bind: bucket) AND slot IN (\(bind: slot - 1), \(bind: slot))"
        ).all()
        var previous = 0
        var current = 0
        for row in rows {
            let rowSlot = try row.decode(column: "slot", as: Int64.self)
            let hits = try row.decode(column: "hits", as: Int.self)
            if rowSlot == slot { current = hits } else { previous = hits }
        }
        return .refused(
            retryAfter: Self.wait(
                previous: previous, current: current, amount: rule.amount, duration: duration, slot: slot, now: time))
    }

    public func refund(_ receipt: RateLimitReceipt, on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw DatabaseRateLimitStoreError.notSQL }
        try await sql.raw(
            "UPDATE \(ident: Self.table) SET hits = hits - 1 WHERE bucket = \(bind: receipt.bucket) AND slot = \(bind: receipt.slot) AND hits > 0"
        ).run()
    }

    /// Rows whose slot no longer counts.
    func purge(before time: Int64, on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM \(ident: Self.table) WHERE expires < \(bind: time)").run()
    }

    /// Seconds until a hit fits: later in this slot, as the previous slot's weight fades,
    /// or in the next slot, where this one becomes the previous.
    static func wait(previous: Int, current: Int, amount: Int, duration: Double, slot: Int64, now: Double) -> Int {
        let start = Double(slot) * duration
        var at = start + duration
        let room = Double(amount - current - 1)
        if previous > 0 && room >= 0 {
            let fade = duration * (1 - room / Double(previous))
            if fade < duration { at = start + fade }
        } else if current > amount - 1 {
            at += duration * (1 - Double(amount - 1) / Double(current))
        }
        return max(1, Int((at - now).rounded(.up)))
    }
}

enum DatabaseRateLimitStoreError: Error, CustomStringConvertible {
    case notSQL
    var description: String { "the database rate-limit store needs an SQL database; set rateLimitStore" }
}
