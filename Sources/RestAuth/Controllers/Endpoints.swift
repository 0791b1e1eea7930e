/// The route table: every endpoint the configuration serves.
struct Endpoints: Sendable {
    let state: RestAuthState

    var all: [Endpoint] {
        LoginController(state: state).endpoints
            + UserDetailsController(state: state).endpoints
            + PasswordController(state: state).endpoints
            + PasswordResetController(state: state).endpoints
            + RegistrationController(state: state).endpoints
            + EmailVerificationController(state: state).endpoints
            + (state.jwt.map { JWTController(state: state, jwt: $0).endpoints } ?? [])
            + (state.mfa.map { MFAController(state: state, mfa: $0).endpoints } ?? [])
            + (state.passkeys.map { PasskeysController(state: state, store: $0).endpoints } ?? [])
    }
}
