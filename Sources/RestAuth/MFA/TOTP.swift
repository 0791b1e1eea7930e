import Crypto
import Foundation

/// RFC 6238 time-based one-time passwords as pyotp makes them (HMAC-SHA1, a base 32
/// secret, `digits` decimal digits, `period`-second steps), which is what dj-rest-auth's
/// MFA and every authenticator app compute.
struct TOTP: Sendable {
    let key: [UInt8]
    let digits: Int
    let period: Int

    init?(base32Secret: String, digits: Int, period: Int) {
        guard let key = Base32.decode(base32Secret), !key.isEmpty else { return nil }
        self.key = key
        self.digits = digits
        self.period = period
    }

    /// The step a moment falls in (pyotp's `timecode`).
    func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// RFC 4226's HOTP value of a step, zero-padded to `digits`.
    func code(step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let value =
            (UInt32(mac[offset]) & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8
            | UInt32(mac[offset + 3])
        var modulus: UInt64 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(UInt64(value) % modulus)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// The step among `candidates` whose code is `code`, compared in constant time for each.
    func matchingStep(_ code: String, among candidates: [Int64]) -> Int64? {
        var found: Int64?
        for step in candidates where ConstantTime.equals(self.code(step: step), code) && found == nil {
            found = step
        }
        return found
    }

    /// A new secret as `pyotp.random_base32()` draws it: 32 characters, 160 bits.
    static func randomSecret() -> String {
        SaltGenerator.randomString(length: 32, alphabet: Array(Base32.alphabet))
    }

    /// pyotp's `provisioning_uri(name, issuer_name)`: `otpauth://totp/Issuer:name?secret=...&issuer=Issuer`,
    /// with `digits` and `period` only when they are not 6 and 30, quoted as Python's `quote`
    /// and `urlencode` quote them.
    static func provisioningURI(secret: String, name: String, issuer: String?, digits: Int, period: Int) -> String {
        var label = pythonQuote(name, safe: "/")
        var query = [("secret", secret)]
        if let issuer {
            label = pythonQuote(issuer, safe: "/") + ":" + label
            query.append(("issuer", issuer))
        }
        if digits != 6 { query.append(("digits", String(digits))) }
        if period != 30 { query.append(("period", String(period))) }
        let encoded = query.map { "\(pythonQuote($0.0, safe: ""))=\(pythonQuote($0.1, safe: ""))" }
        return "otpauth://totp/\(label)?\(encoded.joined(separator: "&"))"
    }

    /// `urllib.parse.quote(text, safe)`: every UTF-8 byte but ASCII letters, digits, `_.-~`
    /// and `safe` is percent-encoded (`urlencode`'s `quote_plus` with `+` written `%20`
    /// is the same with an empty `safe`).
    static func pythonQuote(_ text: String, safe: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~".utf8).union(safe.utf8)
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
