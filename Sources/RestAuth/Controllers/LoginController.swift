import Fluent
import Vapor

/// `login/` and `logout/`.
struct LoginController: Sendable {
    let state: RestAuthState

    var endpoints: [Endpoint] {
        var logoutHandlers: [(method: HTTPMethod, handler: Endpoint.Handler)] = [(.POST, .async(logout))]
        if state.configuration.logoutOnGet { logoutHandlers.insert((.GET, .async(logout)), at: 0) }
        return [
            Endpoint(["login"], name: "Login", permission: .allowAny, handlers: [(.POST, .async(login))]),
            Endpoint(["logout"], name: "Logout", permission: .allowAny, handlers: logoutHandlers),
        ]
    }

    @Sendable func login(_ request: Request) async throws -> Response {
        let fields = try RequestBody.parse(request).fields()
        let outcome = try await LoginSerializer(state: state).validate(fields, on: request.db)
        let grant = try await state.logIn(outcome.user, upgradedPassword: outcome.upgradedPassword, request: request)
        return grant.response()
    }

    /// dj-rest-auth's `LogoutView`: deletes the user's token, ends the session; answers 200
    /// even to an anonymous caller, unless only tokens are in use (then there is nothing
    /// an anonymous logout could end: 400).
    @Sendable func logout(_ request: Request) async throws -> Response {
        let configuration = state.configuration
        if request.restAuth.credential == nil && !configuration.useJWT && !configuration.sessionLogin {
            throw APIError.detail(.badRequest, "You should be logged in to logout. Check whether the token is passed.")
        }
        if let user = request.restAuth.user, let userID = user.id, state.configuration.tokenModel {
            try await state.users.deleteTokens(ofUser: userID, on: request.db)
        }
        var cookies: [String: HTTPCookies.Value] = [:]
        if state.configuration.sessionLogin {
            cookies = try await state.endSession(request: request)
        }
        var failure: APIError?
        if let jwt = state.jwt {
            cookies.merge(configuration.jwtCookieDeletions) { $1 }
            failure = try await JWTController.logOut(request, state: state, jwt: jwt)
        }
        let response = failure?.response() ?? Response.json(["detail": "Successfully logged out."])
        for (name, cookie) in cookies { response.cookies[name] = cookie }
        return response
    }
}
