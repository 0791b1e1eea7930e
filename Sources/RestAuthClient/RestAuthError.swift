import Foundation

/// What went wrong, as a value a UI can show: the server's own messages where it gave
/// some (DRF's `{"field": ["message"]}`, `non_field_errors`, `{"detail": "..."}`), the
/// status otherwise. A body the client cannot read never crashes decoding: it becomes
/// ``unexpectedResponse(status:body:)``.
///
/// ```swift
/// do {
///     _ = try await client.login(username: name, password: password)
/// } catch let error as RestAuthError {
///     passwordField.error = error.fieldErrors["password"]?.messages.first
///     banner.text = error.nonFieldErrors.first ?? error.message
/// }
/// ```
public enum RestAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400: the request was refused with field errors, non-field errors or a detail.
    case invalid(ValidationErrors)
    /// 401: no credential, or one the server does not accept.
    case unauthorized(ErrorDetail)
    /// 403: authenticated but not allowed (a CSRF failure, a permission).
    case forbidden(ErrorDetail)
    /// 404: no such object, or a route the server does not have (a feature turned off).
    case notFound(ErrorDetail)
    /// 405: the server does not take this method here (a feature configured off).
    case methodNotAllowed(ErrorDetail)
    /// 429: too many requests; `retryAfter` is the server's `Retry-After` in seconds, when given.
    case throttled(retryAfter: TimeInterval?, ErrorDetail)
    /// Another 4xx, with whatever the server said.
    case clientError(status: Int, ErrorDetail)
    /// 5xx: the server failed; `body` is its answer, for a log.
    case serverError(status: Int, body: String)
    /// A success status whose body is not what the endpoint answers (a proxy's page, say).
    case unexpectedResponse(status: Int, body: String)
    /// The request never got an answer: no network, a refused connection, a timeout.
    case transport(String)
    /// The call needs a signed-in user and there is none.
    case notSignedIn
    /// The server refused to renew the session (the refresh token expired or was revoked):
    /// the client has signed out and said so on ``AuthClient/sessionStates()``.
    case sessionExpired(ErrorDetail)

    /// The HTTP status, when the server answered.
    public var status: Int? {
        switch self {
        case .invalid: 400
        case .unauthorized, .sessionExpired: 401
        case .forbidden: 403
        case .notFound: 404
        case .methodNotAllowed: 405
        case .throttled: 429
        case .clientError(let status, _), .serverError(let status, _), .unexpectedResponse(let status, _): status
        case .transport, .notSignedIn: nil
        }
    }

    /// Errors by field name; empty unless the server named fields.
    public var fieldErrors: [String: FieldError] {
        if case .invalid(let errors) = self { return errors.fields }
        return [:]
    }

    /// `non_field_errors`, or a bare list of messages.
    public var nonFieldErrors: [String] {
        if case .invalid(let errors) = self { return errors.nonFieldErrors }
        return []
    }

    /// The server's `detail`, when it sent one.
    public var detail: String? {
        switch self {
        case .invalid(let errors): errors.detail
        case .unauthorized(let d), .forbidden(let d), .notFound(let d), .methodNotAllowed(let d), .throttled(_, let d),
            .clientError(_, let d), .sessionExpired(let d):
            d.detail
        default: nil
        }
    }

    /// The machine-readable `code` simplejwt and DRF put beside some details (`token_not_valid`).
    public var code: String? {
        switch self {
        case .unauthorized(let d), .forbidden(let d), .notFound(let d), .throttled(_, let d), .clientError(_, let d),
            .sessionExpired(let d):
            d.code
        default: nil
        }
    }

    /// One sentence for a banner: the server's first message, else a plain description.
    public var message: String {
        switch self {
        case .invalid(let errors):
            return errors.nonFieldErrors.first ?? errors.detail
                ?? errors.fields.sorted(by: { $0.key < $1.key }).lazy.compactMap { name, error in
                    error.messages.first.map { "\(name): \($0)" }
                }.first ?? "The request was refused."
        case .transport(let text): return "The server could not be reached: \(text)"
        case .notSignedIn: return "Not signed in."
        case .serverError(let status, _): return "The server failed (\(status))."
        case .unexpectedResponse(let status, _): return "The server sent an answer this client cannot read (\(status))."
        case .throttled(let wait, let d):
            if let detail = d.detail { return detail }
            // A wait past Int's range (a Retry-After of 2^63 seconds) is no number to show.
            if let wait, let seconds = Int(exactly: wait.rounded(.up)) {
                return "Too many requests; try again in \(seconds) seconds."
            }
            return "Too many requests."
        case .sessionExpired(let d): return d.detail ?? "The session has expired; sign in again."
        default: return detail ?? "The request failed (\(status ?? 0))."
        }
    }

    /// The status and the message, for logs.
    public var description: String { "RestAuthError(\(status.map(String.init) ?? "-")): \(message)" }
}

