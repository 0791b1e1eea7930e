import Fluent
import Foundation
import Vapor

/// Where a user model keeps what the account API needs: the columns its queries name.
public struct RestAuthUserFields: Sendable {
    public var id: FieldKey
    public var keyType: UserKeyType
    /// Nil for a model without usernames (the e-mail address is the only identifier).
    public var username: FieldKey?
    public var email: FieldKey
    public var password: FieldKey
    /// Nil when every user is active.
    public var isActive: FieldKey?
    public var lastLogin: FieldKey?

    public init(
        id: FieldKey = "id", keyType: UserKeyType, username: FieldKey?, email: FieldKey, password: FieldKey,
        isActive: FieldKey?, lastLogin: FieldKey?
    ) {
        self.id = id
        self.keyType = keyType
        self.username = username
        self.email = email
        self.password = password
        self.isActive = isActive
        self.lastLogin = lastLogin
    }
}

/// A user model the account API can serve: Django's ``AuthUser`` by default, or an app's
/// own Fluent model (a UUID key, another table, extra fields, the e-mail address as the
/// only identifier).
///
/// ```swift
/// final class Member: Model, @unchecked Sendable {
///     static let schema = "members"
///     @ID(key: .id) var id: UUID?
///     @Field(key: "email") var email: String
///     @Field(key: "password_hash") var passwordHash: String
///     @Field(key: "display_name") var displayName: String
///     @OptionalField(key: "last_login") var lastLogin: Date?
///     init() {}
/// }
///
/// extension Member: RestAuthUser {
///     static let accountFields = RestAuthUserFields(
///         keyType: .uuid, username: nil, email: "email", password: "password_hash", isActive: nil,
///         lastLogin: "last_login")
///     var accountKey: UserKey? { id.map(UserKey.uuid) }
///     var accountUsername: String? { get { nil } set {} }
///     var accountEmail: String { get { email } set { email = newValue } }
///     var accountPassword: String { get { passwordHash } set { passwordHash = newValue } }
///     var accountIsActive: Bool { true }
///     var accountLastLogin: Date? { get { lastLogin } set { lastLogin = newValue } }
///     static func newAccount(username: String?, email: String, password: String) -> Member { ... }
/// }
/// config.userModel = Member.self
/// ```
///
/// The app's migrations create its user table; the package's tables that point at users
/// (`authtoken_token`, `account_emailaddress`, ...) take the key's type from
/// ``RestAuthUserFields/keyType``.
public protocol RestAuthUser: Model, Authenticatable {
    /// The columns the package's queries use.
    static var accountFields: RestAuthUserFields { get }

    /// The primary key; nil before the user is saved.
    var accountKey: UserKey? { get }
    /// The username, or nil for a model without one.
    var accountUsername: String? { get set }
    var accountEmail: String { get set }
    /// The password hash, in Django's format.
    var accountPassword: String { get set }
    var accountIsActive: Bool { get }
    var accountLastLogin: Date? { get set }
    /// First and last name, for the password-similarity validator and the default user
    /// details; nil for a model without them.
    var accountFirstName: String? { get set }
    var accountLastName: String? { get set }

    /// A new, unsaved user (allauth's `new_user` and `populate_username`).
    static func newAccount(username: String?, email: String, password: String) -> Self
}

extension RestAuthUser {
    public var accountFirstName: String? {
        get { nil }
        set {}
    }

    public var accountLastName: String? {
        get { nil }
        set {}
    }

    /// The key, or an error when the user was never saved.
    public func requireAccountKey() throws -> UserKey {
        guard let key = accountKey else { throw FluentError.idRequired }
        return key
    }

    /// What password validators compare a password with.
    public var passwordAttributes: PasswordUserAttributes {
        PasswordUserAttributes(
            username: accountUsername, firstName: accountFirstName, lastName: accountLastName, email: accountEmail)
    }

    /// Whether the user has a password that can be used to log in.
    public var hasUsablePassword: Bool { PasswordService.isUsable(accountPassword) }
}

extension AuthUser: RestAuthUser {
    public static let accountFields = RestAuthUserFields(
        keyType: .int, username: "username", email: "email", password: "password", isActive: "is_active",
        lastLogin: "last_login")

    public var accountKey: UserKey? { id.map(UserKey.int) }

    public var accountUsername: String? {
        get { username }
        set { username = newValue ?? "" }
    }

    public var accountEmail: String {
        get { email }
        set { email = newValue }
    }

    public var accountPassword: String {
        get { password }
        set { password = newValue }
    }

    public var accountIsActive: Bool { isActive }

    public var accountLastLogin: Date? {
        get { lastLogin }
        set { lastLogin = newValue }
    }

    public var accountFirstName: String? {
        get { firstName }
        set { firstName = newValue ?? "" }
    }

    public var accountLastName: String? {
        get { lastName }
        set { lastName = newValue ?? "" }
    }

    public static func newAccount(username: String?, email: String, password: String) -> AuthUser {
        AuthUser(username: username ?? "", email: email, password: password)
    }
}
