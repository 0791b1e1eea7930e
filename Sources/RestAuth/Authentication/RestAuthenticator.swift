import Vapor

/// One way of recognising a request's user, tried in order like DRF's
/// `DEFAULT_AUTHENTICATION_CLASSES`.
///
/// Return nil when the request carries no credential of yours ("not mine"); throw an
/// ``APIError`` when it carries one that is bad ("mine, and wrong"): the first
/// authenticator that answers decides.
///
/// ```swift
/// struct APIKeyAuthenticator: RestAuthenticator {
///     var challenge: String? { "ApiKey" }
///     func authenticate(_ request: Request) async throws -> Authentication? {
///         guard let key = request.headers.first(name: "X-Api-Key") else { return nil }
///         guard let user = try await lookUp(key, on: request.restAuth.database) else {
///             throw APIError.detail(.unauthorized, "Invalid API key.")
///         }
///         return Authentication(user: user, credential: .token(key: key))
///     }
/// }
/// ```
public protocol RestAuthenticator: Sendable {
    /// The `WWW-Authenticate` value of a 401 when this authenticator is the first in the
    /// list; nil means failures are answered with 403, as DRF does for sessions.
    var challenge: String? { get }

    func authenticate(_ request: Request) async throws -> Authentication?
}
