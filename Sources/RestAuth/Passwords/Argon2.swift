import Dispatch
import Foundation

/// Argon2 (RFC 9106): Argon2d, Argon2i and Argon2id, versions 0x13 (the RFC's) and 0x10 (the
/// original, which older libargon2 hashes carry as `v=16` or no version at all).
///
/// The memory is one allocation of `UInt64` words (on huge pages where Linux offers them), filled
/// block by block with the compression function G (§3.5) written out on local variables: no
/// allocation per block, no bounds checks in the loop. The lanes of a slice are independent (§3.4),
/// so they are computed on up to `threads` threads, which meet at the end of every slice. On one
/// thread it takes about 0.75 of the time of libargon2's SSE2 code (argon2-cffi's) on one thread.
///
/// Parameters are bounded before anything is allocated, so that a forged stored hash cannot ask
/// for more than `maximumMemoryCost` or `maximumWork` (see `validate`).
enum Argon2 {
    /// The type y of §3.2.
    enum Variant: UInt32, Sendable, CaseIterable {
        case d = 0
        case i = 1
        case id = 2

        /// The name in the PHC string format: `argon2d`, `argon2i`, `argon2id`.
        var name: String {
            switch self {
            case .d: "argon2d"
            case .i: "argon2i"
            case .id: "argon2id"
            }
        }

        init?(name: some StringProtocol) {
            switch name {
            case "argon2d": self = .d
            case "argon2i": self = .i
            case "argon2id": self = .id
            default: return nil
            }
        }
    }

    /// The version number v of §3.2. Version 0x10 overwrites blocks on later passes where 0x13
    /// XORs into them (§3.4.1).
    enum Version: UInt32, Sendable, CaseIterable {
        case v10 = 0x10
        case v13 = 0x13
    }

    enum Error: Swift.Error, Equatable, Sendable {
        /// The time cost is below 1, or time cost × memory cost is above `maximumWork`.
        case timeCostOutOfRange
        /// The memory cost is below 8 × parallelism or above `maximumMemoryCost`.
        case memoryCostOutOfRange
        /// The parallelism is below 1 or above 2^24 - 1.
        case parallelismOutOfRange
        /// The tag length is below 4 or above `maximumHashLength`.
        case hashLengthOutOfRange
        /// The salt is shorter than 8 bytes.
        case saltTooShort
        /// The password, salt, secret or associated data is longer than 2^32 - 1 bytes.
        case inputTooLong
        /// The system would not allocate the memory.
        case memoryAllocationFailed
    }

    /// 4 GiB, in KiB. RFC 9106 allows up to 2^32 - 1 KiB; its first recommended option (§4) uses 2 GiB.
    static let maximumMemoryCost = 1 << 22
    /// Time cost × memory cost, in KiB: 16 GiB of blocks to compute, for example 4 GiB with 4 passes
    /// or 1 GiB with 16. Django's default (2 × 100 MiB) is 1/80 of it.
    static let maximumWork = 1 << 24
    /// Tags longer than this are refused; RFC 9106 allows up to 2^32 - 1 bytes, Django stores 32.
    static let maximumHashLength = 1024
    /// §3.1: p is 1 to 2^24 - 1 (in practice at most m / 8, so at most 2^19 here).
    static let maximumParallelism = (1 << 24) - 1
    static let minimumSaltLength = 8
    static let minimumHashLength = 4

    /// 1 KiB blocks of 128 words (§3.4).
    static let blockWords = 128
    /// Slices per pass, the synchronization points of §3.4.
    static let syncPoints = 4
    /// Pseudo-random values in one address block (§3.4.1.2).
    static let addressesPerBlock = 128

