/// BLAKE2b (RFC 7693), the hash inside Argon2 (RFC 9106 §3.2 H, §3.3 H').
///
/// One-shot: `BLAKE2b.hash(bytes, outputLength: 32)`. Incremental: `init(outputLength:key:)`, then
/// `update(_:)` any number of times, then `finalize()`. Digests are 1 to 64 bytes long; keys at most
/// 64 bytes (RFC 7693 §2.1). Words are read and written little-endian (§2.4), byte by byte, whatever
/// the platform's byte order. Argon2 uses the incremental form for H0 and the one-shot form for H'.
struct BLAKE2b: Sendable {
    /// The initialization vector, the SHA-512 IV (RFC 7693 §2.6).
    static let iv: [UInt64] = [
        0x6a09_e667_f3bc_c908, 0xbb67_ae85_84ca_a73b, 0x3c6e_f372_fe94_f82b, 0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1, 0x9b05_688c_2b3e_6c1f, 0x1f83_d9ab_fb41_bd6b, 0x5be0_cd19_137e_2179,
    ]

    /// The message schedule SIGMA (RFC 7693 §2.7); rounds 10 and 11 reuse rows 0 and 1.
    static let sigma: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ]

    static let blockSize = 128
    static let maximumOutputLength = 64
    static let maximumKeyLength = 64

    private var h: [UInt64]
    private var buffer: [UInt8]
    private var buffered = 0
    /// The byte counter t (RFC 7693 §2.3), 128 bits as two words.
    private var t0: UInt64 = 0
    private var t1: UInt64 = 0
    let outputLength: Int

    /// Starts a digest of `outputLength` bytes (1...64), keyed if `key` is not empty (at most 64 bytes).
    init(outputLength: Int = 64, key: [UInt8] = []) {
        precondition((1...Self.maximumOutputLength).contains(outputLength), "BLAKE2b digests are 1 to 64 bytes")
        precondition(key.count <= Self.maximumKeyLength, "BLAKE2b keys are at most 64 bytes")
        self.outputLength = outputLength
        h = Self.iv
        // Parameter block (RFC 7693 §2.5): digest length, key length, fanout 1, depth 1.
        h[0] ^= 0x0101_0000 ^ (UInt64(key.count) << 8) ^ UInt64(outputLength)
        buffer = [UInt8](repeating: 0, count: Self.blockSize)
        if !key.isEmpty {
            // The key, zero-padded to a full block, is the first block of the message (§3.3).
            for index in key.indices { buffer[index] = key[index] }
            buffered = Self.blockSize
        }
    }

    /// The digest of `input`, `outputLength` bytes (1...64), keyed with `key` (at most 64 bytes).
    static func hash(_ input: [UInt8], outputLength: Int = 64, key: [UInt8] = []) -> [UInt8] {
        var state = BLAKE2b(outputLength: outputLength, key: key)
        state.update(input)
        return state.finalize()
    }

    /// Appends bytes to the message.
    mutating func update(_ input: [UInt8]) {
        input.withUnsafeBufferPointer { update($0) }
    }

    /// Appends a 32-bit value, little-endian, as Argon2 encodes its lengths and parameters (RFC 9106 §3.2).
    mutating func update(le32 value: UInt32) {
        update([
            UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24),
        ])
    }

    mutating func update(_ input: UnsafeBufferPointer<UInt8>) {
        var offset = 0
        while offset < input.count {
            // The last block is compressed with the final flag, so a full buffer waits for more input
            // before it is compressed (RFC 7693 §3.3).
            if buffered == Self.blockSize {
                compressBuffer(final: false)
                buffered = 0
            }
            let take = min(Self.blockSize - buffered, input.count - offset)
            let start = buffered
            let source = offset
            buffer.withUnsafeMutableBufferPointer { buffer in
                for index in 0..<take { buffer[start + index] = input[source + index] }
            }
            buffered += take
            offset += take
        }
    }

    /// The digest; the state is spent.
    mutating func finalize() -> [UInt8] {
        for index in buffered..<Self.blockSize { buffer[index] = 0 }
        compressBuffer(final: true)
        var out = [UInt8](repeating: 0, count: outputLength)
        for index in 0..<outputLength {
            out[index] = UInt8(truncatingIfNeeded: h[index >> 3] >> (8 * UInt64(index & 7)))
        }
        // Wipe what is left of the key and the message.
        for index in buffer.indices { buffer[index] = 0 }
        return out
    }

    private mutating func compressBuffer(final: Bool) {
        let count = UInt64(buffered)
        t0 &+= count
        if t0 < count { t1 &+= 1 }
        let t0 = t0
        let t1 = t1
        buffer.withUnsafeBufferPointer { block in
            h.withUnsafeMutableBufferPointer { h in
                Self.compress(h: h, block: block, t0: t0, t1: t1, final: final)
            }
        }
    }

    /// The compression function F (RFC 7693 §3.2) on one 128-byte block.
    private static func compress(
        h: UnsafeMutableBufferPointer<UInt64>, block: UnsafeBufferPointer<UInt8>, t0: UInt64, t1: UInt64, final: Bool
    ) {
        var m = (
            UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
            UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0)
        )
        var v = (
            h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7],
            iv[0], iv[1], iv[2], iv[3], iv[4] ^ t0, iv[5] ^ t1, iv[6] ^ (final ? ~0 : 0), iv[7]
        )
        withUnsafeMutableBytes(of: &m) { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for word in 0..<16 {
                var value: UInt64 = 0
                for byte in 0..<8 { value |= UInt64(block[word * 8 + byte]) << (8 * UInt64(byte)) }
                words[word] = value
            }
        }
        withUnsafeMutableBytes(of: &v) { vRaw in
            withUnsafeBytes(of: &m) { mRaw in
                let v = vRaw.bindMemory(to: UInt64.self)
                let m = mRaw.bindMemory(to: UInt64.self)
                for round in 0..<12 {
                    let s = sigma[round % 10]
                    mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]])
                    mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]])
                    mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]])
                    mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]])
                    mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]])
                    mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]])
                    mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]])
                    mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]])
                }
                for index in 0..<8 { h[index] ^= v[index] ^ v[index + 8] }
            }
        }
    }

    /// The mixing function G (RFC 7693 §3.1), rotations R1..R4 = 32, 24, 16, 63.
    @inline(__always)
    private static func mix(
        _ v: UnsafeMutableBufferPointer<UInt64>, _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ x: UInt64, _ y: UInt64
    ) {
        var va = v[a]
        var vb = v[b]
        var vc = v[c]
        var vd = v[d]
        va = va &+ vb &+ x
        vd = rotateRight(vd ^ va, 32)
        vc = vc &+ vd
        vb = rotateRight(vb ^ vc, 24)
        va = va &+ vb &+ y
        vd = rotateRight(vd ^ va, 16)
        vc = vc &+ vd
        vb = rotateRight(vb ^ vc, 63)
        v[a] = va
        v[b] = vb
        v[c] = vc
        v[d] = vd
    }

    @inline(__always)
    static func rotateRight(_ x: UInt64, _ n: UInt64) -> UInt64 {
        (x &>> n) | (x &<< (64 &- n))
    }
}
