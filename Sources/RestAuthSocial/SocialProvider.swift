import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import RestAuth

/// A provider's client credentials (allauth's `SocialApp`): from the configuration or
/// from `socialaccount_socialapp`.
public struct SocialAppCredentials: Sendable {
    public var clientID: String
    public var secret: String
    /// allauth's `key` (Apple's key id, an OAuth 1.0a consumer key when it differs).
    public var key: String
    /// Provider settings (allauth's `settings` JSON): base URLs, Apple's team id and private key...
    public var settings: JSONObject
    /// Where the client sent the user for a `code` (its redirect URI); needed to exchange one.
    public var callbackURL: String?
    /// The row of `socialaccount_socialapp` these came from, if any.
    public var appID: Int?

    public init(
        clientID: String, secret: String = "", key: String = "", settings: JSONObject = JSONObject(),
        callbackURL: String? = nil, appID: Int? = nil
    ) {
        self.clientID = clientID
        self.secret = secret
        self.key = key
        self.settings = settings
        self.callbackURL = callbackURL
        self.appID = appID
    }

    /// A string setting.
    public func setting(_ name: String) -> String? {
        settings[name]?.stringValue
    }

    /// The client ids whose tokens count as this app's: the client id and the setting
    /// `audiences` (a mobile app's own client ids, as Google gives Android and iOS apps).
    public var audiences: [String] {
        var ids = [clientID]
        if case .array(let extra)? = settings["audiences"] { ids += extra.compactMap(\.stringValue) }
        return ids
    }
}

/// What a client sent to log in: one of an access token, a code or an id_token (and the
/// token secret for OAuth 1.0a).
public struct SocialCredentials: Sendable {
    public var accessToken: String?
    public var code: String?
    public var idToken: String?
    public var tokenSecret: String?

    public init(accessToken: String? = nil, code: String? = nil, idToken: String? = nil, tokenSecret: String? = nil) {
        self.accessToken = accessToken
        self.code = code
        self.idToken = idToken
        self.tokenSecret = tokenSecret
    }
}

/// The provider's tokens, stored in `socialaccount_socialtoken`.
public struct SocialTokens: Sendable {
    public var accessToken: String
    public var refreshToken: String?
    public var idToken: String?
    public var tokenSecret: String?
    public var expiresAt: Date?
    /// Whether the tokens came from this app's own code exchange. An access token a client
    /// sends may have been issued to another app (one the user signed in to, which then
    /// replays it here); providers that can tell check whose it is when this is false.
    public var issuedToThisApp: Bool

    public init(
        accessToken: String, refreshToken: String? = nil, idToken: String? = nil, tokenSecret: String? = nil,
        expiresAt: Date? = nil, issuedToThisApp: Bool = false
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.idToken = idToken
        self.tokenSecret = tokenSecret
        self.expiresAt = expiresAt
        self.issuedToThisApp = issuedToThisApp
    }
}

/// Who the provider says the user is.
public struct SocialProfile: Sendable {
    /// The provider's stable id for the user.
    public var uid: String
    public var email: String?
    /// Whether the provider vouches for the address; only then is it stored as verified.
    public var emailVerified: Bool
    /// A username the provider suggests (GitHub's login, X's screen name).
    public var username: String?
    public var firstName: String?
    public var lastName: String?
    /// Everything the provider said, kept in `extra_data`.
    public var extraData: JSONValue

    public init(
        uid: String, email: String? = nil, emailVerified: Bool = false, username: String? = nil,
        firstName: String? = nil,
        lastName: String? = nil, extraData: JSONValue = .object(JSONObject())
    ) {
        self.uid = uid
        self.email = email
        self.emailVerified = emailVerified
        self.username = username
        self.firstName = firstName
        self.lastName = lastName
        self.extraData = extraData
    }
}

/// A provider's answer that does not prove a login: dj-rest-auth's "Incorrect value".
public struct SocialLoginError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What a provider can use: the HTTP client, its app's credentials, a logger, the clock.
public struct SocialContext: Sendable {
    public var http: HTTPClient
    public var app: SocialAppCredentials
    public var logger: Logger
    /// JWKS documents, cached across logins.
    let keys: JWKSCache
    /// How long one call to the provider may take.
    public var timeout: TimeAmount = .seconds(15)
    /// allauth's `SOCIALACCOUNT_QUERY_EMAIL`: ask the provider for the user's address where
    /// that takes a call of its own (GitHub's `/user/emails`).
    public var queryEmail = true

    public var now: Date { Date() }
}

/// A social login provider, small enough to write in one short file: how to turn a code
/// into tokens, how to read the profile, and (for OpenID Connect) how to check an
/// id_token. The standard OAuth 2 code exchange is provided (``OAuth2``).
///
/// ```swift
/// struct GitLab: SocialProvider {
///     let id = "gitlab"
///     var baseURL = "https://gitlab.com"
///     func exchange(code: String, context: SocialContext) async throws -> SocialTokens {
///         try await OAuth2.exchange(code: code, tokenURL: "\(baseURL)/oauth/token", context: context)
///     }
///     func profile(for tokens: SocialTokens, context: SocialContext) async throws -> SocialProfile {
///         let me = try await OAuth2.getJSON("\(baseURL)/api/v4/user", bearer: tokens.accessToken, context: context)
///         guard let id = me["id"].map(OAuth2.string) ?? nil else { throw SocialLoginError("no id") }
///         return SocialProfile(
///             uid: id, email: me["email"]?.stringValue,
///             emailVerified: me["confirmed_at"]?.stringValue != nil,  // a date, not null
///             username: me["username"]?.stringValue, extraData: .object(me))
///     }
/// }
/// ```
public protocol SocialProvider: Sendable {
    /// The id in URLs and in `socialaccount_socialaccount.provider` (allauth's: `google`, `github`, ...).
    var id: String { get }
    /// Trades an authorization code for tokens.
    func exchange(code: String, context: SocialContext) async throws -> SocialTokens
    /// Reads the profile with the tokens.
    func profile(for tokens: SocialTokens, context: SocialContext) async throws -> SocialProfile
    /// Checks an id_token and reads the profile from it; nil when the provider has none.
    func profile(forIDToken idToken: String, context: SocialContext) async throws -> SocialProfile?
    /// Whether the provider needs the token secret (OAuth 1.0a).
    var usesTokenSecret: Bool { get }
}

extension SocialProvider {
    public func profile(forIDToken idToken: String, context: SocialContext) async throws -> SocialProfile? { nil }
    public var usesTokenSecret: Bool { false }
}

extension SocialProvider {
    /// The provider's name as people write it (`GitHub`, `OpenID Connect`, `Google`).
    public var displayName: String { SocialController.displayName(id) }
}
