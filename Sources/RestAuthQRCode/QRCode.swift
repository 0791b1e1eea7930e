import Foundation

/// A QR Code symbol (ISO/IEC 18004:2015, Model 2) for a piece of text, drawn as SVG without any image library:
/// the picture an authenticator app scans to enrol a TOTP secret from its `otpauth://` URI.
///
/// The text is one byte-mode segment of its UTF-8 bytes with no ECI header, which is what authenticator
/// apps and every common reader expect. The encoder then follows the standard's encode procedure:
///
/// 1. picks the smallest version, 1 to 40, whose capacity at the requested level holds the data (Table 7);
/// 2. appends the terminator and pad codewords `0xEC 0x11` (§7.4, "Bit stream to codeword conversion");
/// 3. splits the codewords into the Reed–Solomon blocks of Table 9 and interleaves them (§7.5, §7.6);
/// 4. draws the function patterns and places the codewords in the two-module-wide zigzag (§7.7.3);
/// 5. tries the eight data masks (§7.8.2, Table 10) and keeps the lowest penalty score (§7.8.3.1, Table 11);
/// 6. writes the format information (§7.9, Annex C) and, from version 7, the version information (§7.10, Annex D).
///
/// ```swift
/// let qr = try QRCode("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example")
/// let html = "<img alt=\"Scan with your authenticator app\" src=\"\(qr.svgDataURI(moduleSize: 6))\">"
/// ```
public struct QRCode: Sendable {
    /// The error correction level (§7.5.1): how much of the symbol may be damaged and still read back,
    /// about 7 % (`low`), 15 % (`medium`), 25 % (`quartile`) or 30 % (`high`) of the codewords.
    public enum ErrorCorrection: Sendable, CaseIterable {
        case low, medium, quartile, high

        /// The column of the Table 9 arrays below: L, M, Q, H.
        var index: Int { Self.allCases.firstIndex(of: self)! }

        /// The two-bit error correction level indicator of the format information (§7.9): L 01, M 00, Q 11, H 10.
        var formatBits: Int { [1, 0, 3, 2][index] }
    }

    public enum Error: Swift.Error, Sendable, Equatable {
        /// The text's UTF-8 bytes do not fit a version 40 symbol at the requested level.
        case tooLong
    }

    /// The version, 1 to 40; a version `v` symbol is `17 + 4v` modules wide.
    public let version: Int
    public let errorCorrection: ErrorCorrection
    /// The data mask pattern reference, 0 to 7 (Table 10), that scored the lowest penalty.
    public let mask: Int
    /// Modules per side, without the quiet zone.
    public let size: Int
    /// Row-major modules, `true` for dark: module (x, y) is `modules[y * size + x]`.
    public let modules: [Bool]

    /// Encodes `text` as its UTF-8 bytes in byte mode, in the smallest version that holds them.
    ///
    /// - Throws: `QRCode.Error.tooLong` beyond version 40's capacity: 2953 bytes at `low`, 2331 at `medium`,
    ///   1663 at `quartile`, 1273 at `high`.
    public init(_ text: String, errorCorrection: ErrorCorrection = .medium) throws {
        try self.init(bytes: Array(text.utf8), errorCorrection: errorCorrection)
    }

    /// Encodes `bytes` in byte mode; `mask` forces a data mask instead of choosing the best (for tests).
    init(bytes: [UInt8], errorCorrection level: ErrorCorrection, mask forcedMask: Int? = nil) throws {
        guard let version = (1...40).first(where: { Self.byteCapacity(version: $0, level: level) >= bytes.count })
        else { throw Error.tooLong }
        precondition(forcedMask.map { (0..<8).contains($0) } ?? true, "a mask is 0 to 7")
        let data = Self.dataCodewords(bytes, version: version, level: level)
        var unmasked = Matrix(version: version)
        unmasked.place(Self.interleaved(data, version: version, level: level))
        let (mask, matrix, _) = (forcedMask.map { [$0] } ?? Array(0..<8)).map { mask in
            var candidate = unmasked
            candidate.apply(mask: mask)
            candidate.drawFormat(Self.formatBits(level, mask: mask))
            return (mask, candidate, candidate.penalty())
        }.min { $0.2 < $1.2 }!  // the first of equal scores: the lowest mask reference
        self.version = version
        self.errorCorrection = level
        self.mask = mask
        self.size = matrix.size
        self.modules = matrix.modules
    }

