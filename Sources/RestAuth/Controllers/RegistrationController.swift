import Fluent
import Vapor

/// `registration/`.
struct RegistrationController: Sendable {
    let state: RestAuthState

    var endpoints: [Endpoint] {
        [Endpoint(["registration"], name: "Register", permission: .allowAny, handlers: [(.POST, .async(register))])]
    }

    /// dj-rest-auth's `RegisterView`: 201 with what login returns; under mandatory
    /// verification 201 `{"detail": "Verification e-mail sent."}` and no credential.
    @Sendable func register(_ request: Request) async throws -> Response {
        let fields = try RequestBody.parse(request).fields()
        let usernameRules = UsernameRules(configuration: state.configuration, users: state.users)
        let validated = try await RegisterSerializer(state: state, usernameRules: usernameRules).validate(
            fields, on: request.db)
        let passwordHash = try await state.passwords.hash(validated.password)
        let user = AuthUser(username: validated.username, email: validated.email, password: passwordHash)
        let address = EmailAddress(email: validated.email, verified: false, primary: true, userID: 0)
        do {
            try await request.db.transaction { database in
                try await user.create(on: database)
                address.$user.id = try user.requireID()
                try await address.create(on: database)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // A parallel sign-up took the username between the check and the insert.
            throw ValidationErrors("username", UsernameRules.takenMessage)
        }
        if state.configuration.emailVerification != .none, let addressID = address.id {
            let key = state.confirmationKeys.key(forAddressID: addressID)
            await state.mailer.sendConfirmation(to: address.email, user: user, key: key, signup: true, request: request)
        }
        if state.configuration.emailVerification == .mandatory {
            return .json(["detail": "Verification e-mail sent."], status: .created)
        }
        let grant = try await state.logIn(user, request: request)
        return grant.response(status: .created)
    }
}
