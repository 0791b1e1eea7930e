import Fluent
import Vapor

/// `registration/`.
struct RegistrationController: Sendable {
    let state: RestAuthState

    var endpoints: [Endpoint] {
        // Under mandatory verification the answer is {"detail": ...}; otherwise login's.
        let mandatory = state.configuration.emailVerification == .mandatory
        let response = mandatory ? OpenAPISchema.ref("Detail") : state.loginResponseSchema
        return [
            Endpoint(
                ["registration"], name: "Register", description: ViewMetadata.register, permission: .allowAny,
                handlers: [(.POST, .async(register))],
                operations: [
                    (
                        .POST,
                        RestAuthOperation(
                            summary: "Sign up",
                            request: state.configuration.registerSerializer.requestSchema(
                                configuration: state.configuration),
                            status: !mandatory && response == nil ? 204 : 201, response: response
                        ).throttled(by: "signup").describing(
                            state.configuration.registerSerializer is DefaultRegisterSerializer
                                ? ViewMetadata.registerFields(state.configuration) : nil)
                    )
                ])
        ]
    }

    /// dj-rest-auth's `RegisterView`: the permissions, the register serializer, the
    /// confirmation mail, then 201 with what login returns; under mandatory verification
    /// 201 `{"detail": "Verification e-mail sent."}` and no credential.
    @Sendable func register(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        for permission in state.configuration.registerPermissions { try await permission.check(context) }
        try await context.consumeRateLimit("signup")
        let fields = try RequestBody.parse(request).fields()
        let user = try await state.configuration.registerSerializer.save(fields, context: context)
        let key = try user.requireAccountKey()
        if state.configuration.emailVerification != .none,
            let address = try await EmailAddress.query(on: request.restAuth.database).filter(\.$userKey == key).filter(
                \.$primary == true
            ).first(),
            let addressID = address.id, !address.verified
        {
            let confirmation = state.confirmationKeys.key(forAddressID: addressID)
            await state.mailer.sendConfirmation(
                to: address.email, user: user, key: confirmation, signup: true, context: context)
        }
        let response: Response
        if state.configuration.emailVerification == .mandatory {
            response = .json(["detail": .string(RestAuthMessages.Registration.verificationSent.text)], status: .created)
        } else {
            response = try await state.logIn(LoginResult(user: user), context: context).response(
                status: .created, context: context)
        }
        await context.publish(.userSignedUp(user))
        return response
    }
}
