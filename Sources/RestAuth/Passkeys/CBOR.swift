import Foundation

/// A CBOR data item (RFC 8949) of the kinds WebAuthn uses: the attestation object, COSE keys,
/// extension outputs. Floats, tags and indefinite lengths have no place there and are refused.
public enum CBORValue: Sendable, Hashable {
    /// An integer of major type 0 or 1 that fits 64 signed bits (WebAuthn's labels, algorithms
    /// and counters all do; a larger one is refused rather than rounded).
    case int(Int64)
    case bytes([UInt8])
    case text(String)
    case array([CBORValue])
    /// Entries in the order they were written; keys are unique.
    case map([CBORMapEntry])
    case bool(Bool)
    case null
    case undefined

    /// The value under `key` of a map, if this is one.
    public subscript(_ key: CBORValue) -> CBORValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first(where: { $0.key == key })?.value
    }

    /// The value under an integer key (COSE labels).
    public subscript(_ key: Int64) -> CBORValue? { self[.int(key)] }

    /// The value under a text key (attestation objects, statements).
    public subscript(_ key: String) -> CBORValue? { self[.text(key)] }

    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    public var bytesValue: [UInt8]? {
        if case .bytes(let value) = self { return value }
        return nil
    }

    public var textValue: String? {
        if case .text(let value) = self { return value }
        return nil
    }
}

/// One key and value of a CBOR map.
public struct CBORMapEntry: Sendable, Hashable {
    public var key: CBORValue
    public var value: CBORValue

    public init(key: CBORValue, value: CBORValue) {
        self.key = key
        self.value = value
    }
}

/// Why bytes are not the CBOR WebAuthn allows.
public enum CBORError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ends inside an item.
    case truncated
    /// Bytes follow the item where none may.
    case trailingBytes
    /// Nesting deeper than ``CBORDecoder/maximumDepth``.
    case tooDeep
    /// A float, a tag, an indefinite length, a reserved additional-information value or an
    /// unassigned simple value.
    case unsupported(String)
    /// An integer outside 64 signed bits.
    case integerOutOfRange
    /// A text string that is not UTF-8.
    case invalidText
    /// A map that holds one key twice.
    case duplicateKey

    public var description: String {
        switch self {
        case .truncated: "CBOR item cut short"
        case .trailingBytes: "bytes after the CBOR item"
        case .tooDeep: "CBOR nested too deeply"
        case .unsupported(let what): "CBOR \(what) is not allowed here"
        case .integerOutOfRange: "CBOR integer out of range"
        case .invalidText: "CBOR text string is not UTF-8"
        case .duplicateKey: "CBOR map repeats a key"
        }
    }
}

/// A strict CBOR decoder for what WebAuthn uses (WebAuthn Level 3 §5.8.1 and CTAP2's subset):
/// definite lengths only, no tags, no floats, UTF-8 text, unique map keys, at most
/// ``maximumDepth`` levels, and every length checked against the bytes that remain before
/// anything is allocated. Non-shortest length encodings are read (as cbor2 and py_webauthn
/// read them); they change no value.
public enum CBORDecoder {
    /// Levels of arrays and maps within each other (an attestation object needs four).
    public static let maximumDepth = 16

    /// The one item that `bytes` holds, with nothing after it.
    public static func decode(_ bytes: [UInt8]) throws(CBORError) -> CBORValue {
        var reader = Reader(bytes: bytes[...])
        let value = try reader.item(depth: 0)
        guard reader.isAtEnd else { throw .trailingBytes }
        return value
    }

    /// The item at the start of `bytes` and how many bytes it took: for the credential public
    /// key inside authenticator data, which extension data may follow.
    public static func decodePrefix(_ bytes: ArraySlice<UInt8>) throws(CBORError) -> (CBORValue, Int) {
        var reader = Reader(bytes: bytes)
        let value = try reader.item(depth: 0)
        return (value, reader.position - bytes.startIndex)
    }

    struct Reader {
        let bytes: ArraySlice<UInt8>
        var position: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.position = bytes.startIndex
        }

        var isAtEnd: Bool { position == bytes.endIndex }
        var remaining: Int { bytes.endIndex - position }

        mutating func byte() throws(CBORError) -> UInt8 {
            guard position < bytes.endIndex else { throw .truncated }
            defer { position += 1 }
            return bytes[position]
        }

