import Fluent
import Foundation

/// One login's line of refresh tokens (this package's table, `restauth_refreshfamily`).
/// Every refresh token, and every access token made from one, carries its family in the
/// `fam` claim. Revoking the family ends them all at once: on logout, on a password
/// change or reset (every family of the user but the caller's), and when a rotated
/// refresh token comes back (a sign that it was stolen).
public final class RefreshFamily: Model, @unchecked Sendable {
    public static let schema = "restauth_refreshfamily"

    @ID(custom: "family", generatedBy: .user)
    public var id: String?

    @Field(key: "user_id")
    public var userKey: UserKey

    @Field(key: "created_at")
    public var createdAt: Date

    /// When the family's newest refresh token expires; after that the row can go.
    @Field(key: "expires_at")
    public var expiresAt: Date

    @OptionalField(key: "revoked_at")
    public var revokedAt: Date?

    public var properties: [any AnyProperty] { [$id, $userKey, $createdAt, $expiresAt, $revokedAt] }

    public init() {}

    public init(family: String, userKey: UserKey, expiresAt: Date, createdAt: Date = Date()) {
        self.id = family
        self.userKey = userKey
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
