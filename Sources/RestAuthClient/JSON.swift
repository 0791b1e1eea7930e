import Foundation

/// Any JSON value: the escape hatch for fields this package does not type, such as the
/// extra fields of an app's own user serializer, and the body of an error it cannot read.
///
/// ```swift
/// let user = try await client.user()
/// if case .string(let team)? = user.fields["team"] { print(team) }
/// ```
public enum JSON: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    /// Encodes the value as JSON.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers are written without a fraction: a primary key stays `7`, not `7.0`.
            if value.rounded() == value, abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Reads any JSON document; `nil` when `data` is not JSON, or nests arrays and objects
    /// more than ``maximumDepth`` deep.
    public init?(data: Data) {
        guard Self.nesting(of: data) <= Self.maximumDepth,
            let parsed = try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed),
            let value = JSON(parsed: parsed)
        else { return nil }
        self = value
    }

    /// How deep ``init(data:)`` reads arrays and objects within arrays and objects. DRF's
    /// errors and dj-rest-auth's answers nest a few levels; a server's answer nested
    /// hundreds deep would take seconds and more than the 512 KB of stack of a Swift
    /// concurrency thread on Apple platforms to decode.
    public static let maximumDepth = 64

    /// The deepest nesting of arrays and objects in `data`, outside strings; counting stops
    /// past ``maximumDepth``.
    static func nesting(of data: Data) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                depth += 1
                deepest = max(deepest, depth)
                if deepest > maximumDepth { break }
            } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                depth -= 1
            }
        }
        return deepest
    }

    /// What JSONSerialization read: strings, numbers (booleans are numbers of type `c`),
    /// arrays, objects and null.
    private init?(parsed: Any) {
        // Containers first: on Linux, asking whether a dictionary is a string or NSNull
        // bridges it to NSDictionary, with all it holds.
        switch parsed {
        case let object as [String: Any]:
            var members: [String: JSON] = [:]
            members.reserveCapacity(object.count)
            for (key, item) in object {
                guard let value = JSON(parsed: item) else { return nil }
                members[key] = value
            }
            self = .object(members)
        case let array as [Any]:
            var items: [JSON] = []
            items.reserveCapacity(array.count)
            for item in array {
                guard let value = JSON(parsed: item) else { return nil }
                items.append(value)
            }
            self = .array(items)
        case let string as String: self = .string(string)
        case let number as NSNumber:
            self = String(cString: number.objCType) == "c" ? .bool(number.boolValue) : .number(number.doubleValue)
        case is NSNull: self = .null
        default: return nil
        }
    }

    /// The value as compact JSON text.
    public var description: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
    }

    /// The member `key` of an object; `nil` for other values.
    public subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The text of a string; `nil` for other values.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value of a boolean; `nil` for other values.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The value of a number, or of a string holding an integer; `nil` for other values.
    public var intValue: Int? {
        switch self {
        case .number(let value): return value.rounded() == value && abs(value) < 9e15 ? Int(value) : nil
        case .string(let text): return Int(text)
        default: return nil
        }
    }

    /// The members of an object; `nil` for other values.
    public var objectValue: [String: JSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements of an array; `nil` for other values.
    public var arrayValue: [JSON]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Converts a value of an app's own type (any `Encodable`) to JSON.
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONDecoder().decode(JSON.self, from: data)
    }

    /// Decodes this value as an app's own type.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(self))
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// A number.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// An object.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
    /// An array.
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// `null`.
    public init(nilLiteral: ()) { self = .null }
}
