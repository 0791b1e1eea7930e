import Crypto
import Foundation
import RestAuth

/// X (Twitter) with OAuth 1.0a: the client's `access_token` and `token_secret`, checked by
/// reading the account with a request signed with HMAC-SHA1 (RFC 5849). The app's
/// `client_id` is the consumer key and `secret` the consumer secret.
public struct TwitterProvider: SocialProvider {
    public let id = "twitter"
    public var apiURL = "https://api.twitter.com"

    public init() {}

    public init(apiURL: String) {
        self.apiURL = apiURL
    }

    public var usesTokenSecret: Bool { true }

    public func exchange(code: String, context: SocialContext) async throws -> SocialTokens {
        throw SocialLoginError("OAuth 1.0a has no authorization code: send access_token and token_secret")
    }

    public func profile(for tokens: SocialTokens, context: SocialContext) async throws -> SocialProfile {
        let url = "\(apiURL)/1.1/account/verify_credentials.json"
        let query = [("include_email", "true")]
        let header = OAuth1.authorizationHeader(
            method: "GET", url: url, query: query, consumerKey: context.app.clientID,
            consumerSecret: context.app.secret,
            token: tokens.accessToken, tokenSecret: tokens.tokenSecret ?? "")
        let me = try await OAuth2.getJSON(
            url + "?" + OAuth2.formEncode(query), headers: ["Authorization": header], context: context)
        guard let uid = (me["id_str"] ?? me["id"]).flatMap(OAuth2.string) else { throw SocialLoginError("no user id") }
        let names = (me["name"]?.stringValue ?? "").split(separator: " ", maxSplits: 1).map(String.init)
        return SocialProfile(
            uid: uid, email: me["email"]?.stringValue, emailVerified: false, username: me["screen_name"]?.stringValue,
            firstName: names.first, lastName: names.count > 1 ? names[1] : nil, extraData: .object(me))
    }
}

/// RFC 5849 request signing with HMAC-SHA1.
public enum OAuth1 {
    public static func authorizationHeader(
        method: String, url: String, query: [(String, String)], consumerKey: String, consumerSecret: String,
        token: String,
        tokenSecret: String, nonce: String = UUID().uuidString.replacingOccurrences(of: "-", with: ""),
        timestamp: Int = Int(Date().timeIntervalSince1970)
    ) -> String {
        var oauth: [(String, String)] = [
            ("oauth_consumer_key", consumerKey), ("oauth_nonce", nonce), ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", String(timestamp)), ("oauth_token", token), ("oauth_version", "1.0"),
        ]
        let signature = self.signature(
            method: method, url: url, parameters: query + oauth, consumerSecret: consumerSecret,
            tokenSecret: tokenSecret)
        oauth.append(("oauth_signature", signature))
        return "OAuth "
            + oauth.map { "\(OAuth2.percentEncode($0))=\"\(OAuth2.percentEncode($1))\"" }.joined(separator: ", ")
    }

    /// The signature of a request: HMAC-SHA1 over the signature base string.
    public static func signature(
        method: String, url: String, parameters: [(String, String)], consumerSecret: String, tokenSecret: String
    ) -> String {
        let encoded: [(key: String, value: String)] = parameters.map {
            (OAuth2.percentEncode($0), OAuth2.percentEncode($1))
        }
        let sorted = encoded.sorted { (a, b) -> Bool in a.key == b.key ? a.value < b.value : a.key < b.key }
        let normalized = sorted.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        let base = [method.uppercased(), OAuth2.percentEncode(url), OAuth2.percentEncode(normalized)].joined(
            separator: "&")
        let key = OAuth2.percentEncode(consumerSecret) + "&" + OAuth2.percentEncode(tokenSecret)
        let mac = HMAC<Insecure.SHA1>.authenticationCode(
            for: Array(base.utf8), using: SymmetricKey(data: Array(key.utf8)))
        return Data(mac).base64EncodedString()
    }
}
