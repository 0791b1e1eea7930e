import Foundation

/// One field of a view's serializer as DRF's `SimpleMetadata` describes it in the answer to
/// `OPTIONS` (`actions.POST.<name>`): its type, whether it is required or read-only, its
/// label and, when set, help text and length limits.
///
/// ```swift
/// RestAuthOperation(summary: "Subscribe", request: OpenAPISchema.fields([topic]))
///     .describing([FieldMetadata(topic)])
/// ```
public struct FieldMetadata: Sendable {
    public var name: String
    /// DRF's type name: `string`, `email`, `integer`, `boolean`, `field`...
    public var type: String
    public var required: Bool
    public var readOnly: Bool
    public var label: String
    public var helpText: String?
    /// A label to translate instead of ``label``: a model field's `verbose_name`, which DRF
    /// shows translated, first letter capitalised.
    public var translatedLabel: LocalizedMessage?
    /// Help text to translate instead of ``helpText``.
    public var translatedHelpText: LocalizedMessage?
    public var minLength: Int?
    public var maxLength: Int?

    public init(
        name: String, type: String = "string", required: Bool = true, readOnly: Bool = false, label: String? = nil,
        helpText: String? = nil, minLength: Int? = nil, maxLength: Int? = nil
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.readOnly = readOnly
        self.label = label ?? Self.label(for: name)
        self.helpText = helpText
        self.minLength = minLength
        self.maxLength = maxLength
    }

    /// A `CharField` (or `EmailField`) as DRF describes it.
    public init(_ field: CharField, label: String? = nil, helpText: String? = nil) {
        self.init(
            name: field.name, type: field.format == .email ? "email" : "string", required: field.required,
            label: label, helpText: helpText, minLength: field.minLength, maxLength: field.maxLength)
    }

    /// DRF's default label: the name with `_` as spaces, capitalised as Python's
    /// `str.capitalize()` does (`new_password1` → `New password1`).
    public static func label(for name: String) -> String {
        let spaced = name.replacingOccurrences(of: "_", with: " ")
        guard let first = spaced.first else { return spaced }
        return first.uppercased() + spaced.dropFirst().lowercased()
    }

    /// Django's `capfirst`.
    static func capitalisingFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }

    /// The field's entry in `actions`, keys in DRF's order (labels and help text in the
    /// current request's language).
    public var json: JSONValue {
        var object: JSONObject = [
            "type": .string(type), "required": .bool(required), "read_only": .bool(readOnly), "label": .string(label),
        ]
        if let translatedLabel { object["label"] = .string(Self.capitalisingFirst(translatedLabel.text)) }
        if let text = translatedHelpText?.text ?? helpText { object["help_text"] = .string(text) }
        if let minLength { object["min_length"] = .int(minLength) }
        if let maxLength { object["max_length"] = .int(maxLength) }
        return .object(object)
    }

    /// An approximation from a request body's JSON Schema, for serializers that describe
    /// only their schema: each property, its format and its length limits.
    static func derived(from schema: JSONValue?) -> [FieldMetadata]? {
        guard case .object(let object)? = schema, case .object(let properties)? = object["properties"] else {
            return nil
        }
        var required: Set<String> = []
        if case .array(let names)? = object["required"] { required = Set(names.compactMap(\.stringValue)) }
        return properties.pairs.map { name, value in
            guard case .object(let property) = value else { return FieldMetadata(name: name, type: "field") }
            var type = "field"
            switch property["type"] {
            case .string("string")?: type = property["format"] == .string("email") ? "email" : "string"
            case .string("integer")?: type = "integer"
            case .string("boolean")?: type = "boolean"
            default: break
            }
            var maxLength: Int?
            if case .int(let value)? = property["maxLength"] { maxLength = value }
            return FieldMetadata(name: name, type: type, required: required.contains(name), maxLength: maxLength)
        }
    }
}