    /// The tag of `password` (RFC 9106 §3), `hashLength` bytes.
    ///
    /// - Parameters:
    ///   - timeCost: t, the number of passes, at least 1.
    ///   - memoryCost: m, in KiB, at least 8 × `parallelism`; rounded down to a multiple of
    ///     4 × `parallelism` blocks (§3.4).
    ///   - parallelism: p, the number of lanes.
    ///   - secret: K, the optional key (§3.1).
    ///   - associatedData: X, the optional associated data (§3.1).
    ///   - threads: how many threads compute the lanes of a slice: the calling thread and
    ///     `threads - 1` helpers. Default: as many as there are lanes, up to the active processor
    ///     count. It never changes the tag.
    static func hash(
        password: [UInt8], salt: [UInt8], secret: [UInt8] = [], associatedData: [UInt8] = [],
        timeCost: Int, memoryCost: Int, parallelism: Int, hashLength: Int, variant: Variant = .id,
        version: Version = .v13, threads: Int? = nil
    ) throws -> [UInt8] {
        try validate(timeCost: timeCost, memoryCost: memoryCost, parallelism: parallelism, hashLength: hashLength)
        guard salt.count >= minimumSaltLength else { throw Error.saltTooShort }
        let limit = Int(UInt32.max)
        guard password.count <= limit, salt.count <= limit, secret.count <= limit, associatedData.count <= limit
        else { throw Error.inputTooLong }

        // §3.2 step 1: H0.
        var h0State = BLAKE2b(outputLength: 64)
        for value in [parallelism, hashLength, memoryCost, timeCost] { h0State.update(le32: UInt32(value)) }
        h0State.update(le32: version.rawValue)
        h0State.update(le32: variant.rawValue)
        for input in [password, salt, secret, associatedData] {
            h0State.update(le32: UInt32(input.count))
            h0State.update(input)
        }
        let h0 = h0State.finalize()

        // §3.2 step 2: m' = 4p × floor(m / 4p) blocks, q = m' / p columns per lane.
        let segmentLength = memoryCost / (syncPoints * parallelism)
        let laneLength = segmentLength * syncPoints
        let blockCount = laneLength * parallelism
        let byteCount = blockCount * blockWords * 8
        // Aligned on 2 MiB when large, so that the kernel can back it with transparent huge pages.
        let hugePage = 1 << 21
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, byteCount >= hugePage ? hugePage : 64, byteCount) == 0, let raw else {
            throw Error.memoryAllocationFailed
        }
        #if os(Linux)
            // Fewer page faults and TLB misses on the random walk over the memory: about 15% less time
            // where transparent huge pages are enabled "on madvise" (most distributions' default).
            if byteCount >= hugePage { _ = madvise(raw, byteCount, MADV_HUGEPAGE) }
        #endif
        let memory = raw.bindMemory(to: UInt64.self, capacity: blockCount * blockWords)
        defer {
            // Like libargon2, leave nothing of the computation in freed memory.
            wipe(raw, byteCount)
            free(raw)
        }

        // §3.2 steps 3 and 4: the first two blocks of every lane.
        for lane in 0..<parallelism {
            for column in 0..<2 {
                let block = hashPrime(h0 + le32(UInt32(column)) + le32(UInt32(lane)), length: 1024)
                let target = memory + (lane * laneLength + column) * blockWords
                load(block, into: target)
            }
        }

        let instance = Instance(
            memory: memory, passes: timeCost, lanes: parallelism, laneLength: laneLength,
            segmentLength: segmentLength, blockCount: blockCount, variant: variant, version: version)
        let threadCount = max(1, min(parallelism, threads ?? ProcessInfo.processInfo.activeProcessorCount))
        if threadCount == 1 {
            let scratch = Scratch()
            defer { scratch.release() }
            for pass in 0..<timeCost {
                for slice in 0..<syncPoints {
                    for lane in 0..<parallelism {
                        instance.fillSegment(pass: pass, slice: slice, lane: lane, scratch: scratch)
                    }
                }
            }
        } else {
            fillInParallel(instance, threads: threadCount)
        }

