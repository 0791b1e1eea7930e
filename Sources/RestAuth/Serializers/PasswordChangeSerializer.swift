import Fluent

/// dj-rest-auth's `PASSWORD_CHANGE_SERIALIZER`: validates the body and sets the password.
///
/// ```swift
/// struct NoReuse: PasswordChangeSerializer {
///     let base = DefaultPasswordChangeSerializer()
///     func save(_ fields: JSONObject, user: any RestAuthUser, context: RestAuthContext) async throws {
///         if case .string(let new)? = fields["new_password1"],
///            await context.passwords.check(new, against: user.accountPassword).isRight {
///             throw ValidationErrors("new_password1", "Choose a password you have not used.")
///         }
///         try await base.save(fields, user: user, context: context)
///     }
/// }
/// ```
public protocol PasswordChangeSerializer: Sendable {
    func save(_ fields: JSONObject, user: any RestAuthUser, context: RestAuthContext) async throws
    /// The body's JSON Schema, for the OpenAPI document (default: any object).
    func requestSchema(configuration: RestAuthConfiguration) -> JSONValue
}

extension PasswordChangeSerializer {
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue { OpenAPISchema.anyObject }
}

/// dj-rest-auth's `PasswordChangeSerializer` with Django's `SetPasswordForm`: the old
/// password when asked for, the two new ones equal, then the validators on the second.
public struct DefaultPasswordChangeSerializer: PasswordChangeSerializer {
    public static let oldPassword = CharField("old_password", maxLength: 128)
    public static let newPassword1 = CharField("new_password1", maxLength: 128)
    public static let newPassword2 = CharField("new_password2", maxLength: 128)

    public init() {}

    /// The two new passwords, and the old one when `OLD_PASSWORD_FIELD_ENABLED`.
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue {
        var fields = [Self.newPassword1, Self.newPassword2]
        if configuration.oldPasswordFieldEnabled { fields.insert(Self.oldPassword, at: 0) }
        return OpenAPISchema.fields(fields)
    }

    public func save(_ fields: JSONObject, user: any RestAuthUser, context: RestAuthContext) async throws {
        let newPassword = try await validate(fields, for: user, context: context)
        let hash = try await context.passwords.hash(newPassword)
        try await context.state.users.setPassword(of: user.requireAccountKey(), to: hash, on: context.database)
        user.accountPassword = hash
    }

    /// The new password, once every check passed.
    public func validate(_ fields: JSONObject, for user: any RestAuthUser, context: RestAuthContext) async throws
        -> String
    {
        var errors = ValidationErrors()
        var oldPassword: String?
        if context.configuration.oldPasswordFieldEnabled {
            oldPassword = Self.oldPassword.read(from: fields, into: &errors).string
        }
        let new1 = Self.newPassword1.read(from: fields, into: &errors).string
        let new2 = Self.newPassword2.read(from: fields, into: &errors).string
        if let oldPassword, !(await context.passwords.check(oldPassword, against: user.accountPassword)).isRight {
            errors.add("old_password", RestAuthMessages.Passwords.oldPasswordWrong.text)
        }
        try errors.throwIfAny()
        guard let new1, let new2 else { throw errors }
        Self.checkNewPasswords(new1, new2, user: user, context: context, into: &errors)
        try errors.throwIfAny()
        return new1
    }

    /// Django's `SetPasswordMixin`: a mismatch, else the validators' messages, on `new_password2`.
    static func checkNewPasswords(
        _ new1: String, _ new2: String, user: any RestAuthUser, context: RestAuthContext,
        into errors: inout ValidationErrors
    ) {
        if new1 != new2 {
            errors.add("new_password2", RestAuthMessages.Passwords.mismatch.text)
            return
        }
        errors.add(
            "new_password2", context.adapter.passwordProblems(new2, user: user.passwordAttributes, context: context))
    }
}
