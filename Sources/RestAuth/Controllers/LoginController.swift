import Fluent
import Vapor

/// `login/` and `logout/`.
struct LoginController: Sendable {
    let state: RestAuthState

    var endpoints: [Endpoint] {
        var logoutHandlers: [(method: HTTPMethod, handler: Endpoint.Handler)] = [(.POST, .async(logout))]
        // dj-rest-auth's LogoutView has a get(): with ACCOUNT_LOGOUT_ON_GET it logs out, else it
        // answers 405 (and GET and HEAD are in its Allow either way).
        logoutHandlers.insert(
            (.GET, state.configuration.logoutOnGet ? .async(logout) : .immediate(Self.logoutGetNotAllowed)), at: 0)
        return [
            Endpoint(
                ["login"], name: "Login", description: ViewMetadata.login, permission: .allowAny,
                handlers: [(.POST, .async(login))],
                operations: [
                    (
                        .POST,
                        RestAuthOperation(
                            summary: "Log in with a username or e-mail address and a password",
                            request: state.configuration.loginSerializer.requestSchema(
                                configuration: state.configuration),
                            status: state.loginStatus, response: state.firstLoginStepResponseSchema
                        ).throttled(by: "login", "login_failed").describing(
                            state.configuration.loginSerializer is DefaultLoginSerializer
                                ? ViewMetadata.loginFields : nil)
                    )
                ]),
            Endpoint(
                ["logout"], name: "Logout", description: ViewMetadata.logout, permission: .allowAny,
                handlers: logoutHandlers,
                operations: (state.configuration.logoutOnGet ? logoutHandlers.map(\.method) : [.POST]).map {
                    ($0, RestAuthOperation.detail("Log out: the token, session or refresh token ends").describing([]))
                }),
        ]
    }

    /// `GET logout/` without `ACCOUNT_LOGOUT_ON_GET`: DRF's 405.
    @Sendable static func logoutGetNotAllowed(_ request: Request) throws -> Response {
        throw APIError.methodNotAllowed(.GET, allowed: [.GET, .POST, .HEAD, .OPTIONS], for: request)
    }

    @Sendable func login(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let fields = try RequestBody.parse(request).fields()
        // Limits first, so a refused attempt costs no hash. A failure is counted before the
        // password is checked and taken back when it proves right (allauth's order): racing
        // attempts cannot outrun the count, and a success does not wipe earlier failures.
        try await context.consumeRateLimit("login")
        let identifier = state.configuration.loginSerializer.accountKey(fields, configuration: state.configuration)
        let failures = try await context.consumeRateLimit("login_failed", key: identifier)
        let result: LoginResult
        do {
            result = try await state.configuration.loginSerializer.authenticate(fields, context: context)
        } catch {
            context.audit("login", outcome: "failure")
            throw error
        }
        try await context.refundRateLimit(failures)
        if let challenge = try await state.secondFactorChallenge(for: result, context: context) { return challenge }
        let grant = try await state.logIn(result, context: context)
        let response = try await grant.response(context: context)
        await context.publish(.userLoggedIn(result.user))
        return response
    }

    /// dj-rest-auth's `LogoutView`: deletes the user's token, ends the session, and with
    /// JWT blacklists the refresh token; answers 200 even to an anonymous caller, unless
    /// only tokens are in use (then there is nothing an anonymous logout could end: 400).
    @Sendable func logout(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let configuration = state.configuration
        if request.restAuth.credential == nil && !configuration.useJWT && !configuration.sessionLogin {
            throw APIError.detail(.badRequest, RestAuthMessages.Login.logoutWithoutToken.text)
        }
        let user = request.restAuth.user
        if let key = user?.accountKey, configuration.tokenModel {
            try await state.users.deleteTokens(of: key, on: request.restAuth.database)
        }
        var cookies: [String: HTTPCookies.Value] = [:]
        if configuration.sessionLogin {
            cookies = try await state.endSession(request: request)
        }
        var failure: APIError?
        if let jwt = state.jwt {
            cookies.merge(configuration.jwtCookieDeletions) { $1 }
            failure = try await JWTController.logOut(request, state: state, jwt: jwt)
        }
        let response = failure?.response() ?? Response.json(["detail": .string(RestAuthMessages.Login.loggedOut.text)])
        for (name, cookie) in cookies { response.setCookie(name, cookie) }
        if failure == nil { await context.publish(.userLoggedOut(user)) }
        return response
    }
}
