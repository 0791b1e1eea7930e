import Vapor

/// DRF's `SessionAuthentication` over Django's sessions: the session cookie names a
/// session whose user is active and whose password has not changed since; unsafe methods
/// must then pass Django's CSRF check (403 otherwise).
struct SessionAuthenticator: EventLoopAuthenticator {
    let cookieName: String
    let store: SessionStore
    let users: UserStore
    let csrf: CSRF

    var challenge: String? { nil }

    /// Without a session cookie there is nothing to wait for; with one, a task reads it.
    func authenticate(onEventLoop request: Request) -> EventLoopFuture<Authentication?> {
        guard let key = request.cookies[cookieName]?.string, !key.isEmpty else {
            return request.eventLoop.makeSucceededFuture(nil)
        }
        return request.eventLoop.makeFutureWithTask { try await authenticate(request) }
    }

    func authenticate(_ request: Request) async throws -> Authentication? {
        guard let key = request.cookies[cookieName]?.string, !key.isEmpty,
            let user = try await store.user(forKey: key, users: users, on: request.restAuth.database),
            user.accountIsActive
        else { return nil }
        try csrf.enforce(request)
        return Authentication(user: user, credential: .session(key: key))
    }
}
