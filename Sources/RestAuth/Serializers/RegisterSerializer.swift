import Fluent

/// dj-rest-auth's `RegisterSerializer` with allauth's adapter: `username`, `email`,
/// `password1`, `password2`.
struct RegisterSerializer: Sendable {
    let state: RestAuthState
    let usernameRules: UsernameRules

    static let email = CharField.email("email")
    static let password1 = CharField("password1")
    static let password2 = CharField("password2")

    struct Validated: Sendable {
        var username: String
        var email: String
        var password: String
    }

    func validate(_ fields: JSONObject, on database: any Database) async throws -> Validated {
        var errors = ValidationErrors()
        let username = usernameRules.field.read(from: fields, into: &errors).string
        let email = Self.email.read(from: fields, into: &errors).string
        let password1 = Self.password1.read(from: fields, into: &errors).string
        let password2 = Self.password2.read(from: fields, into: &errors).string

        var cleanedUsername: String?
        if let username {
            switch try await usernameRules.clean(username, on: database) {
            case .success(let value): cleanedUsername = value
            case .failure(let failure): errors.merge(failure)
            }
        }
        if let email, state.configuration.uniqueEmail, try await state.users.verifiedEmailExists(email, on: database) {
            errors.add("email", "User is already registered with this e-mail address.")
        }
        if let password1 {
            errors.add("password1", state.configuration.passwordValidators.messages(for: password1, user: nil))
        }
        try errors.throwIfAny()
        guard let cleanedUsername, let email, let password1, let password2 else { throw errors }
        guard password1 == password2 else {
            throw ValidationErrors.nonField("The two password fields didn't match.")
        }
        // allauth's save: the validators again, now with the user's attributes.
        let attributes = PasswordUserAttributes(
            username: cleanedUsername, firstName: "", lastName: "", email: email.lowercased())
        let messages = state.configuration.passwordValidators.messages(for: password1, user: attributes)
        if !messages.isEmpty {
            var nonField = ValidationErrors()
            nonField.add(ValidationErrors.nonFieldErrorsKey, messages)
            throw nonField
        }
        return Validated(username: cleanedUsername, email: email.lowercased(), password: password1)
    }
}