    /// Whether the module at column `x`, row `y` is dark; anything outside the symbol is the light quiet zone.
    public func isDark(x: Int, y: Int) -> Bool {
        (0..<size).contains(x) && (0..<size).contains(y) && modules[y * size + x]
    }

    /// The symbol as a standalone SVG document: a white background and one black path with a rectangle per
    /// horizontal run of dark modules. The `viewBox` counts modules, quiet zone included (the standard asks
    /// for `border` = 4); `width` and `height` are `moduleSize` pixels a module.
    public func svg(moduleSize: Int = 8, border: Int = 4) -> String {
        let side = size + 2 * border
        var path = ""
        for y in 0..<size {
            var start: Int?  // the first dark module of the run in progress
            for x in 0...size {  // x == size is outside, light, and ends a run that reaches the edge
                if isDark(x: x, y: y) {
                    start = start ?? x
                } else if let first = start {
                    path += "M\(first + border),\(y + border)h\(x - first)v1h-\(x - first)z"
                    start = nil
                }
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(side * moduleSize)" \
            height="\(side * moduleSize)" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>

            """
    }

    /// ``svg(moduleSize:border:)`` as a `data:` URI, for an `<img src>` or a JSON field.
    public func svgDataURI(moduleSize: Int = 8, border: Int = 4) -> String {
        "data:image/svg+xml;base64," + Data(svg(moduleSize: moduleSize, border: border).utf8).base64EncodedString()
    }
}

// MARK: - Codewords

extension QRCode {
    /// Error correction codewords per block (Table 9): a row per version 1–40, a column per level L, M, Q, H.
    static let eccPerBlock: [[Int]] = [
        [7, 10, 13, 17], [10, 16, 22, 28], [15, 26, 18, 22], [20, 18, 26, 16], [26, 24, 18, 22],  // 1–5
        [18, 16, 24, 28], [20, 18, 18, 26], [24, 22, 22, 26], [30, 22, 20, 24], [18, 26, 24, 28],  // 6–10
        [20, 30, 28, 24], [24, 22, 26, 28], [26, 22, 24, 22], [30, 24, 20, 24], [22, 24, 30, 24],  // 11–15
        [24, 28, 24, 30], [28, 28, 28, 28], [30, 26, 28, 28], [28, 26, 26, 26], [28, 26, 30, 28],  // 16–20
        [28, 26, 28, 30], [28, 28, 30, 24], [30, 28, 30, 30], [30, 28, 30, 30], [26, 28, 30, 30],  // 21–25
        [28, 28, 28, 30], [30, 28, 30, 30], [30, 28, 30, 30], [30, 28, 30, 30], [30, 28, 30, 30],  // 26–30
        [30, 28, 30, 30], [30, 28, 30, 30], [30, 28, 30, 30], [30, 28, 30, 30], [30, 28, 30, 30],  // 31–35
        [30, 28, 30, 30], [30, 28, 30, 30], [30, 28, 30, 30], [30, 28, 30, 30], [30, 28, 30, 30],  // 36–40
    ]

    /// Error correction blocks (Table 9): a row per version 1–40, a column per level L, M, Q, H.
    static let blockCount: [[Int]] = [
        [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 2, 2], [1, 2, 2, 4], [1, 2, 4, 4],  // 1–5
        [2, 4, 4, 4], [2, 4, 6, 5], [2, 4, 6, 6], [2, 5, 8, 8], [4, 5, 8, 8],  // 6–10
        [4, 5, 8, 11], [4, 8, 10, 11], [4, 9, 12, 16], [4, 9, 16, 16], [6, 10, 12, 18],  // 11–15
        [6, 10, 17, 16], [6, 11, 16, 19], [6, 13, 18, 21], [7, 14, 21, 25], [8, 16, 20, 25],  // 16–20
        [8, 17, 23, 25], [9, 17, 23, 34], [9, 18, 25, 30], [10, 20, 27, 32], [12, 21, 29, 35],  // 21–25
        [12, 23, 34, 37], [12, 25, 34, 40], [13, 26, 35, 42], [14, 28, 38, 45], [15, 29, 40, 48],  // 26–30
        [16, 31, 43, 51], [17, 33, 45, 54], [18, 35, 48, 57], [19, 37, 51, 60], [19, 38, 53, 63],  // 31–35
        [20, 40, 56, 66], [21, 43, 59, 70], [22, 45, 62, 74], [24, 47, 65, 77], [25, 49, 68, 81],  // 36–40
    ]

    /// All codewords of a version (Table 1, codeword capacity): the modules left after the finder, separator,
    /// timing and alignment patterns and the format and version information, over 8, remainder bits dropped.
    static func totalCodewords(version: Int) -> Int {
        var modules = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            modules -= (25 * alignments - 10) * alignments - 55
            if version >= 7 { modules -= 36 }
        }
        return modules / 8
    }

    static func dataCodewordCount(version: Int, level: ErrorCorrection) -> Int {
        totalCodewords(version: version)
            - eccPerBlock[version - 1][level.index] * blockCount[version - 1][level.index]
    }

    /// Bits of the byte-mode character count indicator (Table 3): 8 up to version 9, 16 above.
    static func countBits(version: Int) -> Int { version <= 9 ? 8 : 16 }

    /// Bytes a byte-mode segment can hold (the "Byte" column of Table 7).
    static func byteCapacity(version: Int, level: ErrorCorrection) -> Int {
        (dataCodewordCount(version: version, level: level) * 8 - 4 - countBits(version: version)) / 8
    }

    /// The data codewords: mode indicator `0100`, character count, the bytes, a terminator of up to four zero
    /// bits, zero bits to the next byte, then the pad codewords `11101100` and `00010001` in turn.
    static func dataCodewords(_ bytes: [UInt8], version: Int, level: ErrorCorrection) -> [UInt8] {
        let capacity = dataCodewordCount(version: version, level: level)
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { bits.append(value >> i & 1 == 1) }
        }
        append(0b0100, 4)
        append(bytes.count, countBits(version: version))
        for byte in bytes { append(Int(byte), 8) }
        append(0, min(4, capacity * 8 - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        let codewords = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        return codewords + (0..<capacity - codewords.count).map { $0 % 2 == 0 ? 0xEC : 0x11 }
    }

    /// Splits the data codewords into blocks, shorter blocks first with one data codeword less (Table 9), computes
    /// each block's error correction codewords, and interleaves: the data codewords column by column across the
    /// blocks, then the error correction codewords the same way (§7.6).
    static func interleaved(_ data: [UInt8], version: Int, level: ErrorCorrection) -> [UInt8] {
        let blocks = blockCount[version - 1][level.index]
        let ecc = eccPerBlock[version - 1][level.index]
        let total = totalCodewords(version: version)
        let shortBlocks = blocks - total % blocks
        let shortLength = total / blocks - ecc
        var dataBlocks: [[UInt8]] = []
        var eccBlocks: [[UInt8]] = []
        var start = 0
        for block in 0..<blocks {
            let length = shortLength + (block < shortBlocks ? 0 : 1)
            dataBlocks.append(Array(data[start..<start + length]))
            eccBlocks.append(reedSolomon(dataBlocks[block], eccCount: ecc))
            start += length
        }
        let dataColumns = (0...shortLength).flatMap { i in dataBlocks.compactMap { i < $0.count ? $0[i] : nil } }
        return dataColumns + (0..<ecc).flatMap { i in eccBlocks.map { $0[i] } }
    }

    /// The `eccCount` error correction codewords of `data`: the remainder of `data(x)·x^eccCount` divided by the
    /// generator polynomial `(x − α⁰)(x − α¹)…(x − α^(eccCount−1))` (Annex A) over GF(2⁸) with the field's
    /// primitive polynomial x⁸ + x⁴ + x³ + x² + 1 (§7.5.2).
    static func reedSolomon(_ data: [UInt8], eccCount: Int) -> [UInt8] {
        var generator = [UInt8](repeating: 0, count: eccCount - 1) + [1]  // highest power first, leading 1 implied
        var root: UInt8 = 1
        for _ in 0..<eccCount {
            for j in 0..<eccCount {
                generator[j] = multiply(generator[j], root) ^ (j + 1 < eccCount ? generator[j + 1] : 0)
            }
            root = multiply(root, 2)
        }
        var remainder = [UInt8](repeating: 0, count: eccCount)
        for byte in data {
            let factor = byte ^ remainder.removeFirst()
            remainder.append(0)
            for j in 0..<eccCount { remainder[j] ^= multiply(generator[j], factor) }
        }
        return remainder
    }

    /// Multiplication in GF(2⁸) modulo 0x11D, by shift and add (Russian peasant).
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var product = 0
        for i in stride(from: 7, through: 0, by: -1) {
            product = (product << 1) ^ ((product >> 7) * 0x11D)  // reduce x⁸ away
            if b >> i & 1 == 1 { product ^= Int(a) }
        }
        return UInt8(product)
    }

    /// The 15 format information bits (§7.9, Annex C): level indicator and mask reference, a BCH(15, 5) code with
    /// generator 0x537, masked with `101010000010010` so that they are never all zero.
    static func formatBits(_ level: ErrorCorrection, mask: Int) -> Int {
        let data = level.formatBits << 3 | mask
        return (data << 10 | bch(data, generator: 0x537, degree: 10)) ^ 0x5412
    }

    /// The 18 version information bits (§7.10, Annex D): the version and a BCH(18, 6) code with generator 0x1F25.
    static func versionBits(_ version: Int) -> Int { version << 12 | bch(version, generator: 0x1F25, degree: 12) }

    /// The remainder of `data·x^degree` divided by `generator`, both bit strings as polynomials over GF(2),
    /// by long division one shift at a time (`data` is shorter than `degree` bits).
    private static func bch(_ data: Int, generator: Int, degree: Int) -> Int {
        (0..<degree).reduce(data) { remainder, _ in remainder << 1 ^ (remainder >> (degree - 1)) * generator }
    }
}

// MARK: - Matrix

/// The module grid while it is built: the function patterns first, so that codeword placement and masking skip
/// them (`isFunction`), then the codewords, a mask and the format information.
private struct Matrix {
    let size: Int
    var modules: [Bool], isFunction: [Bool]

    init(version: Int) {
        size = 17 + 4 * version
        modules = Array(repeating: false, count: size * size)
        isFunction = modules
        for i in 0..<size {  // timing patterns (§6.3): row and column 6, dark on even indices
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        // Finder patterns and their separators (§6.3): a 3 × 3 dark centre, then light, dark and light rings.
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 where (0..<size).contains(x + dx) && (0..<size).contains(y + dy) {
                    set(x + dx, y + dy, ![2, 4].contains(max(abs(dx), abs(dy))))
                }
            }
        }
        let centres = Self.alignmentCentres(version: version)
        for x in centres {  // alignment patterns (§6.3, Annex E), except where the finder patterns are
            for y in centres where !(x == 6 && y == 6) && !(x == 6 && y == size - 7) && !(x == size - 7 && y == 6) {
                for dy in -2...2 {
                    for dx in -2...2 { set(x + dx, y + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        drawFormat(0)  // reserves the format areas and the dark module, before the codewords are placed
        if version >= 7 {  // version information (§7.10): 6 × 3 blocks by the upper-right and lower-left finders
            let bits = QRCode.versionBits(version)
            for i in 0..<18 {
                set(size - 11 + i % 3, i / 3, bits >> i & 1 == 1)
                set(i / 3, size - 11 + i % 3, bits >> i & 1 == 1)
            }
        }
    }

    /// Alignment pattern centre coordinates for both axes (Annex E, Table E.1): 6, then evenly spaced steps of an
    /// even number of modules back from `size − 7`, which reproduces every row of the table.
    static func alignmentCentres(version: Int) -> [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let size = 17 + 4 * version
        let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        return [6] + (0..<count - 1).reversed().map { size - 7 - $0 * step }
    }

    mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    /// Writes both copies of the format information (§7.9), bit 0 the least significant: around the upper-left
    /// finder, bits 0–7 down column 8 then bits 8–14 leftwards along row 8, skipping the timing patterns; and bits
    /// 0–7 leftwards along row 8 at the upper right, bits 8–14 down column 8 at the lower left. Plus the dark module.
    mutating func drawFormat(_ bits: Int) {
        func bit(_ i: Int) -> Bool { bits >> i & 1 == 1 }
        for i in 0..<6 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    /// Places the codewords most significant bit first in the zigzag of §7.7.3: pairs of columns from the right,
    /// upwards then downwards in turn, right module before left, stepping over column 6 (the vertical timing
    /// pattern) and every function module. Remainder bits stay light.
    mutating func place(_ codewords: [UInt8]) {
        var index = 0
        for right in stride(from: size - 1, through: 1, by: -2) {
            let right = right <= 6 ? right - 1 : right
            let upward = (right + 1) & 2 == 0  // the rightmost pair goes up, then they alternate
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !isFunction[y * size + x] && index < codewords.count * 8 {
                    modules[y * size + x] = codewords[index / 8] >> (7 - index % 8) & 1 == 1
                    index += 1
                }
            }
        }
    }

    /// Inverts the data modules where the mask condition of Table 10 holds, with `i` the row and `j` the column.
    mutating func apply(mask: Int) {
        for i in 0..<size {
            for j in 0..<size where !isFunction[i * size + j] {
                let invert =
                    switch mask {
                    case 0: (i + j) % 2 == 0
                    case 1: i % 2 == 0
                    case 2: j % 3 == 0
                    case 3: (i + j) % 3 == 0
                    case 4: (i / 2 + j / 3) % 2 == 0
                    case 5: i * j % 2 + i * j % 3 == 0
                    case 6: (i * j % 2 + i * j % 3) % 2 == 0
                    default: ((i + j) % 2 + i * j % 3) % 2 == 0
                    }
                if invert { modules[i * size + j].toggle() }
            }
        }
    }

    /// The penalty score of §7.8.3.1, Table 11, over the whole symbol:
    /// N1 = 3 (+1 a module past five) for each run of five or more same-colour modules in a row or column;
    /// N2 = 3 for each 2 × 2 block of one colour; N3 = 40 for each 1:1:3:1:1 dark–light–dark–light–dark
    /// pattern with four light modules before or after it (the quiet zone counts as light); N4 = 10 for each
    /// full 5 % that the proportion of dark modules is away from 50 %.
    func penalty() -> Int {
        let rows = (0..<size).map { y in Array(modules[y * size..<(y + 1) * size]) }
        let columns = (0..<size).map { x in (0..<size).map { y in modules[y * size + x] } }
        let finderLike = [true, false, true, true, true, false, true]
        let light = [Bool](repeating: false, count: 4)
        var score = 0
        for line in rows + columns {
            var start = 0
            for end in 1...size where end == size || line[end] != line[start] {  // a run is line[start..<end]
                if end - start >= 5 { score += end - start - 2 }
                start = end
            }
            let padded = light + line + light  // the quiet zone is light
            for i in 4...size - 3 where padded[i..<i + 7].elementsEqual(finderLike) {
                if !padded[i - 4..<i].contains(true) { score += 40 }
                if !padded[i + 7..<i + 11].contains(true) { score += 40 }
            }
        }
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let colour = rows[y][x]
                if rows[y][x + 1] == colour && rows[y + 1][x] == colour && rows[y + 1][x + 1] == colour { score += 3 }
            }
        }
        let dark = modules.filter { $0 }.count
        let total = size * size
        return score + abs(dark * 20 - total * 10) / total * 10
    }
}
