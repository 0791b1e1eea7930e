/// Field errors in DRF's shape: `{"field": ["message", ...], "non_field_errors": [...]}`.
///
/// Fields keep the order in which errors were added, which is the order the serializer
/// declares its fields, as DRF renders them.
public struct ValidationErrors: Sendable, Equatable, Error {
    /// The key DRF uses for errors that belong to no single field.
    public static let nonFieldErrorsKey = "non_field_errors"

    public private(set) var fields: [(field: String, messages: [String])] = []
    /// Errors of nested serializers, rendered as DRF renders them: an object under the
    /// field's name (`{"profile": {"company_name": ["..."]}}`).
    public private(set) var nested: [(field: String, errors: ValidationErrors)] = []

    public init() {}

    public init(_ field: String, _ message: String) {
        add(field, message)
    }

    /// An error that belongs to no single field.
    public static func nonField(_ message: String) -> ValidationErrors {
        ValidationErrors(nonFieldErrorsKey, message)
    }

    // (`add(_:nested:)` keeps no empty entry.)
    public var isEmpty: Bool { fields.isEmpty && nested.isEmpty }

    public func messages(for field: String) -> [String] {
        fields.first(where: { $0.field == field })?.messages ?? []
    }

    public func contains(_ field: String) -> Bool {
        fields.contains(where: { $0.field == field })
    }

    public mutating func add(_ field: String, _ message: String) {
        add(field, [message])
    }

    public mutating func add(_ field: String, _ messages: [String]) {
        guard !messages.isEmpty else { return }
        if let index = fields.firstIndex(where: { $0.field == field }) {
            fields[index].messages.append(contentsOf: messages)
        } else {
            fields.append((field, messages))
        }
    }

    /// A nested serializer's errors under `field`; nothing when there are none.
    public mutating func add(_ field: String, nested errors: ValidationErrors) {
        guard !errors.isEmpty else { return }
        if let index = nested.firstIndex(where: { $0.field == field }) {
            nested[index].errors.merge(errors)
        } else {
            nested.append((field, errors))
        }
    }

    public mutating func merge(_ other: ValidationErrors) {
        for (field, messages) in other.fields { add(field, messages) }
        for (field, errors) in other.nested { add(field, nested: errors) }
    }

    /// Throws `self` when any error was recorded.
    public func throwIfAny() throws {
        if !isEmpty { throw self }
    }

    var json: JSONValue {
        var object = JSONObject()
        for (field, messages) in fields { object[field] = .array(messages.map(JSONValue.string)) }
        for (field, errors) in nested where object[field] == nil { object[field] = errors.json }
        return .object(object)
    }

    public static func == (lhs: ValidationErrors, rhs: ValidationErrors) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.field == $1.field && $0.messages == $1.messages }
            && lhs.nested.count == rhs.nested.count
            && zip(lhs.nested, rhs.nested).allSatisfy { $0.field == $1.field && $0.errors == $1.errors }
    }
}
