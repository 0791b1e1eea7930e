import Fluent
import Foundation

/// Django's `auth.User`, in its table `auth_user` with its columns, so that an existing
/// Django database is served as it is.
public final class AuthUser: Model, @unchecked Sendable {
    public static let schema = "auth_user"

    @ID(custom: "id", generatedBy: .database)
    public var id: Int?

    /// The hash, as Django's hashers write it (`pbkdf2_sha256$...`), or an unusable `!...`.
    @Field(key: "password")
    public var password: String

    @OptionalField(key: "last_login")
    public var lastLogin: Date?

    @Field(key: "is_superuser")
    public var isSuperuser: Bool

    @Field(key: "username")
    public var username: String

    @Field(key: "first_name")
    public var firstName: String

    @Field(key: "last_name")
    public var lastName: String

    @Field(key: "email")
    public var email: String

    @Field(key: "is_staff")
    public var isStaff: Bool

    @Field(key: "is_active")
    public var isActive: Bool

    @Field(key: "date_joined")
    public var dateJoined: Date

    /// The model's properties, listed rather than found by reflection: Fluent reads them on
    /// every decode and save, and reflection was a tenth of a token request's time.
    public var properties: [any AnyProperty] {
        [
            $id, $password, $lastLogin, $isSuperuser, $username, $firstName, $lastName, $email, $isStaff, $isActive,
            $dateJoined,
        ]
    }

    public init() {}

    public init(
        id: Int? = nil, username: String, email: String = "", password: String, firstName: String = "",
        lastName: String = "", isActive: Bool = true, isStaff: Bool = false, isSuperuser: Bool = false,
        dateJoined: Date = Date(), lastLogin: Date? = nil
    ) {
        self.id = id
        self.username = username
        self.email = email
        self.password = password
        self.firstName = firstName
        self.lastName = lastName
        self.isActive = isActive
        self.isStaff = isStaff
        self.isSuperuser = isSuperuser
        self.dateJoined = dateJoined
        self.lastLogin = lastLogin
    }
}