        /// The argument of an initial byte: its additional information, or the 1, 2, 4 or 8
        /// bytes after it.
        mutating func argument(_ info: UInt8) throws(CBORError) -> UInt64 {
            switch info {
            case 0..<24: return UInt64(info)
            case 24, 25, 26, 27:
                let count = 1 << Int(info - 24)
                guard remaining >= count else { throw .truncated }
                var value: UInt64 = 0
                for _ in 0..<count { value = value << 8 | UInt64(try byte()) }
                return value
            case 31: throw .unsupported("indefinite length")
            default: throw .unsupported("reserved additional information \(info)")
            }
        }

        /// A length no larger than the bytes that remain (each element takes one at least).
        mutating func length(_ info: UInt8) throws(CBORError) -> Int {
            let value = try argument(info)
            guard value <= UInt64(remaining) else { throw .truncated }
            return Int(value)
        }

        mutating func item(depth: Int) throws(CBORError) -> CBORValue {
            let initial = try byte()
            let major = initial >> 5
            let info = initial & 0x1f
            switch major {
            case 0:
                let value = try argument(info)
                guard value <= UInt64(Int64.max) else { throw .integerOutOfRange }
                return .int(Int64(value))
            case 1:
                let value = try argument(info)
                guard value <= UInt64(Int64.max) else { throw .integerOutOfRange }
                return .int(-1 - Int64(value))
            case 2:
                let count = try length(info)
                defer { position += count }
                return .bytes(Array(bytes[position..<position + count]))
            case 3:
                let count = try length(info)
                defer { position += count }
                guard let text = String(validating: bytes[position..<position + count], as: UTF8.self) else {
                    throw .invalidText
                }
                return .text(text)
            case 4:
                guard depth < CBORDecoder.maximumDepth else { throw .tooDeep }
                let count = try length(info)
                var items: [CBORValue] = []
                items.reserveCapacity(count)
                for _ in 0..<count { items.append(try item(depth: depth + 1)) }
                return .array(items)
            case 5:
                guard depth < CBORDecoder.maximumDepth else { throw .tooDeep }
                let count = try length(info)
                // Each entry takes two bytes at least.
                guard count <= remaining / 2 else { throw .truncated }
                var entries: [CBORMapEntry] = []
                entries.reserveCapacity(count)
                var keys: Set<CBORValue> = []
                for _ in 0..<count {
                    let key = try item(depth: depth + 1)
                    guard keys.insert(key).inserted else { throw .duplicateKey }
                    entries.append(CBORMapEntry(key: key, value: try item(depth: depth + 1)))
                }
                return .map(entries)
            case 6:
                throw .unsupported("tag")
            default:
                switch info {
                case 20: return .bool(false)
                case 21: return .bool(true)
                case 22: return .null
                case 23: return .undefined
                case 25, 26, 27: throw .unsupported("float")
                case 31: throw .unsupported("break")
                default: throw .unsupported("simple value")
                }
            }
        }
    }
}

/// Writes CBOR in the shortest form (CTAP2's canonical encoding but for map order, which is
/// kept as given): the package's tests and tools build attestation objects and COSE keys with it.
public enum CBOREncoder {
    public static func encode(_ value: CBORValue) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out)
        return out
    }

    static func head(_ major: UInt8, _ argument: UInt64, into out: inout [UInt8]) {
        let type = major << 5
        switch argument {
        case 0..<24: out.append(type | UInt8(argument))
        case 24...0xff: out += [type | 24, UInt8(argument)]
        case 0x100...0xffff: out += [type | 25, UInt8(argument >> 8), UInt8(argument & 0xff)]
        case 0x1_0000...0xffff_ffff:
            out.append(type | 26)
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8((argument >> UInt64(shift)) & 0xff)) }
        default:
            out.append(type | 27)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((argument >> UInt64(shift)) & 0xff)) }
        }
    }

    static func write(_ value: CBORValue, into out: inout [UInt8]) {
        switch value {
        case .int(let number):
            if number >= 0 {
                head(0, UInt64(number), into: &out)
            } else {
                head(1, UInt64(-(number + 1)), into: &out)
            }
        case .bytes(let bytes):
            head(2, UInt64(bytes.count), into: &out)
            out += bytes
        case .text(let text):
            head(3, UInt64(text.utf8.count), into: &out)
            out += text.utf8
        case .array(let items):
            head(4, UInt64(items.count), into: &out)
            for item in items { write(item, into: &out) }
        case .map(let entries):
            head(5, UInt64(entries.count), into: &out)
            for entry in entries {
                write(entry.key, into: &out)
                write(entry.value, into: &out)
            }
        case .bool(let flag): out.append(flag ? 0xf5 : 0xf4)
        case .null: out.append(0xf6)
        case .undefined: out.append(0xf7)
        }
    }
}
