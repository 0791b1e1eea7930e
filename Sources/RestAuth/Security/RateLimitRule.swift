import Foundation

/// One of allauth's rate rules, `amount/duration/per`: `10/m/ip` is ten per minute per
/// client address, `5/300s/key` five per 300 seconds per account key (an e-mail address
/// or username), `5/m/user` five per minute per authenticated user. The duration is a
/// number of seconds, or a count of `s`, `m`, `h` or `d` (`m` alone is one minute, `5m`
/// five); `per` defaults to `ip`.
///
/// ```swift
/// let rules = try RateLimitRule.parse("10/m/ip,5/300s/key")
/// ```
public struct RateLimitRule: Sendable, Hashable, CustomStringConvertible {
    /// What the rule counts by.
    public enum Per: String, Sendable, Hashable {
        /// The client address (IPv6 addresses by their /64 network).
        case ip
        /// A key the action names: the e-mail address or username, normalised.
        case key
        /// The authenticated user.
        case user
    }

    public var amount: Int
    /// Seconds.
    public var duration: Int
    public var per: Per

    public init(amount: Int, duration: Int, per: Per) {
        self.amount = amount
        self.duration = duration
        self.per = per
    }

    public var description: String { "\(amount)/\(duration)s/\(per.rawValue)" }

    /// The rules of one action, comma-separated, as allauth writes them.
    public static func parse(_ text: String) throws -> [RateLimitRule] {
        try text.split(separator: ",").map { try parseOne($0.trimmingCharacters(in: .whitespaces)) }
    }

    private static func parseOne(_ text: String) throws -> RateLimitRule {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), let amount = Int(parts[0]), amount > 0,
            let duration = parseDuration(parts[1]), duration > 0
        else { throw RuleError(rule: text) }
        let per = parts.count == 3 ? Per(rawValue: parts[2]) : .ip
        guard let per else { throw RuleError(rule: text) }
        return RateLimitRule(amount: amount, duration: duration, per: per)
    }

    /// allauth's `parse_duration`: an optional number (a fraction too) and a unit, s, m, h
    /// or d, which is required; whole seconds, at least one.
    private static func parseDuration(_ text: String) -> Int? {
        guard let unit = text.last else { return nil }
        let multipliers: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let multiplier = multipliers[unit] else { return nil }
        let number = text.dropLast()
        if number.isEmpty { return Int(multiplier) }
        guard number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let count = Double(number) else {
            return nil
        }
        let seconds = (count * multiplier).rounded()
        return seconds >= 1 && seconds < Double(Int32.max) ? Int(seconds) : nil
    }

    struct RuleError: Error, CustomStringConvertible {
        let rule: String
        var description: String {
            "\(rule.debugDescription) is not a rule such as \"10/m/ip\" (amount/duration/ip, key or user)"
        }
    }
}
