import Fluent
import FluentSQL
import SQLKit
import Vapor

/// DRF's `TokenAuthentication`: `Authorization: Token <key>`. The token and its user come
/// back in one query.
struct TokenAuthenticator: EventLoopAuthenticator {
    let users: UserStore
    let keyword = "token"
    var challenge: String? { "Token" }

    func authenticate(_ request: Request) async throws -> Authentication? {
        try await authenticate(onEventLoop: request).get()
    }

    func authenticate(onEventLoop request: Request) -> EventLoopFuture<Authentication?> {
        guard let header = request.headers.first(name: .authorization) else {
            return request.eventLoop.makeSucceededFuture(nil)
        }
        let parts = header.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = parts.first, first.lowercased() == keyword else {
            return request.eventLoop.makeSucceededFuture(nil)
        }
        guard parts.count > 1 else {
            return request.eventLoop.makeFailedFuture(
                Self.failed(RestAuthMessages.Authentication.tokenHeaderEmpty.text(for: request)))
        }
        guard parts.count == 2 else {
            return request.eventLoop.makeFailedFuture(
                Self.failed(RestAuthMessages.Authentication.tokenHeaderSpaces.text(for: request)))
        }
        let key = String(parts[1])
        // DRF's keys are 40 characters: a longer one cannot match, and is not worth a query.
        guard key.utf8.count <= 40 else {
            return request.eventLoop.makeFailedFuture(
                Self.failed(RestAuthMessages.Authentication.invalidToken.text(for: request)))
        }
        return users.user(forToken: key, on: request.restAuth.database).flatMapThrowing { user in
            // A disabled user's token fails as an unknown one does.
            guard let user, user.accountIsActive else {
                throw Self.failed(RestAuthMessages.Authentication.invalidToken.text(for: request))
            }
            return Authentication(user: user, credential: .token(key: key))
        }
    }

    static func failed(_ message: String) -> APIError {
        .detail(.unauthorized, message, headers: ["WWW-Authenticate": "Token"])
    }
}
