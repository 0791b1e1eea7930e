import Fluent
import Foundation

/// simplejwt's `OutstandingToken` in `token_blacklist_outstandingtoken`: every refresh
/// token issued, by `jti`.
public final class OutstandingToken: Model, @unchecked Sendable {
    public static let schema = "token_blacklist_outstandingtoken"

    @ID(custom: "id", generatedBy: .database)
    public var id: Int?

    /// simplejwt stores the token itself; this package stores `sha256:<hex>` of it, so a
    /// copy of the database holds no usable refresh token.
    @Field(key: "token")
    public var token: String

    @OptionalField(key: "created_at")
    public var createdAt: Date?

    @Field(key: "expires_at")
    public var expiresAt: Date

    @OptionalField(key: "user_id")
    public var userKey: UserKey?

    @Field(key: "jti")
    public var jti: String

    public var properties: [any AnyProperty] { [$id, $token, $createdAt, $expiresAt, $userKey, $jti] }

    public init() {}

    public init(jti: String, token: String, userKey: UserKey?, createdAt: Date, expiresAt: Date) {
        self.jti = jti
        self.token = token
        self.userKey = userKey
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
