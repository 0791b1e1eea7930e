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
                ["registration", "verify-email"], name: "Verify Email", description: ViewMetadata.verifyEmail,
                permission: .allowAny, allow: [.POST, .OPTIONS, .HEAD], handlers: [(.POST, .async(verify))],
                operations: [
                    (
                        .POST,
                        .detail(
                            "Confirm an e-mail address with the key from its mail",
                            request: OpenAPISchema.fields([Self.key])
                        ).describing(ViewMetadata.verifyEmailFields)
                    )
                ]),
            Endpoint(
                ["registration", "resend-email"], name: "Resend Email Verification",
                description: ViewMetadata.resendEmail, permission: .allowAny,
                handlers: [(.POST, .async(resend))],
                operations: [
                    (
                        .POST,
                        .detail(
                            "Send the confirmation mail again (the answer is the same for any address)",
                            request: OpenAPISchema.fields([Self.email])
                        ).describing(ViewMetadata.resendFields(state.configuration))
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
        return .json(["detail": .string(RestAuthMessages.Registration.ok.text)])
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

    /// Always 200 `{"detail": "ok"}`; a known, unverified address gets a new mail. The
    /// answer costs the same for every address: allauth's `confirm_email` limit is counted
    /// for the address before anything is looked up (over it, nothing more is done), and
    /// the look-ups and the mail happen after the answer.
    @Sendable func resend(_ request: Request) async throws -> Response {
        var errors = ValidationErrors()
        // Required as sign-up's address is (dj-rest-auth reads both from ACCOUNT_SIGNUP_FIELDS).
        var field = Self.email
        field.required = state.configuration.signupFields.emailRequired
        let email = field.read(from: try RequestBody.parse(request).fields(), into: &errors).string
        try errors.throwIfAny()
        let ok = Response.json(["detail": .string(RestAuthMessages.Registration.ok.text)])
        guard let email else { return ok }
        let context = RestAuthContext(request: request, state: state)
        do {
            try await context.consumeRateLimit("confirm_email", key: email)
        } catch let error as APIError where error.status == .tooManyRequests {
            return ok
        }
        let state = self.state
        let database = request.restAuth.database
        state.outbox.background {
            do {
                guard let address = try await state.users.emailAddress(email, on: database), !address.verified,
                    let addressID = address.id,
                    let user = try await state.users.user(key: address.userKey, on: database)
                else { return }
                let key = state.confirmationKeys.key(forAddressID: addressID)
                await state.mailer.sendConfirmation(
                    to: address.email, user: user, key: key, signup: false, countLimit: false, context: context)
            } catch {
                context.logger.error("RestAuth: no confirmation e-mail resent: \(error)")
            }
        }
        return ok
    }
}
