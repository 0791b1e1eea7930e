import Foundation

/// What the OpenAPI document says of one method of an endpoint: its request body, its
/// success status and body. Errors are DRF's shapes for every operation. Endpoints carry
/// their operations beside their handlers, so the document is made from the route table
/// that is served and cannot drift from it.
///
/// ```swift
/// RestAuthEndpoint(["ping"], name: "Ping", permission: .isAuthenticated,
///     handlers: [(.GET, .async { _ in .json(["pong": true]) })],
///     operations: [(.GET, RestAuthOperation(summary: "Answers pong", response: OpenAPISchema.object(["pong": OpenAPISchema.boolean])))])
/// ```
public struct RestAuthOperation: Sendable {
    public var summary: String
    /// The body's JSON Schema (also sent as a form); nil when the method takes none.
    public var request: JSONValue?
    public var status: Int
    /// The success body's JSON Schema; nil for no body.
    public var response: JSONValue?
    /// The rate-limit actions the operation counts against (`login`, `signup`, ...): with
    /// any of them configured, the document lists its 429 and `Retry-After`.
    public var rateLimits: [String] = []
    /// Whether the operation may answer 400 without reading a body (a state that forbids
    /// it, such as "MFA is not enabled."); an operation with a request body always may.
    public var refusesByState = false
    /// The serializer's fields as DRF's `OPTIONS` metadata lists them (`actions`), for POST
    /// and PUT. Nil: derived from `request`; an empty list: the view has no serializer.
    public var fields: [FieldMetadata]?

    public init(summary: String, request: JSONValue? = nil, status: Int = 200, response: JSONValue? = nil) {
        self.summary = summary
        self.request = request
        self.status = status
        self.response = response
    }

    /// The same operation, counted against rate-limit actions.
    public func throttled(by actions: String...) -> RestAuthOperation {
        var copy = self
        copy.rateLimits += actions
        return copy
    }

    /// The same operation, with its fields described for `OPTIONS` as DRF does (nil: derived
    /// from the request schema).
    public func describing(_ fields: [FieldMetadata]?) -> RestAuthOperation {
        var copy = self
        copy.fields = fields
        return copy
    }

    /// The same operation, documented with a 400 for a state that forbids it.
    public func refusable() -> RestAuthOperation {
        var copy = self
        copy.refusesByState = true
        return copy
    }

    /// An operation that answers `{"detail": "..."}`.
    public static func detail(_ summary: String, request: JSONValue? = nil, status: Int = 200) -> RestAuthOperation {
        RestAuthOperation(summary: summary, request: request, status: status, response: OpenAPISchema.ref("Detail"))
    }
}

/// JSON Schema pieces for operations.
public enum OpenAPISchema {
    public static let string: JSONValue = ["type": "string"]
    public static let integer: JSONValue = ["type": "integer"]
    public static let boolean: JSONValue = ["type": "boolean"]
    public static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    /// Any JSON object.
    public static let anyObject: JSONValue = ["type": "object"]

    /// What login (and sign-up without mandatory verification, and social login) answers
    /// with this configuration: the JWT pair, the token, or nothing (a session only).
    public static func loginResponse(_ configuration: RestAuthConfiguration) -> JSONValue? {
        if configuration.useJWT { return ref("JWT") }
        if configuration.tokenModel { return ref("Token") }
        return nil
    }

    /// What the first step of a login answers: the login's body, or, with MFA on (and for
    /// social logins, `socialLoginRequiresCode`), the second step's challenge
    /// (`{"ephemeral_token", "mfa_required": true}`) for a user with TOTP on.
    public static func firstLoginStepResponse(_ configuration: RestAuthConfiguration, social: Bool = false)
        -> JSONValue?
    {
        let login = loginResponse(configuration)
        guard configuration.mfa.enabled, !social || configuration.mfa.socialLoginRequiresCode, let login else {
            return login
        }
        return ["anyOf": [login, ref("MFARequired")]]
    }

    /// The status of such a login (204 when only a session starts).
    public static func loginStatus(_ configuration: RestAuthConfiguration) -> Int {
        loginResponse(configuration) == nil ? 204 : 200
    }

    /// A reference to one of the document's components (`Detail`, `User`, `Login`, ...).
    public static func ref(_ name: String) -> JSONValue {
        ["$ref": .string("#/components/schemas/\(name)")]
    }

    /// An object with these properties, the listed ones required; other properties allowed.
    public static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        var object: JSONObject = ["type": "object"]
        var props = JSONObject()
        for (name, schema) in properties.sorted(by: { $0.key < $1.key }) { props[name] = schema }
        object["properties"] = .object(props)
        if !required.isEmpty { object["required"] = .array(required.map(JSONValue.string)) }
        return .object(object)
    }

    /// The request body a serializer reads: one property per field, with its rules.
    public static func fields(_ fields: [CharField], extra: [String: JSONValue] = [:]) -> JSONValue {
        var properties = extra
        for field in fields { properties[field.name] = schema(for: field) }
        return object(properties, required: fields.filter(\.required).map(\.name))
    }

    /// DRF's `CharField` as JSON Schema. Values that are not strings are refused with a
    /// field error, so the schema says string.
    public static func schema(for field: CharField) -> JSONValue {
        var schema: JSONObject = ["type": field.allowNull ? ["string", "null"] : "string"]
        if let maxLength = field.maxLength { schema["maxLength"] = .int(maxLength) }
        if let minLength = field.minLength { schema["minLength"] = .int(minLength) }
        if !field.allowBlank && field.minLength == nil { schema["minLength"] = 1 }
        if field.format == .email { schema["format"] = "email" }
        return .object(schema)
    }
}
