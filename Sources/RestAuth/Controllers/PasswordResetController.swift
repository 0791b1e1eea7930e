import Fluent
import Vapor

/// `password/reset/` and `password/reset/confirm/`.
struct PasswordResetController: Sendable {
    let state: RestAuthState

    var endpoints: [Endpoint] {
        [
            Endpoint(
                ["password", "reset"], name: "Password Reset", description: ViewMetadata.passwordReset,
                permission: .allowAny,
                handlers: [(.POST, .async(reset))],
                operations: [
                    (
                        .POST,
                        .detail(
                            "Mail a reset link to the address (the answer is the same for any address)",
                            request: state.configuration.passwordResetSerializer.requestSchema(
                                configuration: state.configuration)
                        ).throttled(by: "reset_password").describing(
                            state.configuration.passwordResetSerializer is DefaultPasswordResetSerializer
                                ? ViewMetadata.passwordResetFields : nil)
                    )
                ]),
            Endpoint(
                ["password", "reset", "confirm"], name: "Password Reset Confirm",
                description: ViewMetadata.passwordResetConfirm, permission: .allowAny,
                handlers: [(.POST, .async(confirm))],
                operations: [
                    (
                        .POST,
                        .detail(
                            "Set a new password with the uid and token from the reset link",
                            request: state.configuration.passwordResetConfirmSerializer.requestSchema(
                                configuration: state.configuration)
                        ).throttled(by: "reset_password_from_key").describing(
                            state.configuration.passwordResetConfirmSerializer is DefaultPasswordResetConfirmSerializer
                                ? ViewMetadata.passwordResetConfirmFields : nil)
                    )
                ]),
        ]
    }

    /// Always 200; mail leaves in the background, so neither the answer nor its timing
    /// says whether the address is known.
    @Sendable func reset(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let fields = try RequestBody.parse(request).fields()
        // The key is the address as the serializer cleans it, never the raw JSON value.
        var ignored = ValidationErrors()
        let email = DefaultPasswordResetSerializer.email.read(from: fields, into: &ignored).string
        try await context.consumeRateLimit("reset_password", key: email)
        try await state.configuration.passwordResetSerializer.save(fields, context: context)
        context.audit("password_reset_requested", outcome: "success")
        return .json(["detail": .string(RestAuthMessages.PasswordReset.sent.text)])
    }

    /// Sets the new password when the uid and token are right; every login of the user
    /// ends (sessions with the old hash, refresh families by revocation).
    @Sendable func confirm(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let fields = try RequestBody.parse(request).fields()
        try await context.consumeRateLimit("reset_password_from_key")
        let user = try await state.configuration.passwordResetConfirmSerializer.save(fields, context: context)
        try await state.refreshTokens.revokeFamilies(
            of: user.requireAccountKey(), except: nil, on: request.restAuth.database)
        await context.publish(.passwordReset(user))
        return .json(["detail": .string(RestAuthMessages.PasswordReset.done.text)])
    }
}
