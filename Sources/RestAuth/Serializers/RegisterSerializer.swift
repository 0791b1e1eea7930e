import Fluent

/// dj-rest-auth's `REGISTER_SERIALIZER`: reads the sign-up body and saves the new user,
/// returning it.
///
/// ```swift
/// struct SignupWithNewsletter: RegisterSerializer {
///     let base = DefaultRegisterSerializer()
///     static let newsletter = CharField("newsletter", required: false, allowBlank: true)
///     func save(_ fields: JSONObject, context: RestAuthContext) async throws -> any RestAuthUser {
///         var errors = ValidationErrors()
///         let choice = Self.newsletter.read(from: fields, into: &errors).string
///         try errors.throwIfAny()
///         let user = try await base.save(fields, context: context)
///         if choice == "yes" { try await Subscription(user: user).create(on: context.database) }
///         return user
///     }
/// }
/// ```
public protocol RegisterSerializer: Sendable {
    func save(_ fields: JSONObject, context: RestAuthContext) async throws -> any RestAuthUser
    /// The body's JSON Schema, for the OpenAPI document (default: any object).
    func requestSchema(configuration: RestAuthConfiguration) -> JSONValue
}

extension RegisterSerializer {
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue { OpenAPISchema.anyObject }
}

/// dj-rest-auth's `RegisterSerializer` with allauth's adapter: `username`, `email`,
/// `password1`, `password2`.
public struct DefaultRegisterSerializer: RegisterSerializer {
    /// `account_emailaddress.email` and `auth_user.email` are VARCHAR(254): a longer
    /// address is a field error, not a failed INSERT.
    public static let email = CharField("email", maxLength: 254, format: .email)
    public static let password1 = CharField("password1")
    public static let password2 = CharField("password2")

    public init() {}

    /// `username` (when the model has one), `email`, `password1`, `password2`.
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue {
        var fields = [Self.email, Self.password1, Self.password2]
        if configuration.userModel.accountFields.username != nil {
            fields.insert(UsernameRules(configuration: configuration).field, at: 0)
        }
        return OpenAPISchema.fields(fields)
    }

    /// What a valid sign-up body holds.
    public struct Validated: Sendable {
        public var username: String?
        public var email: String
        public var password: String
    }

    public func save(_ fields: JSONObject, context: RestAuthContext) async throws -> any RestAuthUser {
        let validated = try await validate(fields, context: context)
        let passwordHash = try await context.passwords.hash(validated.password)
        let user = context.adapter.newUser(
            username: validated.username, email: validated.email, passwordHash: passwordHash, context: context)
        do {
            _ = try await context.adapter.saveUser(user, email: validated.email, context: context)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // A parallel sign-up took the name (or, without usernames, the address) first.
            if context.configuration.userModel.accountFields.username == nil {
                throw ValidationErrors("email", "A user is already registered with this e-mail address.")
            }
            throw ValidationErrors("username", UsernameRules.takenMessage)
        }
        return user
    }

    public func validate(_ fields: JSONObject, context: RestAuthContext) async throws -> Validated {
        let configuration = context.configuration
        let hasUsername = configuration.userModel.accountFields.username != nil
        var errors = ValidationErrors()
        let username =
            hasUsername
            ? UsernameRules(configuration: configuration).field.read(from: fields, into: &errors).string : nil
        let email = Self.email.read(from: fields, into: &errors).string
        let password1 = Self.password1.read(from: fields, into: &errors).string
        let password2 = Self.password2.read(from: fields, into: &errors).string

        var cleanedUsername: String?
        if let username {
            do {
                cleanedUsername = try await context.adapter.cleanUsername(username, excluding: nil, context: context)
            } catch let error as ValidationMessage {
                errors.add("username", error.message)
            }
        }
        var cleanedEmail: String?
        if let email {
            do {
                cleanedEmail = AccountCaseFolding.fold(try await context.adapter.cleanEmail(email, context: context))
            } catch let error as ValidationMessage {
                errors.add("email", error.message)
            }
        }
        if let cleanedEmail {
            if configuration.uniqueEmail,
                try await context.state.users.verifiedEmailExists(cleanedEmail, on: context.database)
            {
                errors.add("email", "User is already registered with this e-mail address.")
            } else if !hasUsername, try await context.state.users.emailTaken(cleanedEmail, on: context.database) {
                // Without usernames the address is the identifier: it cannot be shared.
                errors.add("email", "A user is already registered with this e-mail address.")
            }
        }
        if let password1 {
            errors.add("password1", context.adapter.passwordProblems(password1, user: nil, context: context))
        }
        try errors.throwIfAny()
        guard let cleanedEmail, let password1, let password2, !hasUsername || cleanedUsername != nil else {
            throw errors
        }
        guard password1 == password2 else {
            throw ValidationErrors.nonField("The two password fields didn't match.")
        }
        // allauth's save: the validators again, now with the user's attributes.
        let attributes = PasswordUserAttributes(
            username: cleanedUsername, firstName: "", lastName: "", email: cleanedEmail)
        let messages = context.adapter.passwordProblems(password1, user: attributes, context: context)
        if !messages.isEmpty {
            var nonField = ValidationErrors()
            nonField.add(ValidationErrors.nonFieldErrorsKey, messages)
            throw nonField
        }
        return Validated(username: cleanedUsername, email: cleanedEmail, password: password1)
    }
}
