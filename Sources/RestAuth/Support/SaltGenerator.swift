import Foundation

/// Random strings as Django draws them (`get_random_string`), from the system's
/// cryptographic generator.
enum SaltGenerator {
    static let alphanumerics = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    static let lowercaseAlphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    static func randomString(length: Int, alphabet: [UInt8] = alphanumerics) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        for _ in 0..<length { bytes.append(alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Django's salt: 22 characters of [a-zA-Z0-9], 128 bits of entropy.
    static func djangoSalt() -> String { randomString(length: 22) }

    static func entropyBits(ofSaltLength length: Int) -> Double {
        Double(length) * log2(62)
    }

    /// `count` bytes from the system's cryptographic generator (a WebAuthn challenge).
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// `count` random bytes as lower-case hex (DRF's token key: 20 bytes, 40 characters).
    static func randomHex(bytes count: Int) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in randomBytes(count) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
