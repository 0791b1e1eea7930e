import Vapor

/// An error response in DRF's shape. Every error raised under the API prefix reaches the
/// client as one of these: a 400 with field errors, or `{"detail": ...}` with its status.
///
/// ```swift
/// throw APIError.permissionDenied("Only staff may do this.")
/// ```
public struct APIError: AbortError, Sendable {
    public var status: HTTPResponseStatus
    public var body: JSONValue
    public var headers: HTTPHeaders

    public init(status: HTTPResponseStatus, body: JSONValue, headers: HTTPHeaders = [:]) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    /// `{"detail": message}` (and `"code"` when given) with the given status.
    public static func detail(
        _ status: HTTPResponseStatus, _ message: String, code: String? = nil, headers: HTTPHeaders = [:]
    ) -> APIError {
        var object: JSONObject = ["detail": .string(message)]
        if let code { object["code"] = .string(code) }
        return APIError(status: status, body: .object(object), headers: headers)
    }

    /// A 400 with field errors.
    public static func validation(_ errors: ValidationErrors) -> APIError {
        APIError(status: .badRequest, body: errors.json)
    }

    /// 403 `{"detail": message}`; DRF's PermissionDenied (its message in the current
    /// request's language by default).
    public static func permissionDenied(_ message: String? = nil) -> APIError {
        .detail(.forbidden, message ?? RestAuthMessages.Errors.permissionDenied.text)
    }

    /// 405 with an `Allow` header; DRF's MethodNotAllowed.
    static func methodNotAllowed(_ method: HTTPMethod, allowed: [HTTPMethod]? = nil, for request: Request) -> APIError {
        var headers = HTTPHeaders()
        if let allowed { headers.replaceOrAdd(name: .allow, value: allowed.map(\.rawValue).joined(separator: ", ")) }
        return .detail(
            .methodNotAllowed,
            RestAuthMessages.Errors.methodNotAllowed.format(["method": method.rawValue], for: request), headers: headers
        )
    }

    static func unsupportedMediaType(_ mediaType: String, for request: Request) -> APIError {
        .detail(
            .unsupportedMediaType,
            RestAuthMessages.Errors.unsupportedMediaType.format(["media_type": mediaType], for: request))
    }

    static func parseError(_ message: String) -> APIError {
        .detail(.badRequest, message)
    }

    static func payloadTooLarge(limit: Int, for request: Request) -> APIError {
        .detail(.payloadTooLarge, RestAuthMessages.Errors.payloadTooLarge.format(["limit": "\(limit)"], for: request))
    }

    /// Django's `TooManyFieldsSent`, as a DRF-shaped 400.
    static let tooManyFields = APIError.detail(.badRequest, RequestFieldLimit.message)

    /// Django's `DisallowedHost`, as a DRF-shaped 400: the `Host` header does not follow
    /// the domain/port grammar, or names a host `ALLOWED_HOSTS` does not list.
    static func disallowedHost(_ header: String, domain: String?) -> APIError {
        let shown = "'" + String(header.prefix(255)) + "'"
        guard let domain else {
            return .detail(
                .badRequest,
                "Invalid HTTP_HOST header: \(shown). The domain name provided is not valid according to RFC 1034/1035.")
        }
        return .detail(
            .badRequest,
            "Invalid HTTP_HOST header: \(shown). You may need to add '\(domain.prefix(255))' to ALLOWED_HOSTS.")
    }

    /// DRF's `NotFound`, in the current request's language.
    public static var notFound: APIError { .detail(.notFound, RestAuthMessages.Errors.notFound.text) }

    /// DRF's `NotFound`, in `request`'s language.
    static func notFound(for request: Request) -> APIError {
        .detail(.notFound, RestAuthMessages.Errors.notFound.text(for: request))
    }

    /// The `detail` message, or the whole body for field errors.
    public var reason: String {
        if case .object(let object) = body, case .string(let detail)? = object["detail"] { return detail }
        return String(decoding: body.serialized(), as: UTF8.self)
    }

    /// The response this error renders to.
    func response() -> Response {
        var headers = self.headers
        headers.replaceOrAdd(name: .contentType, value: "application/json")
        return Response(status: status, headers: headers, body: .init(data: Data(body.serialized())))
    }
}
