import Foundation

/// Django's `PasswordResetTokenGenerator` as allauth extends it
/// (`EmailAwarePasswordResetTokenGenerator`): `<base36 timestamp>-<half an HMAC>` over the
/// user's pk, password hash, last login, the timestamp and their addresses, keyed by
/// `SECRET_KEY`. A token dies when any of those changes (a reset, a password change, a
/// login, an e-mail change) and after `PASSWORD_RESET_TIMEOUT`.
///
/// Timestamps count seconds since 2001-01-01 in UTC (Django counts in `TIME_ZONE`, which
/// projects usually set to UTC).
struct PasswordResetTokenGenerator: Sendable {
    static let keySalt = "django.contrib.auth.tokens.PasswordResetTokenGenerator"
    static let epoch = Date(timeIntervalSince1970: 978_307_200)  // 2001-01-01T00:00:00Z

    let secret: String
    let timeout: TimeInterval
    /// `SECRET_KEY_FALLBACKS`: tokens made with one of these are still accepted.
    var fallbacks: [String] = []

    /// The state of a user that a token is bound to.
    struct UserState: Sendable {
        /// The key as Django writes it (`str(user.pk)`).
        var pk: String
        var password: String
        var lastLogin: Date?
        var email: String
        /// Every address of the user (`account_emailaddress`), besides `email`.
        var addresses: [String]
    }

    static func seconds(_ date: Date) -> Int {
        Int(date.timeIntervalSince(epoch).rounded(.down))
    }

    /// Django's `str(last_login.replace(microsecond=0, tzinfo=None))`.
    static func loginTimestamp(_ date: Date?) -> String {
        guard let date else { return "" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    func hashValue(_ user: UserState, timestamp: Int) -> String {
        var emails = Set(user.addresses)
        if !user.email.isEmpty { emails.insert(user.email) }
        return "\(user.pk)\(user.password)\(Self.loginTimestamp(user.lastLogin))\(timestamp)\(user.email)"
            + emails.sorted().joined(separator: "|")
    }

    func token(for user: UserState, timestamp: Int, secret: String? = nil) -> String {
        let digest = DjangoSigner.saltedHMAC(
            keySalt: Self.keySalt, value: hashValue(user, timestamp: timestamp), secret: secret ?? self.secret)
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        let half = String(hex.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        return "\(Base36.encode(timestamp))-\(half)"
    }

    func makeToken(for user: UserState, at date: Date = Date()) -> String {
        token(for: user, timestamp: Self.seconds(date))
    }

    /// Constant-time check of a token of any shape; expired tokens fail.
    func check(_ token: String, for user: UserState, at date: Date = Date()) -> Bool {
        guard token.utf8.count <= 64 else { return false }
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let timestamp = Base36.decode(parts[0]) else { return false }
        // Django's check_token: the current key, then each fallback.
        guard
            ([secret] + fallbacks).contains(where: {
                ConstantTime.equals(self.token(for: user, timestamp: timestamp, secret: $0), token)
            })
        else { return false }
        return Double(Self.seconds(date) - timestamp) <= timeout
    }
}
