import Crypto
import Fluent
import Foundation
import Vapor

/// allauth's `ratelimit.consume` over the configured rules (`ACCOUNT_RATE_LIMITS`).
struct RateLimiter: Sendable {
    let rules: [String: [RateLimitRule]]
    let store: any RateLimitStore
    let clientAddress: ClientAddress
    let secret: String
    let clock: @Sendable () -> Date

    /// The configuration has been validated (`validate()` parses every rule).
    init(configuration: RestAuthConfiguration) {
        self.rules = (configuration.rateLimits ?? [:]).compactMapValues { try? RateLimitRule.parse($0) }
        self.store = configuration.rateLimitStore ?? DatabaseRateLimitStore()
        self.clientAddress = ClientAddress(trustedProxies: configuration.trustedProxies)
        self.secret = configuration.secretKey
        self.clock = configuration.rateLimitClock
    }

    /// allauth's normalisation of an account key: Unicode compatibility form, lower case,
    /// no surrounding space, so `Alice@Example.COM` and `ａｌｉｃｅ@example.com` share a bucket.
    static func normalize(_ key: String) -> String {
        key.precomposedStringWithCompatibilityMapping.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Counts one use of `action` against each of its rules, in order; the first rule that
    /// is full ends the count with DRF's 429 (and an audit line). A rule `per: key` needs a
    /// key and one `per: user` a user; without them it does not apply.
    func consume(
        _ action: String, request: Request, key: String? = nil, user: UserKey? = nil, audit: AuditLog
    ) async throws -> RateLimitUsage {
        guard let rules = rules[action], !rules.isEmpty else { return RateLimitUsage(receipts: []) }
        let client = clientAddress.resolve(request)
        var receipts: [RateLimitReceipt] = []
        let now = clock()
        for rule in rules {
            let source: String
            switch rule.per {
            case .ip: source = ClientAddress.rateLimitSource(client)
            case .key:
                guard let key, !key.isEmpty else { continue }
                source = Self.normalize(key)
            case .user:
                guard let user else { continue }
                source = user.description
            }
            let bucket = self.bucket(action: action, rule: rule, source: source)
            switch try await store.hit(bucket, rule: rule, now: now, on: request.restAuth.database) {
            case .allowed(let receipt): receipts.append(receipt)
            case .refused(let wait):
                audit.record(
                    "throttled", outcome: "refused", user: user, request: request,
                    extra: ["action": .string(action), "rule": .string(rule.description), "retry_after": "\(wait)"])
                throw APIError.throttled(wait: wait)
            }
        }
        return RateLimitUsage(receipts: receipts)
    }

    /// Takes back the hits of a usage (a login that succeeded is not a failure).
    func refund(_ usage: RateLimitUsage, on database: any Database) async throws {
        for receipt in usage.receipts { try await store.refund(receipt, on: database) }
    }

    /// A bucket name that stores no address or e-mail in clear: a keyed hash of the source.
    private func bucket(action: String, rule: RateLimitRule, source: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data(source.utf8), using: SymmetricKey(data: Data(("restauth.ratelimit" + secret).utf8)))
        let digest = mac.prefix(16).map { String(format: "%02x", $0) }.joined()
        return "\(action):\(rule.per.rawValue):\(rule.duration):\(digest)"
    }
}

/// The hits one `consume` counted.
public struct RateLimitUsage: Sendable {
    let receipts: [RateLimitReceipt]
}

extension APIError {
    /// DRF's `Throttled`: 429, the wait in the message and in `Retry-After`.
    static func throttled(wait: Int) -> APIError {
        // DRF looks the second part up already formatted: no catalog has it, it stays English.
        let unit = wait == 1 ? "second" : "seconds"
        return .detail(
            .tooManyRequests, RestAuthMessages.Errors.throttled.text + " Expected available in \(wait) \(unit).",
            headers: ["Retry-After": String(wait)])
    }
}
