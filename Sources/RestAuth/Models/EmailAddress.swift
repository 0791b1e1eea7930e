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

    @Parent(key: "user_id")
    public var user: AuthUser

    /// The model's properties, listed rather than found by reflection: Fluent reads them on
    /// every decode and save, and reflection was a tenth of a token request's time.
    public var properties: [any AnyProperty] { [$id, $email, $verified, $primary, $user] }

    public init() {}

    public init(id: Int? = nil, email: String, verified: Bool = false, primary: Bool = true, userID: Int) {
        self.id = id
        self.email = email
        self.verified = verified
        self.primary = primary
        self.$user.id = userID
    }
}
