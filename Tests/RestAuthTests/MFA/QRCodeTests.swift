import Foundation
import Testing

@testable import RestAuth
@testable import RestAuthQRCode

/// The QR encoder against ISO/IEC 18004:2015's tables and worked example, then against a real decoder.
@Suite("QR code")
struct QRCodeTests {
    static let otpauth =
        "otpauth://totp/Example:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example"
    /// 298 bytes: version 13 at M, past version 7, where the version information appears.
    static let longOtpauth =
        "otpauth://totp/Example%20Corporation:alice.longname%40example.com?secret="
        + String(repeating: "JBSWY3DPEHPK3PXP", count: 6)
        + "&issuer=Example%20Corporation&algorithm=SHA512&digits=8&period=30"
        + "&image=https%3A%2F%2Fexample.com%2Fstatic%2Fbrand%2Flogo-512.png"

    @Test("The smallest version that holds the bytes, by the byte capacities of Table 7")
    func versionSelection() throws {
        let uri = "otpauth://totp/A:b?secret=JBSW"  // 30 bytes: over 2-M's 26, within 3-M's 42
        #expect(uri.utf8.count == 30)
        let qr = try QRCode(uri)
        #expect(qr.version == 3 && qr.size == 29 && qr.modules.count == 29 * 29 && qr.errorCorrection == .medium)

        // Table 7, byte mode, versions 1, 2, 3, 7, 10 and 40.
        let capacities: [(QRCode.ErrorCorrection, [Int])] = [
            (.low, [17, 32, 53, 154, 271, 2953]), (.medium, [14, 26, 42, 122, 213, 2331]),
            (.quartile, [11, 20, 32, 86, 151, 1663]), (.high, [7, 14, 24, 64, 119, 1273]),
        ]
        for (level, row) in capacities {
            for (version, capacity) in zip([1, 2, 3, 7, 10, 40], row) {
                #expect(QRCode.byteCapacity(version: version, level: level) == capacity, "\(version)-\(level)")
                guard version < 40 else { continue }  // 40 is the tooLong test's
                let full = try QRCode(String(repeating: "a", count: capacity), errorCorrection: level)
                #expect(full.version == version && full.size == 17 + 4 * version, "\(capacity) bytes at \(level)")
                let over = try QRCode(String(repeating: "a", count: capacity + 1), errorCorrection: level)
                #expect(over.version == version + 1, "\(capacity + 1) bytes at \(level)")
            }
        }
        #expect(try QRCode("").version == 1)
        #expect(QRCode.totalCodewords(version: 1) == 26 && QRCode.totalCodewords(version: 40) == 3706)
    }

    @Test("Finder patterns and separators in three corners, timing patterns, alignment patterns, the dark module")
    func functionPatterns() throws {
        for (text, level) in [("a", QRCode.ErrorCorrection.low), (Self.otpauth, .medium), (Self.longOtpauth, .high)] {
            let qr = try QRCode(text, errorCorrection: level)
            let n = qr.size
            var wrong: [String] = []
            // 7 × 7 finder: 3 × 3 dark centre, a light ring, a dark ring; then the light separator.
            for (cx, cy) in [(3, 3), (n - 4, 3), (3, n - 4)] {
                for y in cy - 4...cy + 4 where (0..<n).contains(y) {
                    for x in cx - 4...cx + 4 where (0..<n).contains(x) {
                        let ring = max(abs(x - cx), abs(y - cy))
                        if qr.isDark(x: x, y: y) != (ring != 2 && ring != 4) { wrong.append("finder (\(x), \(y))") }
                    }
                }
            }
            // Timing patterns between the separators, alternating and dark on even coordinates.
            for i in 8..<n - 8 {
                if qr.isDark(x: i, y: 6) != (i % 2 == 0) { wrong.append("horizontal timing \(i)") }
                if qr.isDark(x: 6, y: i) != (i % 2 == 0) { wrong.append("vertical timing \(i)") }
            }
            // From version 2 there is always an alignment pattern centred at (n - 7, n - 7) (Annex E).
            if qr.version >= 2 {
                for y in n - 9...n - 5 {
                    for x in n - 9...n - 5 where qr.isDark(x: x, y: y) != (max(abs(x - n + 7), abs(y - n + 7)) != 1) {
                        wrong.append("alignment (\(x), \(y))")
                    }
                }
            }
            #expect(wrong.isEmpty, "version \(qr.version): \(wrong)")
            #expect(qr.isDark(x: 8, y: n - 8), "the dark module at (8, 4V + 9)")
            #expect(!qr.isDark(x: -1, y: 0) && !qr.isDark(x: 0, y: n) && !qr.isDark(x: n, y: n), "quiet zone")
        }
        // Version 7's alignment centres are 6, 22 and 38 (Table E.1): one sits on the vertical timing pattern.
        let seven = try QRCode(String(repeating: "a", count: 154), errorCorrection: .low)
        #expect(seven.version == 7)
        for (x, y) in [(22, 22), (6, 22), (22, 6), (38, 22), (22, 38)] {
            #expect(seven.isDark(x: x, y: y) && !seven.isDark(x: x + 1, y: y) && seven.isDark(x: x + 2, y: y + 2))
        }
    }

