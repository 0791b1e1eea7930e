import Fluent
import Vapor

/// `registration/verify-email/` and `registration/resend-email/`.
struct EmailVerificationController: Sendable {
    let state: RestAuthState

    static let key = CharField("key")
    static let email = CharField.email("email")

    var endpoints: [Endpoint] {
        [
            Endpoint(
                ["registration", "verify-email"], name: "Verify Email", permission: .allowAny,
                handlers: [(.POST, .async(verify))],
                operations: [
                    (
                        .POST,
                        .detail(
                            "Confirm an e-mail address with the key from its mail",
                            request: OpenAPISchema.fields([Self.key]))
                    )
                ]),
            Endpoint(
                ["registration", "resend-email"], name: "Resend Email Verification", permission: .allowAny,
                handlers: [(.POST, .async(resend))],
                operations: [
                    (
                        .POST,
                        .detail(
                            "Send the confirmation mail again (the answer is the same for any address)",
                            request: OpenAPISchema.fields([Self.email]))
                    )
                ]),
        ]
    }

    /// 200 `{"detail": "ok"}` for a genuine, unexpired key of an unverified address; 404 otherwise.
    @Sendable func verify(_ request: Request) async throws -> Response {
        var errors = ValidationErrors()
        let key = Self.key.read(from: try RequestBody.parse(request).fields(), into: &errors).string
        try errors.throwIfAny()
        guard let key, let addressID = state.confirmationKeys.addressID(from: key),
            let address = try await state.users.unverifiedAddress(id: addressID, on: request.restAuth.database)
        else {
            throw APIError.notFound
        }
        if try await state.users.markVerified(addressID: addressID, on: request.restAuth.database) {
            try await makePrimaryIfNone(address, on: request.restAuth.database)
            if let user = try await state.users.user(key: address.userKey, on: request.restAuth.database) {
                await RestAuthContext(request: request, state: state).publish(
                    .emailConfirmed(email: address.email, user: user))
            }
        }
        return .json(["detail": "ok"])
    }

    /// allauth's `set_as_primary(conditional=True)`: a user without a primary address gets this one.
    private func makePrimaryIfNone(_ address: EmailAddress, on database: any Database) async throws {
        let key = address.userKey
        guard try await !state.users.hasPrimaryAddress(key, on: database) else { return }
        address.primary = true
        address.verified = true
        try await address.save(on: database)
        if let user = try await state.users.user(key: key, on: database) {
            user.accountEmail = address.email
            try await user.save(on: database)
        }
    }

    /// Always 200 `{"detail": "ok"}`; a known, unverified address gets a new mail.
    @Sendable func resend(_ request: Request) async throws -> Response {
        var errors = ValidationErrors()
        let email = Self.email.read(from: try RequestBody.parse(request).fields(), into: &errors).string
        try errors.throwIfAny()
        if let email, let address = try await state.users.emailAddress(email, on: request.restAuth.database),
            !address.verified,
            let addressID = address.id,
            let user = try await state.users.user(key: address.userKey, on: request.restAuth.database)
        {
            let key = state.confirmationKeys.key(forAddressID: addressID)
            let context = RestAuthContext(request: request, state: state)
            await state.mailer.sendConfirmation(
                to: address.email, user: user, key: key, signup: false, context: context)
        }
        return .json(["detail": "ok"])
    }
}
