import Fluent
import Foundation

/// simplejwt's `BlacklistedToken` in `token_blacklist_blacklistedtoken`: a refresh token
/// that no longer works (used for a rotation, or logged out).
public final class BlacklistedToken: Model, @unchecked Sendable {
    public static let schema = "token_blacklist_blacklistedtoken"

    @ID(custom: "id", generatedBy: .database)
    public var id: Int?

    @Field(key: "blacklisted_at")
    public var blacklistedAt: Date

    @Parent(key: "token_id")
    public var token: OutstandingToken

    public var properties: [any AnyProperty] { [$id, $blacklistedAt, $token] }

    public init() {}

    public init(tokenID: Int, at date: Date = Date()) {
        self.$token.id = tokenID
        self.blacklistedAt = date
    }
}