    @Test("Format information: the BCH codes of Annex C, both copies, for the mask in use")
    func formatInformation() throws {
        // Table C.1: the 15 bits after masking with 101010000010010, for mask references 0 to 7.
        let table: [(QRCode.ErrorCorrection, [Int])] = [
            (.low, [0x77C4, 0x72F3, 0x7DAA, 0x789D, 0x662F, 0x6318, 0x6C41, 0x6976]),
            (.medium, [0x5412, 0x5125, 0x5E7C, 0x5B4B, 0x45F9, 0x40CE, 0x4F97, 0x4AA0]),
            (.quartile, [0x355F, 0x3068, 0x3F31, 0x3A06, 0x24B4, 0x2183, 0x2EDA, 0x2BED]),
            (.high, [0x1689, 0x13BE, 0x1CE7, 0x19D0, 0x0762, 0x0255, 0x0D0C, 0x083B]),
        ]
        for (level, row) in table {
            for mask in 0..<8 {
                #expect(QRCode.formatBits(level, mask: mask) == row[mask], "\(level) mask \(mask)")
                let qr = try QRCode(bytes: Array(Self.otpauth.utf8), errorCorrection: level, mask: mask)
                #expect(qr.mask == mask)
                #expect(Self.formatCopies(qr) == [row[mask], row[mask]], "\(level) mask \(mask)")
            }
            let chosen = try QRCode(Self.otpauth, errorCorrection: level)
            #expect(Self.formatCopies(chosen) == [row[chosen.mask], row[chosen.mask]])
        }
    }

    @Test("Version information: the BCH codes of Annex D, in both 6 × 3 blocks from version 7")
    func versionInformation() throws {
        // Table D.1.
        for (version, bits) in [(7, 0x07C94), (8, 0x085BC), (9, 0x09A99), (10, 0x0A4D3), (21, 0x15683), (40, 0x28C69)] {
            #expect(QRCode.versionBits(version) == bits, "version \(version)")
        }
        let qr = try QRCode(Self.longOtpauth)
        #expect(qr.version == 13 && Self.longOtpauth.utf8.count == 298)
        var upperRight = 0
        var lowerLeft = 0
        for i in 0..<18 {
            if qr.isDark(x: qr.size - 11 + i % 3, y: i / 3) { upperRight |= 1 << i }
            if qr.isDark(x: i / 3, y: qr.size - 11 + i % 3) { lowerLeft |= 1 << i }
        }
        #expect(upperRight == QRCode.versionBits(13) && lowerLeft == QRCode.versionBits(13))
    }

