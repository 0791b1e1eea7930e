/// dj-rest-auth's `PasswordChangeSerializer` with Django's `SetPasswordForm`: the old
/// password when asked for, the two new ones equal, then the validators on the second.
struct PasswordChangeSerializer: Sendable {
    let state: RestAuthState

    static let oldPassword = CharField("old_password", maxLength: 128)
    static let newPassword1 = CharField("new_password1", maxLength: 128)
    static let newPassword2 = CharField("new_password2", maxLength: 128)

    /// The new password, once every check passed.
    func validate(_ fields: JSONObject, for user: AuthUser) async throws -> String {
        var errors = ValidationErrors()
        var oldPassword: String?
        if state.configuration.oldPasswordFieldEnabled {
            oldPassword = Self.oldPassword.read(from: fields, into: &errors).string
        }
        let new1 = Self.newPassword1.read(from: fields, into: &errors).string
        let new2 = Self.newPassword2.read(from: fields, into: &errors).string
        if let oldPassword, !(await state.passwords.check(oldPassword, against: user.password)).isRight {
            errors.add("old_password", "Your old password was entered incorrectly. Please enter it again.")
        }
        try errors.throwIfAny()
        guard let new1, let new2 else { throw errors }
        Self.checkNewPasswords(
            new1, new2, user: user, validators: state.configuration.passwordValidators, into: &errors)
        try errors.throwIfAny()
        return new1
    }

    /// Django's `SetPasswordMixin`: a mismatch, else the validators' messages, on `new_password2`.
    static func checkNewPasswords(
        _ new1: String, _ new2: String, user: AuthUser, validators: [any PasswordValidator],
        into errors: inout ValidationErrors
    ) {
        if new1 != new2 {
            errors.add("new_password2", "The two password fields didn\u{2019}t match.")
            return
        }
        errors.add("new_password2", validators.messages(for: new2, user: user.passwordAttributes))
    }
}
