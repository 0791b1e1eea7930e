import Vapor

/// Runs the authenticators in order, as DRF does before every view: the first that
/// recognises a credential decides; a bad credential is refused even on open endpoints.
/// The package's own endpoints call ``authenticate(_:)`` inside their handler (one task
/// per request); the middleware serves an app's own routes.
struct AuthenticationMiddleware: AsyncMiddleware {
    let authenticators: [any RestAuthenticator]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await Self.authenticate(request, with: authenticators).get()
        return try await next.respond(to: request)
    }

    /// Tries each authenticator in turn on the request's event loop; the built-in ones
    /// answer with futures, so a token request needs no task.
    static func authenticate(_ request: Request, with authenticators: [any RestAuthenticator]) -> EventLoopFuture<Void>
    {
        var result = request.eventLoop.makeSucceededFuture(Authentication?.none)
        for authenticator in authenticators {
            result = result.flatMap { found in
                if found != nil { return request.eventLoop.makeSucceededFuture(found) }
                if let fast = authenticator as? any EventLoopAuthenticator {
                    return fast.authenticate(onEventLoop: request)
                }
                return request.eventLoop.makeFutureWithTask { try await authenticator.authenticate(request) }
            }
        }
        return result.map { found in
            guard let found else { return }
            request.storage[AuthenticatedUserKey.self] = found.user
            request.auth.login(found.user)
            request.storage[AuthCredentialKey.self] = found.credential
        }
    }
}

/// An authenticator that can answer with a future, without a task (the built-in ones).
protocol EventLoopAuthenticator: RestAuthenticator {
    func authenticate(onEventLoop request: Request) -> EventLoopFuture<Authentication?>
}

struct AuthCredentialKey: StorageKey {
    typealias Value = AuthCredential
}

struct AuthenticatedUserKey: StorageKey {
    typealias Value = any RestAuthUser
}
