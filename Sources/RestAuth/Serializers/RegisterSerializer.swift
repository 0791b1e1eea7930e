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

    /// `email`, required unless `ACCOUNT_SIGNUP_FIELDS` makes it optional.
    public static func emailField(_ configuration: RestAuthConfiguration) -> CharField {
        var field = email
        field.required = configuration.signupFields.emailRequired
        return field
    }

    /// `username` with the configured limits, required unless `ACCOUNT_SIGNUP_FIELDS` makes
    /// it optional.
    public static func usernameField(_ configuration: RestAuthConfiguration) -> CharField {
        var field = UsernameRules(configuration: configuration).field
        field.required = configuration.signupFields.usernameRequired
        return field
    }
    public static let password1 = CharField("password1")
    public static let password2 = CharField("password2")

    public init() {}

    /// `username` (when the model has one), `email`, `password1`, `password2`.
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue {
        var fields = [Self.emailField(configuration), Self.password1, Self.password2]
        if configuration.userModel.accountFields.username != nil {
            fields.insert(Self.usernameField(configuration), at: 0)
        }
        return OpenAPISchema.fields(fields)
    }

    /// What a valid sign-up body holds; `email` is empty when an optional one was left out.
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
                throw ValidationErrors("email", RestAuthMessages.Registration.emailTaken.text)
            }
            throw ValidationErrors("username", UsernameRules.takenMessage)
        }
        return user
    }

    public func validate(_ fields: JSONObject, context: RestAuthContext) async throws -> Validated {
        let configuration = context.configuration
        let hasUsername = configuration.userModel.accountFields.username != nil
        var errors = ValidationErrors()
        let usernameOutcome =
            hasUsername ? Self.usernameField(configuration).read(from: fields, into: &errors) : .absent
        let username = usernameOutcome.string
        let emailOutcome = Self.emailField(configuration).read(from: fields, into: &errors)
        let email = emailOutcome.string
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
                errors.add("email", RestAuthMessages.Registration.emailTakenSocial.text)
            } else if !hasUsername, try await context.state.users.emailTaken(cleanedEmail, on: context.database) {
                // Without usernames the address is the identifier: it cannot be shared.
                errors.add("email", RestAuthMessages.Registration.emailTaken.text)
            }
        }
        if let password1 {
            errors.add("password1", context.adapter.passwordProblems(password1, user: nil, context: context))
        }
        try errors.throwIfAny()
        // An optional field left out: no address; a username made from the address.
        let emailLeftOut = emailOutcome == .absent && !configuration.signupFields.emailRequired
        if hasUsername, usernameOutcome == .absent, !configuration.signupFields.usernameRequired {
            cleanedUsername = try await generatedUsername(from: cleanedEmail ?? "", context: context)
        }
        guard let cleanedEmail = cleanedEmail ?? (emailLeftOut ? "" : nil), let password1, let password2,
            !hasUsername || cleanedUsername != nil
        else {
            throw errors
        }
        guard password1 == password2 else {
            throw ValidationErrors.nonField(RestAuthMessages.Registration.passwordsDiffer.text)
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

    /// allauth's `populate_username` for a sign-up without one: the address's local part
    /// (or `user`), kept to the username's syntax and length, with a number added until no
    /// account has it.
    func generatedUsername(from email: String, context: RestAuthContext) async throws -> String {
        let configuration = context.configuration
        let local = email.split(separator: "@").first.map(String.init) ?? ""
        var base = String(local.unicodeScalars.filter { UsernameSyntax.isValid(String($0)) }.map(Character.init))
        if !configuration.preserveUsernameCasing { base = AccountCaseFolding.fold(base) }
        if base.count < max(1, configuration.usernameMinLength) { base = "user" }
        base = String(base.prefix(configuration.usernameMaxLength - 6))
        var candidate = base
        for _ in 0..<20 {
            if try await !context.state.users.usernameTaken(candidate, on: context.database) { return candidate }
            candidate = base + String(Int.random(in: 10_000...99_999))
        }
        throw ValidationErrors("username", UsernameRules.takenMessage)
    }
}
