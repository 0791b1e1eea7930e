import Foundation

/// A user's primary key, whatever its type: Django's integers, a UUID, or text. The
/// package's own tables store it in `user_id`, typed as the user table's key.
public enum UserKey: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int)
    case uuid(UUID)
    case string(String)

    /// The key as Django writes it in sessions and tokens: `7`, or a UUID in lower case
    /// with dashes.
    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .uuid(let value): value.uuidString.lowercased()
        case .string(let value): value
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(UUID.self) {
            self = .uuid(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .uuid(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    /// The bound value for SQL.
    var bindable: any Encodable & Sendable {
        switch self {
        case .int(let value): value
        case .uuid(let value): value
        case .string(let value): value
        }
    }
}

/// The type of a user table's primary key.
public enum UserKeyType: Sendable {
    case int
    case uuid
    case string

    /// Parses a key as sessions, tokens and links carry it.
    public func parse(_ text: String) -> UserKey? {
        switch self {
        case .int: Int(text).map(UserKey.int)
        case .uuid: UUID(uuidString: text).map(UserKey.uuid) ?? UUIDHex.parse(text).map(UserKey.uuid)
        case .string: text.isEmpty ? nil : .string(text)
        }
    }
}

/// allauth writes a UUID key in links as 32 hex digits.
enum UUIDHex {
    static func string(_ uuid: UUID) -> String {
        uuid.uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    static func parse(_ text: String) -> UUID? {
        guard text.count == 32, text.allSatisfy(\.isHexDigit) else { return nil }
        let chars = Array(text)
        let dashed =
            String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-" + String(chars[12..<16]) + "-"
            + String(chars[16..<20]) + "-" + String(chars[20..<32])
        return UUID(uuidString: dashed)
    }
}