    @Test("Reed–Solomon codewords of the standard's worked example and of a well-known byte-mode vector")
    func reedSolomon() {
        // Annex I: "01234567" as a 1-M symbol, numeric mode; 16 data codewords, 10 error correction codewords.
        let data: [UInt8] = [
            0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11,
        ]
        #expect(QRCode.reedSolomon(data, eccCount: 10) == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
        // "HELLO WORLD" as 1-M in alphanumeric mode, the example of most QR tutorials.
        let hello: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        #expect(QRCode.reedSolomon(hello, eccCount: 10) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
        // Byte mode takes the UTF-8 bytes: 0100, count 00000010, C3 A9, terminator 0000, then pad codewords.
        #expect(
            QRCode.dataCodewords(Array("é".utf8), version: 1, level: .medium)
                == [0x40, 0x2C, 0x3A, 0x90] + Array(repeating: [0xEC, 0x11], count: 6).flatMap { $0 })
    }

    @Test("The mask in use is the one with the lowest Table 11 penalty, recomputed here rule by rule")
    func maskSelection() throws {
        let levels: [QRCode.ErrorCorrection] = [.low, .medium, .quartile, .high]
        var inputs = [(Self.longOtpauth, QRCode.ErrorCorrection.low)]
        inputs += (1...24).map { (String(Self.otpauth.prefix($0 * 4)), levels[$0 % 4]) }  // versions 1 to 5
        for (text, level) in inputs {
            let scores = try (0..<8).map {
                Self.penalty(try QRCode(bytes: Array(text.utf8), errorCorrection: level, mask: $0))
            }
            let chosen = try QRCode(text, errorCorrection: level)
            #expect(chosen.mask == scores.firstIndex(of: scores.min()!), "\(level): \(scores)")
        }
    }

    @Test("Too much data for version 40 throws tooLong")
    func tooLong() throws {
        let limits: [(QRCode.ErrorCorrection, Int)] = [(.low, 2953), (.medium, 2331), (.quartile, 1663), (.high, 1273)]
        for (level, limit) in limits {
            let over = String(repeating: "a", count: limit + 1)
            #expect(throws: QRCode.Error.tooLong, "\(level)") { try QRCode(over, errorCorrection: level) }
        }
        #expect(throws: QRCode.Error.tooLong) { try QRCode(String(repeating: "é", count: 637), errorCorrection: .high) }
        #expect(try QRCode(String(repeating: "a", count: 1273), errorCorrection: .high).version == 40)
    }

    @Test("The SVG: viewBox in modules with the quiet zone, one path whose runs are exactly the dark modules")
    func svg() throws {
        let qr = try QRCode(Self.otpauth)
        let svg = qr.svg(moduleSize: 5, border: 4)
        let side = qr.size + 8
        #expect(svg.contains(#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(side) \#(side)""#))
        #expect(svg.contains(#"width="\#(side * 5)" height="\#(side * 5)" shape-rendering="crispEdges""#))
        #expect(svg.contains(##"<rect width="\##(side)" height="\##(side)" fill="#fff"/>"##))
        #expect(svg.components(separatedBy: "<path").count == 2)

        let path = try #require(svg.split(separator: #"d=""#).last?.split(separator: "\"").first)
        var drawn = Array(repeating: false, count: qr.size * qr.size)
        for run in path.split(separator: "M") {  // "x,yh{n}v1h-{n}z"
            let numbers = run.split(whereSeparator: { ",hvz-".contains($0) }).compactMap { Int($0) }
            try #require(numbers.count == 5 && numbers[3] == 1 && numbers[2] == numbers[4], "\(run)")
            for x in numbers[0]..<numbers[0] + numbers[2] { drawn[(numbers[1] - 4) * qr.size + x - 4] = true }
        }
        #expect(drawn == qr.modules)

        let uri = qr.svgDataURI(moduleSize: 5)
        #expect(uri.hasPrefix("data:image/svg+xml;base64,"))
        let decoded = try #require(Data(base64Encoded: String(uri.dropFirst("data:image/svg+xml;base64,".count))))
        #expect(String(decoding: decoded, as: UTF8.self) == svg)
    }

    @Test("zbarimg reads back exactly the text from the SVG rasterised by rsvg-convert")
    func decodesWithZbar() throws {
        guard let zbarimg = Self.executable("zbarimg"), let rsvgConvert = Self.executable("rsvg-convert") else {
            // Without the tools (apt-get install zbar-tools librsvg2-bin) this check is skipped on a developer's
            // machine, but it must not be skipped silently in CI.
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("zbarimg and rsvg-convert are required in CI")
            }
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // ASCII only: zbar guesses the character set of byte-mode text, and may take UTF-8 for Shift JIS.
        let inputs: [(String, QRCode.ErrorCorrection)] = [
            ("1", .low), ("https://example.com/", .high), (Self.otpauth, .low), (Self.otpauth, .medium),
            (Self.otpauth, .quartile), (Self.otpauth, .high), (Self.longOtpauth, .medium),
            (Self.longOtpauth, .high), (String(repeating: "0123456789abcdef", count: 40), .quartile),
        ]
        var symbols = try inputs.map { ($0.0, try QRCode($0.0, errorCorrection: $0.1)) }
        symbols += try (0..<8).map {  // every data mask, whichever the penalty score would pick
            (Self.otpauth, try QRCode(bytes: Array(Self.otpauth.utf8), errorCorrection: .medium, mask: $0))
        }
        #expect(symbols.contains { $0.1.version >= 7 } && Set(symbols.map(\.1.mask)).count == 8)

        for (index, (text, qr)) in symbols.enumerated() {
            let svg = directory.appendingPathComponent("\(index).svg")
            let png = directory.appendingPathComponent("\(index).png")
            try qr.svg(moduleSize: 4).write(to: svg, atomically: true, encoding: .utf8)
            _ = try Self.run(rsvgConvert, ["--output", png.path, svg.path])
            // QR only: with every symbology on, zbar also reports 1-D barcodes it "finds" inside dense symbols.
            let decoded = try Self.run(zbarimg, ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", png.path])
            #expect(decoded == text + "\n", "version \(qr.version), \(qr.errorCorrection), mask \(qr.mask)")
        }
    }

    // MARK: - Helpers

    /// The two copies of the format information, bit 0 first, read where §7.9 places them.
    static func formatCopies(_ qr: QRCode) -> [Int] {
        let n = qr.size
        let first: [(Int, Int)] = (0..<6).map { (8, $0) } + [(8, 7), (8, 8), (7, 8)] + (9..<15).map { (14 - $0, 8) }
        let second: [(Int, Int)] = (0..<8).map { (n - 1 - $0, 8) } + (8..<15).map { (8, n - 15 + $0) }
        return [first, second].map { copy in
            copy.enumerated().reduce(0) { bits, module in
                bits | (qr.isDark(x: module.element.0, y: module.element.1) ? 1 << module.offset : 0)
            }
        }
    }

    /// §7.8.3.1, Table 11, written apart from the encoder's: N1 = 3 + (length − 5) per run of five or more, in rows
    /// and columns; N2 = 3 per 2 × 2 block of one colour; N3 = 40 per 1011101 with 0000 before it and 40 per 1011101
    /// with 0000 after it, the quiet zone being light; N4 = 10 per whole 5 % of dark modules away from 50 %.
    static func penalty(_ qr: QRCode) -> Int {
        let n = qr.size
        let rows = (0..<n).map { y in (0..<n).map { x in qr.isDark(x: x, y: y) } }
        let columns = (0..<n).map { x in (0..<n).map { y in qr.isDark(x: x, y: y) } }
        var score = 0
        for line in rows + columns {
            var runs: [Int] = []
            for (i, dark) in line.enumerated() {
                if i > 0 && dark == line[i - 1] { runs[runs.count - 1] += 1 } else { runs.append(1) }
            }
            score += runs.filter { $0 >= 5 }.map { 3 + $0 - 5 }.reduce(0, +)
            let text = "0000" + String(line.map { $0 ? "1" : "0" }) + "0000"
            score += 40 * (text.components(separatedBy: "00001011101").count - 1)
            score += 40 * (text.components(separatedBy: "10111010000").count - 1)
        }
        for y in 0..<n - 1 {
            for x in 0..<n - 1 where Set([rows[y][x], rows[y][x + 1], rows[y + 1][x], rows[y + 1][x + 1]]).count == 1 {
                score += 3
            }
        }
        let percent = Double(qr.modules.filter { $0 }.count) * 100 / Double(n * n)
        return score + Int(abs(percent - 50) / 5) * 10
    }

    /// An executable on the `PATH`, or in the usual places when the test runner's `PATH` is bare.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        var directories = path.split(separator: ":").map(String.init)
        directories += ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a tool to completion and returns its standard output; standard error is discarded.
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
