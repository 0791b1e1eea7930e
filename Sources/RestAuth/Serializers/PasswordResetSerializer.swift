import Fluent
import Foundation

/// dj-rest-auth's `PASSWORD_RESET_SERIALIZER`: reads the reset request and sends the mails.
///
/// ```swift
/// struct ResetWithAppLink: PasswordResetSerializer {
///     func save(_ fields: JSONObject, context: RestAuthContext) async throws {
///         // an extra field, checked before the default does its work
///         guard fields["client"] == "ios" || fields["client"] == nil else {
///             throw ValidationErrors("client", "Unknown client.")
///         }
///         try await DefaultPasswordResetSerializer().save(fields, context: context)
///     }
/// }
/// ```
public protocol PasswordResetSerializer: Sendable {
    func save(_ fields: JSONObject, context: RestAuthContext) async throws
    /// The body's JSON Schema, for the OpenAPI document (default: any object).
    func requestSchema(configuration: RestAuthConfiguration) -> JSONValue
}

extension PasswordResetSerializer {
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue { OpenAPISchema.anyObject }
}

/// dj-rest-auth's `PasswordResetSerializer` with allauth's form: every active user with
/// that address (without regard to case) gets a link; the answer says nothing about
/// whether there was one.
public struct DefaultPasswordResetSerializer: PasswordResetSerializer {
    public static let email = CharField.email("email")

    public init() {}

    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue {
        OpenAPISchema.fields([Self.email])
    }

    public func save(_ fields: JSONObject, context: RestAuthContext) async throws {
        var errors = ValidationErrors()
        let email = Self.email.read(from: fields, into: &errors).string ?? ""
        try errors.throwIfAny()
        let state = context.state
        let users = try await state.users.users(email: email, preferVerified: false, on: context.database).filter(
            \.accountIsActive)
        for user in users {
            let userState = try await state.users.resetState(of: user, on: context.database)
            let token = state.resetTokens.makeToken(for: userState)
            let uid = Self.uid(for: try user.requireAccountKey())
            let address =
                AccountCaseFolding.equal(user.accountEmail, email) ? user.accountEmail : AccountCaseFolding.fold(email)
            await state.mailer.sendPasswordReset(to: address, user: user, uid: uid, token: token, context: context)
        }
    }

    /// allauth's `user_pk_to_url_str`: base 36 for integers, 32 hex digits for a UUID.
    public static func uid(for key: UserKey) -> String {
        switch key {
        case .int(let value): Base36.encode(value)
        case .uuid(let value): UUIDHex.string(value)
        case .string(let value): value
        }
    }
}

/// dj-rest-auth's `PASSWORD_RESET_CONFIRM_SERIALIZER`: checks the link's uid and token
/// and sets the new password; returns the user.
///
/// ```swift
/// struct ResetAndVerify: PasswordResetConfirmSerializer {
///     func save(_ fields: JSONObject, context: RestAuthContext) async throws -> any RestAuthUser {
///         let user = try await DefaultPasswordResetConfirmSerializer().save(fields, context: context)
///         // The link reached the mailbox: the address is proven.
///         try await EmailAddress.query(on: context.database)
///             .filter(\.$userKey == user.requireAccountKey()).set(\.$verified, to: true).update()
///         return user
///     }
/// }
/// ```
public protocol PasswordResetConfirmSerializer: Sendable {
    func save(_ fields: JSONObject, context: RestAuthContext) async throws -> any RestAuthUser
    /// The body's JSON Schema, for the OpenAPI document (default: any object).
    func requestSchema(configuration: RestAuthConfiguration) -> JSONValue
}

extension PasswordResetConfirmSerializer {
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue { OpenAPISchema.anyObject }
}

/// dj-rest-auth's `PasswordResetConfirmSerializer` with allauth's token generator.
public struct DefaultPasswordResetConfirmSerializer: PasswordResetConfirmSerializer {
    public static let newPassword1 = CharField("new_password1", maxLength: 128)
    public static let newPassword2 = CharField("new_password2", maxLength: 128)
    public static let uid = CharField("uid")
    public static let token = CharField("token")

    public init() {}

    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue {
        OpenAPISchema.fields([Self.newPassword1, Self.newPassword2, Self.uid, Self.token])
    }

    /// The user the uid names and the token proves gets the new password, written only
    /// over the hash the token was made with, so a token works once even when two
    /// requests race.
    public func save(_ fields: JSONObject, context: RestAuthContext) async throws -> any RestAuthUser {
        var errors = ValidationErrors()
        let new1 = Self.newPassword1.read(from: fields, into: &errors).string
        let new2 = Self.newPassword2.read(from: fields, into: &errors).string
        let uidText = Self.uid.read(from: fields, into: &errors).string
        let tokenText = Self.token.read(from: fields, into: &errors).string
        try errors.throwIfAny()
        guard let new1, let new2, let uidText, let tokenText else { throw errors }

        let state = context.state
        let candidates = try await users(forUID: uidText, context: context)
        guard !candidates.isEmpty else {
            throw ValidationErrors("uid", RestAuthMessages.PasswordReset.invalidValue.text)
        }
        var matched: (any RestAuthUser)?
        for user in candidates {
            if state.resetTokens.check(tokenText, for: try await state.users.resetState(of: user, on: context.database))
            {
                matched = user
                break
            }
        }
        guard let user = matched else {
            throw ValidationErrors("token", RestAuthMessages.PasswordReset.invalidValue.text)
        }
        DefaultPasswordChangeSerializer.checkNewPasswords(new1, new2, user: user, context: context, into: &errors)
        try errors.throwIfAny()
        let newHash = try await context.passwords.hash(new1)
        guard
            try await state.users.replacePassword(
                of: user.requireAccountKey(), expected: user.accountPassword, with: newHash, on: context.database)
        else {
            throw ValidationErrors("token", RestAuthMessages.PasswordReset.invalidValue.text)
        }
        user.accountPassword = newHash
        return user
    }

    /// allauth writes the uid in base 36 (hex for a UUID); Django's own views in URL-safe
    /// base 64. Both are read.
    func users(forUID text: String, context: RestAuthContext) async throws -> [any RestAuthUser] {
        guard text.utf8.count <= 64 else { return [] }
        let keyType = context.configuration.userModel.accountFields.keyType
        var keys: [UserKey] = []
        switch keyType {
        case .int:
            if let id = Base36.decode(text), id > 0 { keys.append(.int(id)) }
        case .uuid, .string:
            if let key = keyType.parse(text) { keys.append(key) }
        }
        if let bytes = DjangoSigner.b64Decode(Substring(text)), let decoded = String(validating: bytes, as: UTF8.self),
            let key = keyType.parse(decoded), !keys.contains(key)
        {
            keys.append(key)
        }
        keys = keys.filter {
            if case .int(let id) = $0 { return id > 0 && id <= Int(Int32.max) * 1024 } else { return true }
        }
        return try await context.state.users.users(keys: keys, on: context.database)
    }
}
