import Fluent

/// allauth's `EmailAddress` in `account_emailaddress`: the addresses of a user, which one
/// is primary and which are verified.
public final class EmailAddress: Model, @unchecked Sendable {
    public static let schema = "account_emailaddress"

    @ID(custom: "id", generatedBy: .database)
    public var id: Int?

    /// Stored in lower case, as allauth stores it.
    @Field(key: "email")
    public var email: String

    @Field(key: "verified")
    public var verified: Bool

    @Field(key: "primary")
    public var primary: Bool

    /// The user's key (`user_id`, typed as the user table's key).
    @Field(key: "user_id")
    public var userKey: UserKey

    /// The model's properties, listed rather than found by reflection: Fluent reads them on
    /// every decode and save, and reflection was a tenth of a token request's time.
    public var properties: [any AnyProperty] { [$id, $email, $verified, $primary, $userKey] }

    public init() {}

    public init(id: Int? = nil, email: String, verified: Bool = false, primary: Bool = true, userKey: UserKey) {
        self.id = id
        self.email = email
        self.verified = verified
        self.primary = primary
        self.userKey = userKey
    }
}
