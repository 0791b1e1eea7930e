import Foundation
import Vapor

/// One log line per request: method, path (never the query, which may carry secrets),
/// status and time taken. Future-based, so it adds no task hop to each request.
struct RequestLogMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let start = ContinuousClock.now
        return next.respond(to: request).always { result in
            switch result {
            case .success(let response): log(request, status: response.status.code, since: start)
            case .failure(let error): log(request, status: (error as? any AbortError)?.status.code ?? 500, since: start)
            }
        }
    }

    private func log(_ request: Request, status: UInt, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        request.logger.info(
            "\(request.method.rawValue) \(Self.loggable(request.url.path)) \(status) \(String(format: "%.1f", milliseconds))ms"
        )
    }

    /// The paths from e-mails carry a confirmation key or a reset token (the page's, and the
    /// API's confirmation link, `<prefix>registration/account-confirm-email/<key>/`): those
    /// parts are not logged.
    static func loggable(_ path: String) -> String {
        for prefix in ["/account-confirm-email/", "/password-reset/confirm/"] where path.hasPrefix(prefix) {
            return prefix + "…"
        }
        if let range = path.range(of: "/registration/account-confirm-email/") {
            return path[..<range.upperBound] + "…"
        }
        return path
    }
}
