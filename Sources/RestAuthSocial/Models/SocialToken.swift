import Fluent
import Foundation

/// allauth's `SocialToken` in `socialaccount_socialtoken`: the provider's tokens for an account.
public final class SocialToken: Model, @unchecked Sendable {
    public static let schema = "socialaccount_socialtoken"

    @ID(custom: "id", generatedBy: .database)
    public var id: Int?

    @Field(key: "token")
    public var token: String

    @Field(key: "token_secret")
    public var tokenSecret: String

    @OptionalField(key: "expires_at")
    public var expiresAt: Date?

    @Field(key: "account_id")
    public var accountID: Int

    @OptionalField(key: "app_id")
    public var appID: Int?

    public var properties: [any AnyProperty] { [$id, $token, $tokenSecret, $expiresAt, $accountID, $appID] }

    public init() {}
}
