import Crypto
import ExtrasBase64
import Foundation

/// Django's `django.core.signing`: `Signer`, `TimestampSigner` and `sign_object` /
/// `loads`, with SHA-256 (Django's default since 3.1), so values signed here are read by
/// Django and the other way round.
struct DjangoSigner: Sendable {
    let secret: String
    let salt: String
    /// Django 4.1's `SECRET_KEY_FALLBACKS`: earlier keys whose signatures are still accepted.
    /// New values are always signed with `secret`.
    var fallbacks: [String] = []
    static let separator: Character = ":"

    // MARK: Primitives

    /// `salted_hmac(key_salt, value, secret, algorithm="sha256")`.
    static func saltedHMAC(keySalt: String, value: String, secret: String) -> [UInt8] {
        let key = SymmetricKey(data: SHA256.hash(data: Array((keySalt + secret).utf8)))
        return Array(HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: key))
    }

    /// `base64.urlsafe_b64encode(data).strip(b"=")`.
    static func b64Encode(_ bytes: [UInt8]) -> String {
        Base64.encodeToString(bytes: bytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    /// URL-safe base 64 without padding (trailing `=` tolerated); nil for anything else,
    /// including `+`, `/`, whitespace and an `=` before the end, which Django's `b64_decode`
    /// would skip or stop at but that no signer writes.
    static func b64Decode(_ text: Substring) -> [UInt8]? {
        var utf8 = text.utf8[...]
        while utf8.last == UInt8(ascii: "=") { utf8 = utf8.dropLast() }
        // ExtrasBase64 reads a last group `xy=z` as two bytes; refuse it as any inner `=`.
        if utf8.count % 4 == 0, utf8.count >= 4, utf8[utf8.index(utf8.endIndex, offsetBy: -2)] == UInt8(ascii: "=") {
            return nil
        }
        return try? Base64.decode(bytes: utf8, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    static let base62Alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    static func b62Encode(_ value: Int) -> String {
        guard value > 0 else { return "0" }
        var value = value
        var out: [Character] = []
        while value > 0 {
            out.append(base62Alphabet[value % 62])
            value /= 62
        }
        return String(out.reversed())
    }

    static func b62Decode(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 10 else { return nil }
        var value = 0
        for character in text {
            guard let digit = base62Alphabet.firstIndex(of: character) else { return nil }
            value = value * 62 + digit
        }
        return value
    }

    // MARK: Signer

    func signature(_ value: String, secret: String? = nil) -> String {
        Self.b64Encode(Self.saltedHMAC(keySalt: salt + "signer", value: value, secret: secret ?? self.secret))
    }

    func sign(_ value: String) -> String {
        "\(value)\(Self.separator)\(signature(value))"
    }

    func unsign(_ signed: String) -> String? {
        guard let index = signed.lastIndex(of: Self.separator) else { return nil }
        let value = String(signed[..<index])
        let provided = String(signed[signed.index(after: index)...])
        // Django's Signer.unsign: the current key, then each fallback.
        for key in [secret] + fallbacks where ConstantTime.equals(provided, signature(value, secret: key)) {
            return value
        }
        return nil
    }

    // MARK: TimestampSigner

    func timestampSign(_ value: String, at date: Date = Date()) -> String {
        sign("\(value)\(Self.separator)\(Self.b62Encode(Int(date.timeIntervalSince1970)))")
    }

    /// The value, when the signature is right and (with `maxAge`) it is not too old.
    func timestampUnsign(_ signed: String, maxAge: TimeInterval? = nil, now: Date = Date()) -> (
        value: String, timestamp: Int
    )? {
        guard let result = unsign(signed), let index = result.lastIndex(of: Self.separator),
            let timestamp = Self.b62Decode(result[result.index(after: index)...])
        else { return nil }
        if let maxAge, now.timeIntervalSince1970 - Double(timestamp) > maxAge { return nil }
        return (String(result[..<index]), timestamp)
    }

    // MARK: Objects

    /// `signing.dumps(obj, salt=salt, compress=compress)` for an object already serialised to
    /// JSON; with `compress`, compressed when that is shorter, as Django does.
    func signObject(json: [UInt8], compress: Bool = true, at date: Date = Date()) -> String {
        var data = json
        var compressed = false
        if compress, let deflated = Zlib.compress(json), deflated.count < json.count - 1 {
            data = deflated
            compressed = true
        }
        let encoded = (compressed ? "." : "") + Self.b64Encode(data)
        return timestampSign(encoded, at: date)
    }

    /// `signing.loads(...)`: the JSON bytes, or nil when the signature, age or encoding is wrong.
    func unsignObject(_ signed: String, maxAge: TimeInterval? = nil) -> [UInt8]? {
        guard let (value, _) = timestampUnsign(signed, maxAge: maxAge) else { return nil }
        let compressed = value.hasPrefix(".")
        guard let data = Self.b64Decode(compressed ? value.dropFirst() : Substring(value)) else { return nil }
        return compressed ? Zlib.decompress(data) : data
    }
}
