import Foundation

/// A string field of a request body, validated as DRF's `CharField` (and `EmailField`) does.
///
/// The specification is a value, so the same description serves validation and, later,
/// documentation of the request bodies.
public struct CharField: Sendable {
    public enum Format: Sendable { case plain, email }

    public var name: String
    public var required: Bool
    public var allowBlank: Bool
    public var allowNull: Bool
    public var trimWhitespace: Bool
    public var maxLength: Int?
    public var minLength: Int?
    public var format: Format

    public init(
        _ name: String, required: Bool = true, allowBlank: Bool = false, allowNull: Bool = false,
        trimWhitespace: Bool = true, maxLength: Int? = nil, minLength: Int? = nil, format: Format = .plain
    ) {
        self.name = name
        self.required = required
        self.allowBlank = allowBlank
        self.allowNull = allowNull
        self.trimWhitespace = trimWhitespace
        self.maxLength = maxLength
        self.minLength = minLength
        self.format = format
    }

    /// DRF's `EmailField`.
    public static func email(_ name: String, required: Bool = true, allowBlank: Bool = false) -> CharField {
        CharField(name, required: required, allowBlank: allowBlank, format: .email)
    }

    public enum Outcome: Sendable, Equatable {
        /// The field was not sent (and may be left out).
        case absent
        /// The field was sent as JSON null and null is allowed.
        case null
        case value(String)
        /// The field was invalid; its messages were recorded.
        case invalid
    }

    /// Reads and validates the field; records DRF's messages in `errors`.
    /// With `partial` (PATCH), a missing required field is not an error.
    public func read(from data: JSONObject, into errors: inout ValidationErrors, partial: Bool = false) -> Outcome {
        guard let raw = data[name] else {
            if required && !partial {
                errors.add(name, RestAuthMessages.Fields.required.text)
                return .invalid
            }
            return .absent
        }
        let text: String
        switch raw {
        case .null:
            if allowNull { return .null }
            errors.add(name, RestAuthMessages.Fields.null.text)
            return .invalid
        case .string(let value): text = value
        case .int(let value): text = String(value)
        case .double(let value): text = Self.pythonString(value)
        case .bool, .array, .object:
            // DRF checks for blank before it checks the type; none of these is blank.
            errors.add(
                name,
                format == .email ? RestAuthMessages.Fields.invalidEmail.text : RestAuthMessages.Fields.notAString.text)
            return .invalid
        }
        let trimmed = trimWhitespace ? text.trimmingCharacters(in: .whitespacesAndNewlines) : text
        if trimmed.isEmpty {
            if allowBlank { return .value("") }
            errors.add(name, RestAuthMessages.Fields.blank.text)
            return .invalid
        }
        var messages: [String] = []
        let length = trimmed.unicodeScalars.count
        if format == .email && !EmailAddressSyntax.isValid(trimmed) {
            messages.append(RestAuthMessages.Fields.invalidEmail.text)
        }
        if let maxLength, length > maxLength {
            messages.append(RestAuthMessages.Fields.maxLength.format(["max_length": "\(maxLength)"]))
        }
        if let minLength, length < minLength {
            messages.append(RestAuthMessages.Fields.minLength.format(["min_length": "\(minLength)"]))
        }
        if trimmed.unicodeScalars.contains("\u{0}") {
            messages.append(RestAuthMessages.Fields.nullCharacters.text)
        }
        if !messages.isEmpty {
            errors.add(name, messages)
            return .invalid
        }
        return .value(trimmed)
    }

    /// Python's `str(float)` for the common cases (`1.5`, `2.0`).
    static func pythonString(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e16 {
            return String(format: "%.1f", value)
        }
        return "\(value)"
    }
}

extension CharField.Outcome {
    /// The string, when the field was sent and valid.
    public var string: String? {
        if case .value(let value) = self { return value }
        return nil
    }
}
