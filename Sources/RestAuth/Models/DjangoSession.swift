import Fluent
import Foundation

/// A row of Django's `django_session`: the session key, its signed data and its expiry.
public final class DjangoSession: Model, @unchecked Sendable {
    public static let schema = "django_session"

    @ID(custom: "session_key", generatedBy: .user)
    public var id: String?

    /// The session dictionary, signed as Django's `signing.dumps` writes it.
    @Field(key: "session_data")
    public var sessionData: String

    @Field(key: "expire_date")
    public var expireDate: Date

    /// The model's properties, listed rather than found by reflection: Fluent reads them on
    /// every decode and save, and reflection was a tenth of a token request's time.
    public var properties: [any AnyProperty] { [$id, $sessionData, $expireDate] }

    public init() {}

    public init(key: String, data: String, expireDate: Date) {
        self.id = key
        self.sessionData = data
        self.expireDate = expireDate
    }
}
