import Fluent
import Logging
import Vapor

extension RestAuthContext {
    /// The client's address: the socket's peer, or the address a trusted proxy
    /// (`TRUSTED_PROXIES`) put in `X-Forwarded-For`.
    public var clientAddress: String { state.rateLimiter.clientAddress.resolve(request) }

    /// allauth's `ratelimit.consume`: counts one use of `action` under its
    /// `ACCOUNT_RATE_LIMITS` rules (`key` for rules per key, `user` for rules per user) and
    /// throws DRF's 429 when one is full. An action without rules costs nothing.
    ///
    /// ```swift
    /// try await context.consumeRateLimit("export_data", user: user.accountKey)
    /// ```
    @discardableResult
    public func consumeRateLimit(_ action: String, key: String? = nil, user: UserKey? = nil) async throws
        -> RateLimitUsage
    {
        try await state.rateLimiter.consume(action, request: request, key: key, user: user, audit: state.audit)
    }

    /// Takes back what a ``consumeRateLimit(_:key:user:)`` counted (allauth's rollback
    /// after a login that succeeded).
    public func refundRateLimit(_ usage: RateLimitUsage) async throws {
        try await state.rateLimiter.refund(usage, on: database)
    }

    /// Writes an audit line on the `restauth.audit` logger: the event, the user, the
    /// client's address and the outcome (`success`, `failure`, `refused`), plus `metadata`.
    /// Never put a credential in `metadata`.
    public func audit(
        _ event: String, outcome: String, user: (any RestAuthUser)? = nil, metadata: Logger.Metadata = [:]
    ) {
        state.audit.record(event, outcome: outcome, user: user?.accountKey, request: request, extra: metadata)
    }
}

/// `X-Content-Type-Options: nosniff` on every API response, and `Cache-Control: no-store`
/// with `Pragma: no-cache`: the API's answers carry tokens, keys, cookies and personal
/// data, none of which a browser or proxy may keep.
struct SecurityHeadersMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            response.headers.replaceOrAdd(name: .pragma, value: "no-cache")
            return response
        }
    }
}
