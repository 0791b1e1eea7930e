import Fluent
import Foundation
import RestAuth

/// allauth's `SocialApp` in `socialaccount_socialapp`: a provider's client credentials, as
/// the Django admin keeps them.
public final class SocialApp: Model, @unchecked Sendable {
    public static let schema = "socialaccount_socialapp"

    @ID(custom: "id", generatedBy: .database)
    public var id: Int?

    @Field(key: "provider")
    public var provider: String

    @Field(key: "provider_id")
    public var providerID: String

    @Field(key: "name")
    public var name: String

    @Field(key: "client_id")
    public var clientID: String

    @Field(key: "secret")
    public var secret: String

    @Field(key: "key")
    public var key: String

    /// Provider settings (Django's `JSONField`): Apple's `certificate_key`, an OpenID
    /// Connect provider's `server_url`...
    @Field(key: "settings")
    var storedSettings: StoredJSON

    public var settings: JSONValue {
        get { storedSettings.value }
        set { storedSettings = StoredJSON(newValue) }
    }

    public var properties: [any AnyProperty] {
        [$id, $provider, $providerID, $name, $clientID, $secret, $key, $storedSettings]
    }

    public init() {}

    public init(
        provider: String, providerID: String = "", name: String, clientID: String, secret: String, key: String = "",
        settings: JSONValue = .object(JSONObject())
    ) {
        self.provider = provider
        self.providerID = providerID
        self.name = name
        self.clientID = clientID
        self.secret = secret
        self.key = key
        self.settings = settings
    }
}
