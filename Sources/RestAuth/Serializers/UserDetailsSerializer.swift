import Fluent

/// dj-rest-auth's `USER_DETAILS_SERIALIZER`: the body of `user/` (and of `user` in JWT
/// logins), and what a PUT or PATCH may change.
///
/// The FAQ's case, a nested profile updated with the user in one transaction (the package's
/// tests run this serializer: `Tests/RestAuthTests/Extensions/UserProfile.swift`):
///
/// ```swift
/// struct ProfileUserDetailsSerializer: UserDetailsSerializer {
///     let base = DefaultUserDetailsSerializer()
///     static let companyName = CharField("company_name", required: false, allowBlank: true, maxLength: 100)
///
///     func representation(of user: any RestAuthUser, context: RestAuthContext) async throws -> JSONValue {
///         guard case .object(var body) = try await base.representation(of: user, context: context) else {
///             return .null
///         }
///         let profile = try await UserProfile.of(user, on: context.database)
///         body["profile"] = ["company_name": .string(profile.companyName)]
///         return .object(body)
///     }
///
///     func update(_ user: any RestAuthUser, with fields: JSONObject, partial: Bool, context: RestAuthContext)
///         async throws
///     {
///         var errors = ValidationErrors()
///         do {
///             try await base.apply(fields, to: user, partial: partial, context: context)  // validates, no save
///         } catch let failure as ValidationErrors {
///             errors.merge(failure)
///         }
///         let profile = try await UserProfile.of(user, on: context.database)
///         switch fields["profile"] {
///         case .object(let nested)?:
///             var nestedErrors = ValidationErrors()
///             if let company = Self.companyName.read(from: nested, into: &nestedErrors, partial: true).string {
///                 profile.companyName = company
///             }
///             errors.add("profile", nested: nestedErrors)  // {"profile": {"company_name": [...]}}
///         case nil: break
///         default: errors.add("profile", "Invalid data. Expected a dictionary.")
///         }
///         try errors.throwIfAny()
///         try await DefaultUserDetailsSerializer.saving {
///             try await context.database.transaction { database in
///                 try await user.save(on: database)
///                 try await profile.save(on: database)
///             }
///         }
///     }
/// }
/// ```
public protocol UserDetailsSerializer: Sendable {
    /// The user as the client sees it.
    func representation(of user: any RestAuthUser, context: RestAuthContext) async throws -> JSONValue
    /// Validates a PUT (`partial` false) or PATCH body and stores the changes; throws DRF's
    /// field errors.
    func update(_ user: any RestAuthUser, with fields: JSONObject, partial: Bool, context: RestAuthContext) async throws
    /// The representation's JSON Schema, for the OpenAPI document (default: any object).
    func responseSchema(configuration: RestAuthConfiguration) -> JSONValue
    /// The PUT/PATCH body's JSON Schema (default: any object).
    func requestSchema(configuration: RestAuthConfiguration) -> JSONValue
}

extension UserDetailsSerializer {
    public func responseSchema(configuration: RestAuthConfiguration) -> JSONValue { OpenAPISchema.anyObject }
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue { OpenAPISchema.anyObject }
}

/// A serializer whose representation waits for nothing: `GET user/` then runs on the
/// event loop without a task (the default's case).
protocol ImmediateUserDetailsSerializer: UserDetailsSerializer {
    func immediateRepresentation(of user: any RestAuthUser) -> JSONValue
}

/// dj-rest-auth's `UserDetailsSerializer`: `pk`, `username`, `email`, `first_name`,
/// `last_name` (those the model has); `pk` and `email` are read-only.
public struct DefaultUserDetailsSerializer: UserDetailsSerializer, ImmediateUserDetailsSerializer {
    public static let firstName = CharField("first_name", required: false, allowBlank: true, maxLength: 150)
    public static let lastName = CharField("last_name", required: false, allowBlank: true, maxLength: 150)

    public init() {}

