import Fluent
import Foundation

/// DRF's `authtoken.Token` in `authtoken_token`: one 40-hex-character key per user.
public final class AuthToken: Model, @unchecked Sendable {
    public static let schema = "authtoken_token"

    /// The key itself is the primary key, as in DRF.
    @ID(custom: "key", generatedBy: .user)
    public var id: String?

    @Field(key: "created")
    public var created: Date

    /// The user's key (`user_id`, typed as the user table's key).
    @Field(key: "user_id")
    public var userKey: UserKey

    /// The model's properties, listed rather than found by reflection: Fluent reads them on
    /// every decode and save, and reflection was a tenth of a token request's time.
    public var properties: [any AnyProperty] { [$id, $created, $userKey] }

    public init() {}

    public init(key: String = AuthToken.generateKey(), userKey: UserKey, created: Date = Date()) {
        self.id = key
        self.userKey = userKey
        self.created = created
    }

    /// DRF's `Token.generate_key()`: 20 random bytes in hex.
    public static func generateKey() -> String {
        SaltGenerator.randomHex(bytes: 20)
    }
}