        // §3.2 steps 7 and 8: XOR of the last column, through H'.
        var final = [UInt64](repeating: 0, count: blockWords)
        for lane in 0..<parallelism {
            let last = memory + (lane * laneLength + laneLength - 1) * blockWords
            for index in 0..<blockWords { final[index] ^= last[index] }
        }
        var finalBytes = [UInt8](repeating: 0, count: 1024)
        for index in 0..<1024 { finalBytes[index] = UInt8(truncatingIfNeeded: final[index >> 3] >> (8 * (index & 7))) }
        return hashPrime(finalBytes, length: hashLength)
    }

    /// Refuses parameters outside RFC 9106's ranges (§3.1) and this implementation's bounds, so that
    /// a hash stored with absurd ones is rejected before any memory is allocated:
    /// memory ≤ `maximumMemoryCost` (4 GiB), time × memory ≤ `maximumWork`, tag ≤ `maximumHashLength`.
    static func validate(timeCost: Int, memoryCost: Int, parallelism: Int, hashLength: Int) throws {
        guard (1...maximumParallelism).contains(parallelism) else { throw Error.parallelismOutOfRange }
        guard memoryCost >= 8 * parallelism, memoryCost <= maximumMemoryCost else {
            throw Error.memoryCostOutOfRange
        }
        guard timeCost >= 1, timeCost <= maximumWork / memoryCost else { throw Error.timeCostOutOfRange }
        guard (minimumHashLength...maximumHashLength).contains(hashLength) else { throw Error.hashLengthOutOfRange }
    }

    /// The variable-length hash function H' (§3.3).
    static func hashPrime(_ input: [UInt8], length: Int) -> [UInt8] {
        let prefixed = le32(UInt32(length)) + input
        if length <= 64 { return BLAKE2b.hash(prefixed, outputLength: length) }
        let r = (length + 31) / 32 - 2
        var v = BLAKE2b.hash(prefixed)
        var out = Array(v[0..<32])
        out.reserveCapacity(length)
        for _ in 1..<r {
            v = BLAKE2b.hash(v)
            out += v[0..<32]
        }
        out += BLAKE2b.hash(v, outputLength: length - 32 * r)
        return out
    }

    static func le32(_ value: UInt32) -> [UInt8] {
        [
            UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24),
        ]
    }

    /// Zeroes memory with a call the optimizer may not drop as a dead store before `free`.
    static func wipe(_ pointer: UnsafeMutableRawPointer, _ count: Int) {
        #if canImport(Darwin)
            _ = memset_s(pointer, count, 0, count)
        #else
            explicit_bzero(pointer, count)
        #endif
    }

    private static func load(_ bytes: [UInt8], into block: UnsafeMutablePointer<UInt64>) {
        for word in 0..<blockWords {
            var value: UInt64 = 0
            for byte in 0..<8 { value |= UInt64(bytes[word * 8 + byte]) << (8 * byte) }
            block[word] = value
        }
    }

    /// Runs the slices with `threads - 1` helper threads; every thread takes the lanes
    /// `w, w + threads, ...` and all meet after every slice (§3.4: a slice's segments may only
    /// reference finished slices of other lanes).
    ///
    /// The helpers are new threads rather than `DispatchQueue.concurrentPerform`'s: a thread inherits
    /// the scheduling priority of the thread that creates it, so a hash started on the lowered-priority
    /// `HashingThreadPool` stays at that priority, where Dispatch's workers would run at the normal one.
    /// On two cores both took the same time at Django's parameters; starting a helper and meeting it
    /// eight times costs about 0.1 ms.
    private static func fillInParallel(_ instance: Instance, threads: Int) {
        let start = (1..<threads).map { _ in DispatchSemaphore(value: 0) }
        let done = DispatchSemaphore(value: 0)
        let passes = instance.passes
        for worker in 1..<threads {
            let go = start[worker - 1]
            let thread = Thread {
                let scratch = Scratch()
                for pass in 0..<passes {
                    for slice in 0..<syncPoints {
                        go.wait()
                        var lane = worker
                        while lane < instance.lanes {
                            instance.fillSegment(pass: pass, slice: slice, lane: lane, scratch: scratch)
                            lane += threads
                        }
                        if pass == passes - 1 && slice == syncPoints - 1 { scratch.release() }
                        done.signal()
                    }
                }
            }
            thread.start()
        }
        let scratch = Scratch()
        defer { scratch.release() }
        for pass in 0..<passes {
            for slice in 0..<syncPoints {
                for go in start { go.signal() }
                var lane = 0
                while lane < instance.lanes {
                    instance.fillSegment(pass: pass, slice: slice, lane: lane, scratch: scratch)
                    lane += threads
                }
                for _ in 1..<threads { done.wait() }
            }
        }
    }

    /// Per-thread working blocks: R of the compression, the all-zero block, and the input and
    /// address blocks of data-independent addressing (§3.4.1.2).
    struct Scratch: @unchecked Sendable {
        let r: UnsafeMutablePointer<UInt64>
        let zero: UnsafeMutablePointer<UInt64>
        let input: UnsafeMutablePointer<UInt64>
        let address: UnsafeMutablePointer<UInt64>

        init() {
            let base = UnsafeMutablePointer<UInt64>.allocate(capacity: 4 * Argon2.blockWords)
            base.initialize(repeating: 0, count: 4 * Argon2.blockWords)
            r = base
            zero = base + Argon2.blockWords
            input = base + 2 * Argon2.blockWords
            address = base + 3 * Argon2.blockWords
        }

        func release() {
            Argon2.wipe(r, 4 * Argon2.blockWords * 8)
            r.deallocate()
        }
    }

    /// The memory and the shape of one computation. It holds a raw pointer: each thread writes only
    /// the segments of its own lanes, and reads only blocks that the barrier after a slice published.
    struct Instance: @unchecked Sendable {
        let memory: UnsafeMutablePointer<UInt64>
        let passes: Int
        let lanes: Int
        let laneLength: Int
        let segmentLength: Int
        let blockCount: Int
        let variant: Variant
        let version: Version

        /// Computes one segment (§3.4): the blocks of `lane` in `slice` of `pass`.
        func fillSegment(pass: Int, slice: Int, lane: Int, scratch: Scratch) {
            let dataIndependent = variant == .i || (variant == .id && pass == 0 && slice < 2)
            if dataIndependent {
                // §3.4.1.2: Z = (r, l, sl, m', t, y, i, 0, ...), i counting address blocks from 1.
                scratch.input[0] = UInt64(pass)
                scratch.input[1] = UInt64(lane)
                scratch.input[2] = UInt64(slice)
                scratch.input[3] = UInt64(blockCount)
                scratch.input[4] = UInt64(passes)
                scratch.input[5] = UInt64(variant.rawValue)
                scratch.input[6] = 0
            }
            var startIndex = 0
            if pass == 0 && slice == 0 {
                startIndex = 2  // the first two blocks come from H0
                if dataIndependent { nextAddresses(scratch) }
            }
            var current = lane * laneLength + slice * segmentLength + startIndex
            var previous = current % laneLength == 0 ? current + laneLength - 1 : current - 1
            let xorInto = version == .v13 && pass > 0
            for index in startIndex..<segmentLength {
                if current % laneLength == 1 { previous = current - 1 }
                let pseudoRandom: UInt64
                if dataIndependent {
                    if index % Argon2.addressesPerBlock == 0 { nextAddresses(scratch) }
                    pseudoRandom = scratch.address[index % Argon2.addressesPerBlock]
                } else {
                    pseudoRandom = memory[previous * Argon2.blockWords]
                }
                // §3.4.1: J2 picks the lane (the own lane in the first slice of the first pass),
                // J1 the block within the reference set (§3.4.2).
                let referenceLane = pass == 0 && slice == 0 ? lane : Int((pseudoRandom >> 32) % UInt64(lanes))
                let referenceIndex = indexAlpha(
                    pass: pass, slice: slice, index: index, j1: pseudoRandom & 0xFFFF_FFFF,
                    sameLane: referenceLane == lane)
                let reference = referenceLane * laneLength + referenceIndex
                Argon2.compress(
                    memory + previous * Argon2.blockWords, memory + reference * Argon2.blockWords,
                    into: memory + current * Argon2.blockWords, xor: xorInto, r: scratch.r)
                current += 1
                previous += 1
            }
        }

        /// The next 128 pseudo-random values: G(0, G(0, Z)) with Z's counter incremented (§3.4.1.2).
        @inline(__always)
        private func nextAddresses(_ scratch: Scratch) {
            scratch.input[6] &+= 1
            Argon2.compress(scratch.zero, scratch.input, into: scratch.address, xor: false, r: scratch.r)
            Argon2.compress(scratch.zero, scratch.address, into: scratch.address, xor: false, r: scratch.r)
        }

        /// The column within the reference lane (§3.4.2): the reference set W, J1 mapped onto it
        /// non-uniformly (x = J1² / 2^32, y = |W| × x / 2^32, zz = |W| - 1 - y), counted from the
        /// first block after the current segment.
        @inline(__always)
        private func indexAlpha(pass: Int, slice: Int, index: Int, j1: UInt64, sameLane: Bool) -> Int {
            let areaSize: Int
            if pass == 0 {
                if slice == 0 {
                    areaSize = index - 1  // all but the previous block
                } else if sameLane {
                    areaSize = slice * segmentLength + index - 1
                } else {
                    areaSize = slice * segmentLength + (index == 0 ? -1 : 0)
                }
            } else if sameLane {
                areaSize = laneLength - segmentLength + index - 1
            } else {
                areaSize = laneLength - segmentLength + (index == 0 ? -1 : 0)
            }
            let x = (j1 &* j1) &>> 32
            let y = (UInt64(areaSize) &* x) &>> 32
            let relative = areaSize - 1 - Int(y)
            let start = pass == 0 || slice == Argon2.syncPoints - 1 ? 0 : (slice + 1) * segmentLength
            return (start + relative) % laneLength
        }
    }

    /// The compression function G (§3.5): R = X ⊕ Y, Q = P on the rows of R, Z = P on the columns
    /// of Q, result R ⊕ Z, XORed into the old block when `xor` (version 0x13, passes after the first,
    /// §3.4.1). `into` may be `y`; `r` is a 128-word scratch block.
    @inline(__always)
    static func compress(
        _ x: UnsafeMutablePointer<UInt64>, _ y: UnsafeMutablePointer<UInt64>,
        into z: UnsafeMutablePointer<UInt64>, xor: Bool, r: UnsafeMutablePointer<UInt64>
    ) {
        for index in 0..<blockWords { r[index] = x[index] ^ y[index] }
        // Rows: words 16i ... 16i + 15.
        for row in 0..<8 {
            let b = 16 * row
            permute(
                r, b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7,
                b + 8, b + 9, b + 10, b + 11, b + 12, b + 13, b + 14, b + 15)
        }
        // Columns: words 2i, 2i + 1, 2i + 16, 2i + 17, ..., 2i + 112, 2i + 113.
        for column in 0..<8 {
            let b = 2 * column
            permute(
                r, b, b + 1, b + 16, b + 17, b + 32, b + 33, b + 48, b + 49,
                b + 64, b + 65, b + 80, b + 81, b + 96, b + 97, b + 112, b + 113)
        }
        if xor {
            for index in 0..<blockWords { z[index] ^= r[index] ^ x[index] ^ y[index] }
        } else {
            for index in 0..<blockWords { z[index] = r[index] ^ x[index] ^ y[index] }
        }
    }

    /// The permutation P (§3.6) on 16 words of `v`: BLAKE2b's round without the message, with GB.
    @inline(__always)
    private static func permute(
        _ v: UnsafeMutablePointer<UInt64>, _ i0: Int, _ i1: Int, _ i2: Int, _ i3: Int, _ i4: Int, _ i5: Int,
        _ i6: Int, _ i7: Int, _ i8: Int, _ i9: Int, _ i10: Int, _ i11: Int, _ i12: Int, _ i13: Int, _ i14: Int,
        _ i15: Int
    ) {
        var v0 = v[i0]
        var v1 = v[i1]
        var v2 = v[i2]
        var v3 = v[i3]
        var v4 = v[i4]
        var v5 = v[i5]
        var v6 = v[i6]
        var v7 = v[i7]
        var v8 = v[i8]
        var v9 = v[i9]
        var v10 = v[i10]
        var v11 = v[i11]
        var v12 = v[i12]
        var v13 = v[i13]
        var v14 = v[i14]
        var v15 = v[i15]
        gb(&v0, &v4, &v8, &v12)
        gb(&v1, &v5, &v9, &v13)
        gb(&v2, &v6, &v10, &v14)
        gb(&v3, &v7, &v11, &v15)
        gb(&v0, &v5, &v10, &v15)
        gb(&v1, &v6, &v11, &v12)
        gb(&v2, &v7, &v8, &v13)
        gb(&v3, &v4, &v9, &v14)
        v[i0] = v0
        v[i1] = v1
        v[i2] = v2
        v[i3] = v3
        v[i4] = v4
        v[i5] = v5
        v[i6] = v6
        v[i7] = v7
        v[i8] = v8
        v[i9] = v9
        v[i10] = v10
        v[i11] = v11
        v[i12] = v12
        v[i13] = v13
        v[i14] = v14
        v[i15] = v15
    }

    /// GB (§3.6): BLAKE2b's G with each addition a + b replaced by a + b + 2 × lo32(a) × lo32(b).
    @inline(__always)
    private static func gb(_ a: inout UInt64, _ b: inout UInt64, _ c: inout UInt64, _ d: inout UInt64) {
        a = a &+ b &+ 2 &* (a & 0xFFFF_FFFF) &* (b & 0xFFFF_FFFF)
        d = rotateRight(d ^ a, 32)
        c = c &+ d &+ 2 &* (c & 0xFFFF_FFFF) &* (d & 0xFFFF_FFFF)
        b = rotateRight(b ^ c, 24)
        a = a &+ b &+ 2 &* (a & 0xFFFF_FFFF) &* (b & 0xFFFF_FFFF)
        d = rotateRight(d ^ a, 16)
        c = c &+ d &+ 2 &* (c & 0xFFFF_FFFF) &* (d & 0xFFFF_FFFF)
        b = rotateRight(b ^ c, 63)
    }

    @inline(__always)
    private static func rotateRight(_ x: UInt64, _ n: UInt64) -> UInt64 {
        (x &>> n) | (x &<< (64 &- n))
    }
}