    public func representation(of user: any RestAuthUser, context: RestAuthContext) async throws -> JSONValue {
        immediateRepresentation(of: user)
    }

    /// `pk` (an integer, or a string for other keys), `username`, `email`, `first_name`,
    /// `last_name`, those the model has.
    public func responseSchema(configuration: RestAuthConfiguration) -> JSONValue {
        let fields = configuration.userModel.accountFields
        var properties: [String: JSONValue] = [
            "pk": fields.keyType == .int ? OpenAPISchema.integer : OpenAPISchema.string,
            "email": OpenAPISchema.string,
        ]
        var required = ["pk", "email"]
        if fields.username != nil {
            properties["username"] = OpenAPISchema.string
            required.append("username")
        }
        // Present when the model has them.
        properties["first_name"] = OpenAPISchema.string
        properties["last_name"] = OpenAPISchema.string
        return OpenAPISchema.object(properties, required: required)
    }

    /// The writable fields; none is required (PUT takes a partial body too, as DRF's
    /// fields here are all optional).
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue {
        let fields = configuration.userModel.accountFields
        var properties: [String: JSONValue] = [:]
        if fields.username != nil {
            var username = UsernameRules(configuration: configuration).field
            username.required = false
            properties["username"] = OpenAPISchema.schema(for: username)
        }
        properties["first_name"] = OpenAPISchema.schema(for: Self.firstName)
        properties["last_name"] = OpenAPISchema.schema(for: Self.lastName)
        return OpenAPISchema.object(properties)
    }

    func immediateRepresentation(of user: any RestAuthUser) -> JSONValue {
        var body = JSONObject()
        switch user.accountKey {
        case .int(let value)?: body["pk"] = .int(value)
        case let key?: body["pk"] = .string(key.description)
        case nil: body["pk"] = .null
        }
        if let username = user.accountUsername { body["username"] = .string(username) }
        body["email"] = .string(user.accountEmail)
        if let firstName = user.accountFirstName { body["first_name"] = .string(firstName) }
        if let lastName = user.accountLastName { body["last_name"] = .string(lastName) }
        return .object(body)
    }

    public func update(_ user: any RestAuthUser, with fields: JSONObject, partial: Bool, context: RestAuthContext)
        async throws
    {
        try await apply(fields, to: user, partial: partial, context: context)
        try await Self.saving { try await user.save(on: context.database) }
    }

    /// Runs the writes of an update, answering a unique-constraint failure (another request
    /// took the username between the check and the write) with DRF's field error, as the
    /// default serializer does; for serializers that save more than the user.
    public static func saving(_ work: () async throws -> Void) async throws {
        do {
            try await work()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw ValidationErrors("username", UsernameRules.takenMessage)
        }
    }

    /// Validates the body and applies it to `user` without saving: for serializers that
    /// save the user with something else, in one transaction.
    public func apply(_ fields: JSONObject, to user: any RestAuthUser, partial: Bool, context: RestAuthContext)
        async throws
    {
        var errors = ValidationErrors()
        var cleanedUsername: String?
        if user.accountUsername != nil {
            let rules = UsernameRules(configuration: context.configuration)
            if let username = rules.field.read(from: fields, into: &errors, partial: partial).string {
                do {
                    cleanedUsername = try await context.adapter.cleanUsername(
                        username, excluding: user.accountKey, context: context)
                } catch let error as ValidationMessage {
                    errors.add("username", error.message)
                }
            }
        }
        let firstName =
            user.accountFirstName == nil
            ? nil : Self.firstName.read(from: fields, into: &errors, partial: partial).string
        let lastName =
            user.accountLastName == nil ? nil : Self.lastName.read(from: fields, into: &errors, partial: partial).string
        try errors.throwIfAny()
        if let cleanedUsername { user.accountUsername = cleanedUsername }
        if let firstName { user.accountFirstName = firstName }
        if let lastName { user.accountLastName = lastName }
    }
}
