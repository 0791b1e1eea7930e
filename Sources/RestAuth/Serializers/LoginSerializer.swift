import Fluent
import Vapor

/// Who a login proves to be.
public struct LoginResult: Sendable {
    public var user: any RestAuthUser
    /// A new hash for the password, when the stored one was made by another hasher or
    /// with other parameters (stored with the login).
    public var upgradedPassword: String?
    /// The stored hash the password was checked against. The login is recorded only where
    /// that hash is still stored, so a login that raced a password change or reset (its
    /// check began before the change committed) is refused, and an upgrade never
    /// overwrites a newer password. Nil for logins that checked no password.
    public var verifiedPasswordHash: String?

    public init(user: any RestAuthUser, upgradedPassword: String? = nil, verifiedPasswordHash: String? = nil) {
        self.user = user
        self.upgradedPassword = upgradedPassword
        self.verifiedPasswordHash = verifiedPasswordHash
    }
}

/// dj-rest-auth's `LOGIN_SERIALIZER`: reads the login body and returns the user the
/// credentials prove, or throws DRF's errors.
///
/// ```swift
/// struct StaffOnlyLogin: LoginSerializer {
///     let base = DefaultLoginSerializer()
///     func authenticate(_ fields: JSONObject, context: RestAuthContext) async throws -> LoginResult {
///         let result = try await base.authenticate(fields, context: context)
///         guard (result.user as? AuthUser)?.isStaff == true else {
///             throw ValidationErrors.nonField("Only staff may log in here.")
///         }
///         return result
///     }
/// }
/// config.loginSerializer = StaffOnlyLogin()
/// ```
public protocol LoginSerializer: Sendable {
    func authenticate(_ fields: JSONObject, context: RestAuthContext) async throws -> LoginResult
    /// The body's JSON Schema, for the OpenAPI document (default: any object).
    func requestSchema(configuration: RestAuthConfiguration) -> JSONValue
    /// The account a login attempt is about, for the per-account `login_failed` limit: the
    /// identifier `authenticate` will look the user up by (allauth counts the field it
    /// logs in with, so a field it ignores cannot open a fresh bucket per attempt). The
    /// default is the default serializer's choice among `email` and `username`.
    func accountKey(_ fields: JSONObject, configuration: RestAuthConfiguration) -> String?
}

extension LoginSerializer {
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue { OpenAPISchema.anyObject }

    /// The identifier as the serializer will clean it (DRF's `CharField`: a number becomes
    /// its text, whitespace is trimmed), never the raw JSON: `{"username": 4155550123}`
    /// is the account `4155550123`, counted like `{"username": "4155550123"}`.
    public func accountKey(_ fields: JSONObject, configuration: RestAuthConfiguration) -> String? {
        var ignored = ValidationErrors()
        return DefaultLoginSerializer.identifier(
            email: DefaultLoginSerializer.email.read(from: fields, into: &ignored).string ?? "",
            username: DefaultLoginSerializer.username.read(from: fields, into: &ignored).string ?? "",
            methods: configuration.loginMethods)?.value
    }
}

/// dj-rest-auth's `LoginSerializer` with allauth's authentication backend: which fields
/// the login methods ask for, the user lookup, the password check on the hashing
/// threads, then the account checks, whose messages only follow a right password.
public struct DefaultLoginSerializer: LoginSerializer {
    public static let username = CharField("username", required: false, allowBlank: true)
    public static let email = CharField.email("email", required: false, allowBlank: true)
    public static let password = CharField("password")

    static var invalidCredentials: String { RestAuthMessages.Login.unableToLogIn.text }

    /// The field a login is made with, as dj-rest-auth chooses it: the only one the login
    /// methods allow, else the e-mail address when given, else the username. Nil when that
    /// field is empty.
    static func identifier(email: String, username: String, methods: Set<LoginMethod>)
        -> (isEmail: Bool, value: String)?
    {
        let isEmail = methods == [.email] || (methods != [.username] && !email.isEmpty)
        let value = isEmail ? email : username
        return value.isEmpty ? nil : (isEmail, value)
    }

    public init() {}

    /// The fields the login methods ask for.
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue {
        var fields = [Self.password]
        if configuration.loginMethods.contains(.username) { fields.insert(Self.username, at: 0) }
        if configuration.loginMethods.contains(.email) { fields.insert(Self.email, at: 0) }
        return OpenAPISchema.fields(fields)
    }

    public func authenticate(_ fields: JSONObject, context: RestAuthContext) async throws -> LoginResult {
        var errors = ValidationErrors()
        let username = Self.username.read(from: fields, into: &errors).string ?? ""
        let email = Self.email.read(from: fields, into: &errors).string ?? ""
        let password = Self.password.read(from: fields, into: &errors).string ?? ""
        try errors.throwIfAny()

        let methods = context.configuration.loginMethods
        guard let identifier = Self.identifier(email: email, username: username, methods: methods) else {
            if methods == [.email] { throw ValidationErrors.nonField(RestAuthMessages.Login.mustIncludeEmail.text) }
            if methods == [.username] {
                throw ValidationErrors.nonField(RestAuthMessages.Login.mustIncludeUsername.text)
            }
            throw ValidationErrors.nonField(RestAuthMessages.Login.mustIncludeEither.text)
        }
        let outcome =
            identifier.isEmail
            ? try await authenticate(email: identifier.value, password: password, context: context)
            : try await authenticate(username: identifier.value, password: password, context: context)
        guard let outcome else { throw ValidationErrors.nonField(Self.invalidCredentials) }
        guard outcome.user.accountIsActive else {
            throw ValidationErrors.nonField(RestAuthMessages.Login.accountDisabled.text)
        }
        if context.configuration.emailVerification == .mandatory,
            try await !context.state.users.hasVerifiedEmail(outcome.user, on: context.database)
        {
            throw ValidationErrors.nonField(RestAuthMessages.Login.emailNotVerified.text)
        }
        return outcome
    }

    /// allauth's backend with a username: tried as an e-mail address first when e-mail
    /// login is on, then as a username.
    private func authenticate(username: String, password: String, context: RestAuthContext) async throws -> LoginResult?
    {
        let methods = context.configuration.loginMethods
        var candidates: [any RestAuthUser] = []
        if methods.contains(.email), username.contains("@") {
            candidates = try await context.state.users.users(email: username, on: context.database)
        }
        if methods.contains(.username),
            let user = try await context.state.users.user(username: username, on: context.database),
            !candidates.contains(where: { $0.accountKey == user.accountKey })
        {
            candidates.append(user)
        }
        return await check(password, against: candidates, context: context)
    }

    private func authenticate(email: String, password: String, context: RestAuthContext) async throws -> LoginResult? {
        guard context.configuration.loginMethods.contains(.email) else {
            await context.passwords.burnOneHash(password)
            return nil
        }
        return await check(
            password, against: try await context.state.users.users(email: email, on: context.database), context: context
        )
    }

    /// The first candidate whose password matches. With no candidate one hash is still
    /// computed, so an unknown user costs what a wrong password costs.
    private func check(_ password: String, against candidates: [any RestAuthUser], context: RestAuthContext) async
        -> LoginResult?
    {
        guard !candidates.isEmpty else {
            await context.passwords.burnOneHash(password)
            return nil
        }
        for user in candidates.prefix(5) {
            if case .right(let upgraded) = await context.passwords.check(password, against: user.accountPassword) {
                return LoginResult(user: user, upgradedPassword: upgraded, verifiedPasswordHash: user.accountPassword)
            }
        }
        return nil
    }
}
