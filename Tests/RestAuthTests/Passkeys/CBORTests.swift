import Foundation
import RestAuth
import Testing

@Suite("CBOR: the strict decoder WebAuthn needs")
struct CBORTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    /// RFC 8949 Appendix A, the examples of the kinds WebAuthn uses.
    static let vectors: [(String, CBORValue)] = [
        ("00", .int(0)), ("01", .int(1)), ("0a", .int(10)), ("17", .int(23)), ("1818", .int(24)),
        ("1819", .int(25)), ("1864", .int(100)), ("1903e8", .int(1000)), ("1a000f4240", .int(1_000_000)),
        ("1b000000e8d4a51000", .int(1_000_000_000_000)), ("1b7fffffffffffffff", .int(Int64.max)),
        ("20", .int(-1)), ("29", .int(-10)), ("3863", .int(-100)), ("3903e7", .int(-1000)),
        ("3b7fffffffffffffff", .int(Int64.min)),
        ("f4", .bool(false)), ("f5", .bool(true)), ("f6", .null), ("f7", .undefined),
        ("40", .bytes([])), ("4401020304", .bytes([1, 2, 3, 4])), ("60", .text("")), ("6161", .text("a")),
        ("6449455446", .text("IETF")), ("62225c", .text("\"\\")), ("62c3bc", .text("ü")), ("63e6b0b4", .text("水")),
        ("64f0908591", .text("\u{10151}")), ("80", .array([])), ("83010203", .array([.int(1), .int(2), .int(3)])),
        (
            "8301820203820405",
            .array([.int(1), .array([.int(2), .int(3)]), .array([.int(4), .int(5)])])
        ),
        ("a0", .map([])),
        (
            "a201020304",
            .map([CBORMapEntry(key: .int(1), value: .int(2)), CBORMapEntry(key: .int(3), value: .int(4))])
        ),
        (
            "a26161016162820203",
            .map([
                CBORMapEntry(key: .text("a"), value: .int(1)),
                CBORMapEntry(key: .text("b"), value: .array([.int(2), .int(3)])),
            ])
        ),
        // A longer length than needed changes no value.
        ("1800", .int(0)), ("5800", .bytes([])),
    ]

    @Test("RFC 8949's examples", arguments: vectors.indices)
    func examples(index: Int) throws {
        let (hex, value) = Self.vectors[index]
        #expect(try CBORDecoder.decode(Self.bytes(hex)) == value, "\(hex)")
    }

    @Test("Refused: floats, tags, indefinite lengths, big integers, bad text, repeated keys, short and long input")
    func refused() {
        let cases: [(String, CBORError)] = [
            ("f90000", .unsupported("float")), ("fa47c35000", .unsupported("float")),
            ("fb3ff199999999999a", .unsupported("float")),
            ("c074323031332d30332d32315432303a30343a30305a", .unsupported("tag")),
            ("5f42010243030405ff", .unsupported("indefinite length")), ("9fff", .unsupported("indefinite length")),
            ("ff", .unsupported("break")), ("f0", .unsupported("simple value")), ("f820", .unsupported("simple value")),
            ("1c", .unsupported("reserved additional information 28")),
            ("1bffffffffffffffff", .integerOutOfRange), ("3bffffffffffffffff", .integerOutOfRange),
            ("3b8000000000000000", .integerOutOfRange), ("62c328", .invalidText),
            ("a2010201 03".replacingOccurrences(of: " ", with: ""), .duplicateKey),
            ("a2616101616102", .duplicateKey), ("", .truncated), ("1a00", .truncated), ("4401", .truncated),
            ("5bffffffffffffffff", .truncated), ("9bffffffffffffffff", .truncated),
            ("bb7fffffffffffffff00", .truncated),
            ("8301", .truncated), ("0000", .trailingBytes), ("80ff", .trailingBytes),
        ]
        for (hex, error) in cases {
            #expect(throws: error, "\(hex)") { try CBORDecoder.decode(Self.bytes(hex)) }
        }
    }

    @Test("Nesting stops at 16 levels, whatever the input's size")
    func depth() throws {
        let fine = [UInt8](repeating: 0x81, count: 16) + [0x00]
        #expect(throws: Never.self) { try CBORDecoder.decode(fine) }
        let deep = [UInt8](repeating: 0x81, count: 17) + [0x00]
        #expect(throws: CBORError.tooDeep) { try CBORDecoder.decode(deep) }
        let maps: [UInt8] = [UInt8](repeating: 0xa1, count: 100_000).flatMap { [$0, UInt8(0)] } + [0x00]
        #expect(throws: CBORError.tooDeep) { try CBORDecoder.decode(maps) }
    }

    @Test("A COSE key read from the front of the bytes that follow it in authenticator data")
    func prefix() throws {
        // {1: 2, 3: -7, -1: 1, -2: h'..32..', -3: h'..32..'} (an EC2 P-256 key), then an extension map.
        let x = [UInt8](repeating: 0x11, count: 32)
        let y = [UInt8](repeating: 0x22, count: 32)
        let key: [UInt8] = [0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20] + x + [0x22, 0x58, 0x20] + y
        let extensions = Self.bytes("a16b6372656450726f7465637402")
        let all = [0xff, 0xee] + key + extensions
        let (value, used) = try CBORDecoder.decodePrefix(all[2...])
        #expect(used == key.count)
        #expect(value[1]?.intValue == 2 && value[3]?.intValue == -7 && value[-1]?.intValue == 1)
        #expect(value[-2]?.bytesValue == x && value[-3]?.bytesValue == y)
        #expect(try CBORDecoder.decode(extensions)["credProtect"]?.intValue == 2)
    }
}

extension CBORTests {
    @Test("The encoder writes the shortest form, which the decoder reads back")
    func encoder() throws {
        for (hex, value) in Self.vectors where hex != "1800" && hex != "5800" {
            #expect(CBOREncoder.encode(value) == Self.bytes(hex), "\(hex)")
        }
        #expect(CBOREncoder.encode(.int(0)) == [0x00])
        #expect(CBOREncoder.encode(.bytes([])) == [0x40])
        for value in Self.vectors.map(\.1) + [.int(Int64.min), .int(65_536), .int(-4_294_967_297)] {
            #expect(try CBORDecoder.decode(CBOREncoder.encode(value)) == value)
        }
    }
}