/// The body of a refusal other than a validation error: DRF's `detail` and `code`, and the
/// whole body for anything else the server put there.
public struct ErrorDetail: Sendable, Equatable {
    /// `detail`, when the body had one.
    public var detail: String?
    /// `code`, when the body had one (`token_not_valid`, `not_authenticated`).
    public var code: String?
    /// The body as JSON, or `nil` when it was not JSON.
    public var body: JSON?

    /// A detail as given.
    public init(detail: String? = nil, code: String? = nil, body: JSON? = nil) {
        self.detail = detail
        self.code = code
        self.body = body
    }

    init(data: Data) {
        let body = JSON(data: data)
        self.init(detail: body?["detail"]?.stringValue, code: body?["code"]?.stringValue, body: body)
    }
}

/// The errors of one field: its messages, or, for a nested serializer, the errors of its
/// own fields, or, for a list, the errors of each element (`nil` where one had none).
public indirect enum FieldError: Sendable, Equatable {
    case messages([String])
    case nested([String: FieldError])
    case list([FieldError?])

    /// The messages of this field, or every message under it, depth first.
    public var messages: [String] {
        switch self {
        case .messages(let messages): messages
        case .nested(let fields): fields.keys.sorted().flatMap { fields[$0]!.messages }
        case .list(let items): items.flatMap { $0?.messages ?? [] }
        }
    }

    /// The errors of a nested field, by name.
    public subscript(field: String) -> FieldError? {
        if case .nested(let fields) = self { return fields[field] }
        return nil
    }

    init?(_ json: JSON) {
        switch json {
        case .string(let text): self = .messages([text])
        case .array(let items):
            if items.allSatisfy({ $0.stringValue != nil }) {
                self = .messages(items.compactMap(\.stringValue))
            } else {
                self = .list(items.map { item in item.objectValue?.isEmpty == true ? nil : FieldError(item) })
            }
        case .object(let members): self = .nested(members.compactMapValues(FieldError.init))
        case .number, .bool: self = .messages([json.description])
        case .null: return nil
        }
    }
}

/// A 400's body in DRF's shapes: `{"field": [...], "non_field_errors": [...]}`, a bare
/// list of messages, or `{"detail": "..."}`.
public struct ValidationErrors: Sendable, Equatable {
    /// Errors by field name (not `non_field_errors` nor `detail`).
    public var fields: [String: FieldError]
    /// `non_field_errors`, or the messages of a bare list.
    public var nonFieldErrors: [String]
    /// `detail`, when the refusal was one message for the whole request.
    public var detail: String?
    /// The body as the server sent it (`nil` when it was not JSON).
    public var body: JSON?

    /// Errors as given.
    public init(
        fields: [String: FieldError] = [:], nonFieldErrors: [String] = [], detail: String? = nil, body: JSON? = nil
    ) {
        self.fields = fields
        self.nonFieldErrors = nonFieldErrors
        self.detail = detail
        self.body = body
    }

    /// Reads any body; what it cannot place ends up in ``body`` only.
    public init(data: Data) {
        let body = JSON(data: data)
        self.init(body: body)
        switch body {
        case .object(var members)?:
            if let detail = members.removeValue(forKey: "detail") {
                self.detail = detail.stringValue ?? FieldError(detail)?.messages.first
            }
            if let general = members.removeValue(forKey: "non_field_errors") {
                nonFieldErrors = FieldError(general)?.messages ?? []
            }
            fields = members.compactMapValues(FieldError.init)
        case .array?, .string?:
            nonFieldErrors = body.flatMap(FieldError.init)?.messages ?? []
        default: break
        }
    }
}
