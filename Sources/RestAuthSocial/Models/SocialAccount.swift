import Fluent
import Foundation
import RestAuth

/// allauth's `SocialAccount` in `socialaccount_socialaccount`: a provider's user (by
/// provider and uid) linked to a user of the app.
public final class SocialAccount: Model, @unchecked Sendable {
    public static let schema = "socialaccount_socialaccount"

    @ID(custom: "id", generatedBy: .database)
    public var id: Int?

    @Field(key: "provider")
    public var provider: String

    @Field(key: "uid")
    public var uid: String

    @Field(key: "last_login")
    public var lastLogin: Date

    @Field(key: "date_joined")
    public var dateJoined: Date

    @Field(key: "extra_data")
    var storedExtraData: StoredJSON

    /// What the provider said about the user (Django's `JSONField`).
    public var extraData: JSONValue {
        get { storedExtraData.value }
        set { storedExtraData = StoredJSON(newValue) }
    }

    @Field(key: "user_id")
    public var userKey: UserKey

    public var properties: [any AnyProperty] {
        [$id, $provider, $uid, $lastLogin, $dateJoined, $storedExtraData, $userKey]
    }

    public init() {}

    public init(provider: String, uid: String, userKey: UserKey, extraData: JSONValue, now: Date = Date()) {
        self.provider = provider
        self.uid = uid
        self.userKey = userKey
        self.extraData = extraData
        self.lastLogin = now
        self.dateJoined = now
    }
}
