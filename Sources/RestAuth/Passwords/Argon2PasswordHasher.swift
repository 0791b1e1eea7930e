import Foundation

/// Django's `Argon2PasswordHasher`:
/// `argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>`, the PHC string of argon2-cffi after the
/// algorithm name, salt and hash in base64 without padding.
///
/// New hashes are Argon2id, version 0x13, with a 32-byte tag and, as Django makes them, a salt of
/// 22 random alphanumerics passed to Argon2 as their 22 ASCII bytes. Verification reads what
/// libargon2's decoder reads: `argon2id`, `argon2i` and `argon2d`; `v=19`, `v=16` or no version
/// (which is 0x10); decimal numbers without sign or leading zero; the standard base64 alphabet
/// without padding and with zero trailing bits. Two deliberate differences: other version numbers
/// (which libargon2 computes as 0x13 with the odd number in H0) are refused, and so are parameters
/// beyond `Argon2`'s bounds (memory over 4 GiB, time × memory over 16 GiB, tags over 1024 bytes),
/// which a forged row could otherwise use to exhaust the server; they are refused before anything
/// is allocated.
public struct Argon2PasswordHasher: PasswordHasher {
    public let algorithm = "argon2"
    /// Passes over the memory (Django's `time_cost`).
    public let timeCost: Int
    /// Memory in KiB (Django's `memory_cost`).
    public let memoryCost: Int
    /// Lanes (Django's `parallelism`); it changes the hash.
    public let parallelism: Int
    /// Threads that compute the lanes of one hash; `nil` is one per lane up to the active processor
    /// count. It never changes the hash. The helper threads are started by the hashing thread and
    /// keep its lowered priority.
    public let threads: Int?

    /// argon2-cffi's `DEFAULT_HASH_LENGTH`, which Django uses.
    static let hashLength = 32

    public init(timeCost: Int = 2, memoryCost: Int = 102_400, parallelism: Int = 8, threads: Int? = nil) {
        self.timeCost = timeCost
        self.memoryCost = memoryCost
        self.parallelism = parallelism
        self.threads = threads
    }

    public func encode(_ password: String) throws -> String {
        try encode(password, salt: SaltGenerator.djangoSalt())
    }

    /// Django's `encode(password, salt)`: the salt string's UTF-8 bytes are Argon2's salt.
    func encode(_ password: String, salt: String) throws -> String {
        let saltBytes = Array(salt.utf8)
        let tag = try Argon2.hash(
            password: Array(password.utf8), salt: saltBytes, timeCost: timeCost, memoryCost: memoryCost,
            parallelism: parallelism, hashLength: Self.hashLength, variant: .id, version: .v13, threads: threads)
        return "\(algorithm)$argon2id$v=19$m=\(memoryCost),t=\(timeCost),p=\(parallelism)"
            + "$\(Self.base64(saltBytes))$\(Self.base64(tag))"
    }

    public func verify(_ password: String, encoded: String) -> Bool {
        guard let stored = Stored(encoded), let version = Argon2.Version(rawValue: stored.version) else {
            return false
        }
        guard
            let candidate = try? Argon2.hash(
                password: Array(password.utf8), salt: stored.salt, timeCost: stored.timeCost,
                memoryCost: stored.memoryCost, parallelism: stored.parallelism, hashLength: stored.hash.count,
                variant: stored.variant, version: version, threads: threads)
        else { return false }
        return ConstantTime.equals(candidate, stored.hash)
    }

    /// Django's `must_update`: anything but Argon2id version 19 with this hasher's time, memory and
    /// parallelism and a 32-byte hash, or a salt of fewer than 22 bytes (128 bits as Django counts
    /// them). A value that does not parse is reported as needing an update.
    public func mustUpdate(_ encoded: String) -> Bool {
        guard let stored = Stored(encoded) else { return true }
        return stored.variant != .id || stored.version != 0x13 || stored.timeCost != timeCost
            || stored.memoryCost != memoryCost || stored.parallelism != parallelism
            || stored.hash.count != Self.hashLength || stored.salt.count < 22
    }

    static func base64(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// A stored value, parsed as argon2-cffi and libargon2 parse it (`verify` → `decode_string`).
    struct Stored {
        var variant: Argon2.Variant
        var version: UInt32
        var memoryCost: Int
        var timeCost: Int
        var parallelism: Int
        var salt: [UInt8]
        var hash: [UInt8]

        init?(_ encoded: String) {
            var reader = Reader(Array(encoded.utf8))
            guard reader.take("argon2$") else { return nil }
            // argon2-cffi picks the type from the first nine characters of "$" + the rest, then
            // libargon2 reads the type's name; "$v=" or "$m=" must follow it.
            if reader.take("argon2id") {
                variant = .id
            } else if reader.take("argon2i") {
                variant = .i
            } else if reader.take("argon2d") {
                variant = .d
            } else {
                return nil
            }
            version = 0x10
            if reader.take("$v=") {
                guard let value = reader.decimal() else { return nil }
                version = value
            }
            guard reader.take("$m="), let m = reader.decimal(), reader.take(",t="), let t = reader.decimal(),
                reader.take(",p="), let p = reader.decimal(), reader.take("$"), let salt = reader.base64(),
                reader.take("$"), let hash = reader.base64(), reader.atEnd
            else { return nil }
            memoryCost = Int(m)
            timeCost = Int(t)
            parallelism = Int(p)
            self.salt = salt
            self.hash = hash
        }
    }

    /// Byte-wise parsing with libargon2's rules (encoding.c).
    struct Reader {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { position == bytes.count }

        mutating func take(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard bytes.count - position >= count else { return false }
            let matches = literal.withUTF8Buffer { literal in
                (0..<count).allSatisfy { bytes[position + $0] == literal[$0] }
            }
            if matches { position += count }
            return matches
        }

        /// An unsigned decimal of at most 32 bits: no sign, no leading zero, at least one digit.
        mutating func decimal() -> UInt32? {
            let start = position
            var value: UInt64 = 0
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                value = value * 10 + UInt64(bytes[position] - UInt8(ascii: "0"))
                guard value <= UInt64(UInt32.max) else { return nil }
                position += 1
            }
            let digits = position - start
            guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            return UInt32(value)
        }

        /// Standard base64 without padding, up to the first byte outside the alphabet; the length
        /// may not be 1 modulo 4 and the unused trailing bits must be zero.
        mutating func base64() -> [UInt8]? {
            var out = [UInt8]()
            var accumulator: UInt32 = 0
            var bits = 0
            while position < bytes.count, let sextet = Self.sextet(bytes[position]) {
                accumulator = (accumulator << 6 | sextet) & 0xFFFF
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                }
                position += 1
            }
            guard bits <= 4, accumulator & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
            return out
        }

        private static func sextet(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): 62
            case UInt8(ascii: "/"): 63
            default: nil
            }
        }
    }
}
