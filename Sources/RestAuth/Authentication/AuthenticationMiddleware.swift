import Vapor

/// Runs the authenticators in order, as DRF does before every view: the first that
/// recognises a credential decides; a bad credential is refused even on open endpoints.
struct AuthenticationMiddleware: AsyncMiddleware {
    let authenticators: [any RestAuthenticator]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        for authenticator in authenticators {
            if let authentication = try await authenticator.authenticate(request) {
                request.auth.login(authentication.user)
                request.storage[AuthCredentialKey.self] = authentication.credential
                break
            }
        }
        return try await next.respond(to: request)
    }
}

struct AuthCredentialKey: StorageKey {
    typealias Value = AuthCredential
}
