import Vapor

/// Renders every error under the API prefix in DRF's shape; Vapor's
/// `{"error": true, "reason": ...}` never reaches a client of these routes.
///
/// A future-based middleware on purpose: an `AsyncMiddleware` starts a task of its own
/// for every request, and that hop cost more than the work of a token request.
struct APIErrorMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapErrorThrowing { error in
            Self.response(for: error, request: request)
        }
    }

    static func apiError(for error: any Error, request: Request) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let errors as ValidationErrors:
            return .validation(errors)
        case let abort as any AbortError:
            switch abort.status {
            case .notFound: return .notFound(for: request)
            case .payloadTooLarge:
                return .payloadTooLarge(limit: request.application.restAuthMaxBodySize, for: request)
            case .unsupportedMediaType:
                return .unsupportedMediaType(request.headers.first(name: .contentType) ?? "", for: request)
            case .methodNotAllowed:
                return .methodNotAllowed(request.method, for: request)
            case .internalServerError:
                request.logger.report(error: error)
                return .detail(.internalServerError, RestAuthMessages.Errors.serverError.text(for: request))
            default:
                return .detail(abort.status, abort.reason, headers: abort.headers)
            }
        case is DecodingError:
            return .parseError("JSON parse error - \(error)")
        default:
            request.logger.error("RestAuth: unexpected error: \(String(reflecting: error))")
            return .detail(.internalServerError, RestAuthMessages.Errors.serverError.text(for: request))
        }
    }

    static func response(for error: any Error, request: Request) -> Response {
        apiError(for: error, request: request).response()
    }
}

extension Application {
    var restAuthMaxBodySize: Int {
        storage[RestAuthStateKey.self]?.configuration.maxBodySize ?? 1_048_576
    }

    var restAuthMaxNumberOfFields: Int? {
        storage[RestAuthStateKey.self].map { $0.configuration.maxNumberOfFields } ?? 1000
    }
}
