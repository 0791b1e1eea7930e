import Fluent
import Vapor

/// `password/reset/` and `password/reset/confirm/`.
struct PasswordResetController: Sendable {
    let state: RestAuthState

    var endpoints: [Endpoint] {
        [
            Endpoint(
                ["password", "reset"], name: "Password Reset", permission: .allowAny, handlers: [(.POST, .async(reset))]
            ),
            Endpoint(
                ["password", "reset", "confirm"], name: "Password Reset Confirm", permission: .allowAny,
                handlers: [(.POST, .async(confirm))]),
        ]
    }

    /// Always 200: a mail goes to every active user with that address (without regard to
    /// case), and the answer says nothing about whether there was one. Mail leaves in
    /// the background, so the timing says nothing either.
    @Sendable func reset(_ request: Request) async throws -> Response {
        let email = try PasswordResetSerializer.email(from: try RequestBody.parse(request).fields())
        let users = try await state.users.users(email: email, preferVerified: false, on: request.db).filter(\.isActive)
        for user in users {
            let userState = try await state.users.resetState(of: user, on: request.db)
            let token = state.resetTokens.makeToken(for: userState)
            let uid = Base36.encode(userState.pk)
            let address = user.email.lowercased() == email.lowercased() ? user.email : email.lowercased()
            await state.mailer.sendPasswordReset(to: address, user: user, uid: uid, token: token, request: request)
        }
        return .json(["detail": "Password reset e-mail has been sent."])
    }

    /// Sets the new password when the uid and token are right. The write replaces the
    /// hash the token was made with, so a token works once even when two requests race.
    @Sendable func confirm(_ request: Request) async throws -> Response {
        let fields = try RequestBody.parse(request).fields()
        let confirmation = try await PasswordResetSerializer.confirm(fields, state: state, on: request.db)
        let user = confirmation.user
        let newHash = try await state.passwords.hash(confirmation.newPassword)
        guard
            try await state.users.replacePassword(
                of: user.requireID(), expected: user.password, with: newHash, on: request.db)
        else {
            throw ValidationErrors("token", "Invalid value")
        }
        try await state.refreshTokens.revokeFamilies(ofUser: user.requireID(), except: nil, on: request.db)
        return .json(["detail": "Password has been reset with the new password."])
    }
}
