import Foundation
import RestAuth

/// A Django `JSONField` column: `jsonb` on PostgreSQL, JSON text on SQLite. SQLite hands
/// the text back as a string, which is parsed again here.
struct StoredJSON: Codable, Sendable, Equatable {
    var value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    init(from decoder: any Decoder) throws {
        let decoded = try JSONValue(from: decoder)
        if case .string(let text) = decoded, let parsed = try? JSONValue.parse(Array(text.utf8)) {
            switch parsed {
            case .object, .array:
                value = parsed
                return
            default:
                break
            }
        }
        value = decoded
    }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}
