import Crypto
import Foundation
import RestAuth

/// Facebook: an access token or a code. The token must belong to the configured app
/// (checked through Graph's `debug_token`), and every call carries `appsecret_proof`.
public struct FacebookProvider: SocialProvider {
    public let id = "facebook"
    public var graphURL = "https://graph.facebook.com"
    /// The Graph API version; an app's `version` setting (the table's `settings`, or
    /// `SOCIALACCOUNT_FACEBOOK_SETTINGS`) overrides it.
    public var version = "v19.0"
    /// allauth's `VERIFIED_EMAIL`: whether Facebook's addresses count as verified; an app's
    /// `verified_email` setting overrides it.
    public var verifiedEmail = false

    func version(_ context: SocialContext) -> String { context.app.setting("version") ?? version }

    func verifiedEmail(_ context: SocialContext) -> Bool {
        if case .bool(let value)? = context.app.settings["verified_email"] { return value }
        return verifiedEmail
    }

    public init() {}

    public init(graphURL: String) {
        self.graphURL = graphURL
    }

    public func exchange(code: String, context: SocialContext) async throws -> SocialTokens {
        guard let callback = context.app.callbackURL else { throw SocialLoginError("Define callback_url in view") }
        let query = OAuth2.formEncode([
            ("client_id", context.app.clientID), ("redirect_uri", callback), ("client_secret", context.app.secret),
            ("code", code),
        ])
        let answer = try await OAuth2.getJSON(
            "\(graphURL)/\(version(context))/oauth/access_token?\(query)", context: context)
        return try OAuth2.tokens(from: answer, now: context.now)
    }

    /// `hex(HMAC-SHA256(app secret, access token))`.
    static func appSecretProof(token: String, secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(token.utf8), using: SymmetricKey(data: Array(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    public func profile(for tokens: SocialTokens, context: SocialContext) async throws -> SocialProfile {
        let app = context.app
        let debug = try await OAuth2.getJSON(
            "\(graphURL)/debug_token?"
                + OAuth2.formEncode([
                    ("input_token", tokens.accessToken), ("access_token", "\(app.clientID)|\(app.secret)"),
                ]),
            context: context)
        guard case .object(let data)? = debug["data"], data["app_id"].flatMap(OAuth2.string) == app.clientID,
            data["is_valid"] == .bool(true)
        else {
            throw SocialLoginError("the access token was not issued to this app")
        }
        let query = OAuth2.formEncode([
            ("fields", "id,email,first_name,last_name,name"), ("access_token", tokens.accessToken),
            ("appsecret_proof", Self.appSecretProof(token: tokens.accessToken, secret: app.secret)),
        ])
        let me = try await OAuth2.getJSON("\(graphURL)/\(version(context))/me?\(query)", context: context)
        guard let uid = me["id"].flatMap(OAuth2.string) else { throw SocialLoginError("no user id") }
        return SocialProfile(
            uid: uid, email: me["email"]?.stringValue, emailVerified: verifiedEmail(context) && me["email"] != nil,
            firstName: me["first_name"]?.stringValue, lastName: me["last_name"]?.stringValue, extraData: .object(me))
    }
}
