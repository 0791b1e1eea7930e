/// A JSON parser for request bodies and token claims: UTF-8 bytes in, ``JSONValue`` out,
/// with Python's `json` error messages (DRF shows them: "JSON parse error - Expecting
/// value: line 1 column 1 (char 0)") and a nesting limit instead of a stack overflow.
///
/// Faster than `JSONDecoder` into an enum, which tries each type in turn for every value.
/// Time is linear in the input; `maxMembers` caps the object members and array elements
/// of the whole document (Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS`, applied to JSON).
struct JSONParser {
    struct Failure: Error, CustomStringConvertible {
        let message: String
        /// The document has more members than `maxMembers` allows.
        var isOverMemberLimit = false
        var description: String { message }
    }

    static let maximumDepth = 512

    private let bytes: [UInt8]
    private var index = 0
    /// Members and elements that may still be read; nil for no limit.
    private var membersLeft: Int?

    private init(_ bytes: [UInt8], maxMembers: Int?) {
        self.bytes = bytes
        self.membersLeft = maxMembers
    }

    static func parse(_ bytes: [UInt8], maxMembers: Int? = nil) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes, maxMembers: maxMembers)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            let position = Self.firstInvalidUTF8(bytes)
            throw Failure(
                message:
                    "'utf-8' codec can't decode byte 0x\(String(bytes[position], radix: 16)) in position \(position)")
        }
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        if parser.index < bytes.count { throw parser.failure("Extra data") }
        return value
    }

    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var low = 0
        var high = bytes.count
        while low < high {
            let mid = (low + high) / 2
            if String(validating: bytes[0..<mid], as: UTF8.self) != nil { low = mid + 1 } else { high = mid }
        }
        var position = max(0, low - 1)
        while position > 0 && bytes[position] & 0xC0 == 0x80 { position -= 1 }
        return position
    }

    /// Python's "message: line L column C (char N)", counted in characters.
    private func failure(_ message: String, at position: Int? = nil) -> Failure {
        let position = min(position ?? index, bytes.count)
        var line = 1
        var lineStart = 0
        var characters = 0
        var lineStartCharacters = 0
        for (offset, byte) in bytes[0..<position].enumerated() where byte & 0xC0 != 0x80 {
            characters += 1
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = offset + 1
                lineStartCharacters = characters
            }
        }
        _ = lineStart
        let column = characters - lineStartCharacters + 1
        return Failure(message: "\(message): line \(line) column \(column) (char \(characters))")
    }

    /// Counts one object member or array element against the document's limit.
    private mutating func countMember() throws(Failure) {
        guard let left = membersLeft else { return }
        guard left > 0 else {
            throw Failure(message: "Too many members (DATA_UPLOAD_MAX_NUMBER_FIELDS)", isOverMemberLimit: true)
        }
        membersLeft = left - 1
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard depth < Self.maximumDepth else { throw failure("Nesting too deep") }
        guard index < bytes.count else { throw failure("Expecting value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw failure("Out of range float values are not JSON compliant")
        default: throw failure("Expecting value")
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(Failure) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("Expecting value") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw failure("Expecting value")
        }
        index += count
        return value
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw failure("Expecting property name enclosed in double quotes")
            }
            try countMember()
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw failure("Expecting ':' delimiter")
            }
            index += 1
            skipWhitespace()
            object[key] = try value(depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw failure("Expecting ',' delimiter") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(object)
            }
            throw failure("Expecting ',' delimiter")
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        index += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            try countMember()
            values.append(try value(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw failure("Expecting ',' delimiter") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            }
            throw failure("Expecting ',' delimiter")
        }
    }

    private mutating func string() throws(Failure) -> String {
        let start = index
        index += 1
        // The decoded bytes, once an escape is seen (the input is valid UTF-8, checked
        // first). Appending to a String.UnicodeScalarView run by run was quadratic.
        var decoded: [UInt8] = []
        var runStart = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if runStart == start + 1 {
                    // No escapes: the common case, decoded in one go.
                    let text = String(decoding: bytes[runStart..<index], as: UTF8.self)
                    index += 1
                    return text
                }
                decoded.append(contentsOf: bytes[runStart..<index])
                index += 1
                return String(decoding: decoded, as: UTF8.self)
            }
            if byte < 0x20 { throw failure("Invalid control character at") }
            if byte == UInt8(ascii: "\\") {
                decoded.append(contentsOf: bytes[runStart..<index])
                let scalar = try escape()
                UTF8.encode(scalar) { decoded.append($0) }
                runStart = index
                continue
            }
            index += 1
        }
        throw failure("Unterminated string starting at", at: start)
    }

    private mutating func escape() throws(Failure) -> Unicode.Scalar {
        let start = index
        index += 1
        guard index < bytes.count else { throw failure("Unterminated string starting at", at: start) }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{8}"
        case UInt8(ascii: "f"): return "\u{C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try hex4(escapeStart: start)
            if (0xD800...0xDBFF).contains(high), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                bytes[index + 1] == UInt8(ascii: "u")
            {
                let save = index
                index += 2
                let low = try hex4(escapeStart: save)
                if (0xDC00...0xDFFF).contains(low) {
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
                }
                index = save
            }
            // A lone surrogate has no Swift representation: the replacement character.
            return Unicode.Scalar(high) ?? "\u{FFFD}"
        default:
            throw failure("Invalid \\escape", at: start)
        }
    }

    private mutating func hex4(escapeStart: Int) throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("Invalid \\uXXXX escape", at: escapeStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("Invalid \\uXXXX escape", at: escapeStart)
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func number() throws(Failure) -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            if index < bytes.count && bytes[index] == UInt8(ascii: "I") {
                throw failure("Out of range float values are not JSON compliant", at: start)
            }
            throw failure("Expecting value", at: start)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            let dot = index
            index += 1
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                index = dot
                return try integerOrDouble(start: start, isInteger: true)
            }
            isInteger = false
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            let mark = index
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            if index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                isInteger = false
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            } else {
                index = mark
            }
        }
        return try integerOrDouble(start: start, isInteger: isInteger)
    }

    private func integerOrDouble(start: Int, isInteger: Bool) throws(Failure) -> JSONValue {
        if isInteger {
            // Up to 18 digits cannot overflow: read them without making a String.
            let negative = bytes[start] == UInt8(ascii: "-")
            let digits = (negative ? start + 1 : start)..<index
            if digits.count <= 18 {
                var value = 0
                for offset in digits { value = value * 10 + Int(bytes[offset] &- UInt8(ascii: "0")) }
                return .int(negative ? -value : value)
            }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else {
            throw failure("Out of range float values are not JSON compliant", at: start)
        }
        return .double(double)
    }
}
