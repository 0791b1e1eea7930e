import Fluent
import Vapor

/// `password/change/`.
struct PasswordController: Sendable {
    let state: RestAuthState

    var endpoints: [Endpoint] {
        [
            Endpoint(
                ["password", "change"], name: "Password Change", description: ViewMetadata.passwordChange,
                permission: .isAuthenticated,
                handlers: [(.POST, .async(change))],
                operations: [
                    (
                        .POST,
                        .detail(
                            "Set a new password",
                            request: state.configuration.passwordChangeSerializer.requestSchema(
                                configuration: state.configuration)
                        ).throttled(by: "change_password").describing(
                            state.configuration.passwordChangeSerializer is DefaultPasswordChangeSerializer
                                ? ViewMetadata.passwordChangeFields(state.configuration) : nil)
                    )
                ])
        ]
    }

    /// Sets the new password. Every session of the user ends with the old hash; unless
    /// `logoutOnPasswordChange`, the caller's own session is renewed (Django's
    /// `update_session_auth_hash`). Every refresh token of the user but the caller's is
    /// revoked. DRF tokens are kept, as dj-rest-auth keeps them.
    @Sendable func change(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let user = try request.restAuth.requireUser()
        let fields = try RequestBody.parse(request).fields()
        try await context.consumeRateLimit("change_password", user: user.accountKey)
        do {
            try await state.configuration.passwordChangeSerializer.save(fields, user: user, context: context)
        } catch {
            context.audit("password_change", outcome: "failure", user: user)
            throw error
        }
        var callerFamily: String?
        if case .jwt(_, let family, _) = request.restAuth.credential { callerFamily = family }
        try await state.refreshTokens.revokeFamilies(
            of: user.requireAccountKey(), except: callerFamily, on: request.restAuth.database)
        let response = Response.json(["detail": .string(RestAuthMessages.Passwords.saved.text)])
        if case .session = request.restAuth.credential, !state.configuration.logoutOnPasswordChange {
            for (name, cookie) in try await state.startSession(for: user, request: request) {
                response.setCookie(name, cookie)
            }
        }
        await context.publish(.passwordChanged(user))
        return response
    }
}
