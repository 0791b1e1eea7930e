import Crypto
import Foundation

/// dj-rest-auth's recovery codes: `count` codes derived from a stored seed
/// (`HMAC-SHA256(seed, str(i))`, its first eight hex digits as `xxxx-xxxx`), with a bit
/// mask of the ones used. The stored form is `{"seed": "<64 hex digits>", "used_mask": n}`.
struct RecoveryCodes: Sendable {
    let seed: [UInt8]
    let usedMask: UInt64

    init?(seedHex: String, usedMask: UInt64) {
        guard let seed = Self.hexBytes(seedHex) else { return nil }
        self.seed = seed
        self.usedMask = usedMask
    }

    /// Every code, used or not, in order.
    func all(count: Int) -> [String] {
        (0..<count).map { index in
            let mac = HMAC<SHA256>.authenticationCode(for: Array(String(index).utf8), using: SymmetricKey(data: seed))
            let hex = mac.prefix(4).map { String(format: "%02x", $0) }.joined()
            return "\(hex.prefix(4))-\(hex.suffix(4))"
        }
    }

    /// The codes not used yet, in order.
    func unused(count: Int) -> [String] {
        all(count: count).enumerated().filter { usedMask & (1 << UInt64($0.offset)) == 0 }.map(\.element)
    }

    /// The index of an unused code equal to `code` (already normalised), compared in
    /// constant time against each.
    func unusedIndex(of code: String, count: Int) -> Int? {
        var found: Int?
        for (index, candidate) in all(count: count).enumerated() {
            let equal = ConstantTime.equals(candidate, code)
            if equal && usedMask & (1 << UInt64(index)) == 0 && found == nil { found = index }
        }
        return found
    }

    /// A new seed: 32 random bytes as hex, as `os.urandom(32).hex()`.
    static func newSeed() -> String {
        SaltGenerator.randomHex(bytes: 32)
    }

    /// What a typed code is compared as (``MFACodeSyntax/recoveryCode(_:)``).
    static func normalize(_ code: String) -> String? { MFACodeSyntax.recoveryCode(code) }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
