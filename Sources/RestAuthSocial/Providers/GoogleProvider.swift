import Foundation
import RestAuth

/// Google: an authorization code, an access token, or an id_token checked against
/// Google's keys (signature, `iss`, `aud` equal to the client id, `exp`). An access token
/// the client sends must have been issued to this app (Google's `tokeninfo` names its
/// audience): a token another app holds for the user does not log them in here.
public struct GoogleProvider: SocialProvider {
    public let id = "google"
    public var tokenURL = "https://oauth2.googleapis.com/token"
    public var userInfoURL = "https://openidconnect.googleapis.com/v1/userinfo"
    public var jwksURL = "https://www.googleapis.com/oauth2/v3/certs"
    public var tokenInfoURL = "https://oauth2.googleapis.com/tokeninfo"
    public var issuers = ["https://accounts.google.com", "accounts.google.com"]

    public init() {}

    /// Every URL under one base (a test server, a proxy).
    public init(baseURL: String) {
        tokenURL = "\(baseURL)/token"
        userInfoURL = "\(baseURL)/userinfo"
        jwksURL = "\(baseURL)/certs"
        tokenInfoURL = "\(baseURL)/tokeninfo"
        issuers = [baseURL]
    }

    public func exchange(code: String, context: SocialContext) async throws -> SocialTokens {
        try await OAuth2.exchange(code: code, tokenURL: tokenURL, context: context)
    }

    public func profile(for tokens: SocialTokens, context: SocialContext) async throws -> SocialProfile {
        if let idToken = tokens.idToken, let profile = try await profile(forIDToken: idToken, context: context) {
            return profile
        }
        let info = try await OAuth2.getJSON(userInfoURL, bearer: tokens.accessToken, context: context)
        let profile = try Self.profile(from: info)
        if !tokens.issuedToThisApp {
            let query = OAuth2.formEncode([("access_token", tokens.accessToken)])
            let grant = try await OAuth2.getJSON("\(tokenInfoURL)?\(query)", context: context)
            let audiences = [grant["aud"], grant["azp"]].compactMap { $0?.stringValue }
            guard audiences.contains(where: context.app.audiences.contains) else {
                throw SocialLoginError("the access token was issued to another app")
            }
            guard grant["sub"]?.stringValue == profile.uid else {
                throw SocialLoginError("the access token's user is not the user-info answer's")
            }
        }
        return profile
    }

    public func profile(forIDToken idToken: String, context: SocialContext) async throws -> SocialProfile? {
        let claims = try await IDTokenVerifier.verify(
            idToken, jwksURL: jwksURL, issuers: issuers, audiences: context.app.audiences, context: context)
        return try Self.profile(from: claims)
    }

    static func profile(from claims: JSONObject) throws -> SocialProfile {
        guard let uid = (claims["sub"] ?? claims["id"]).flatMap(OAuth2.string) else {
            throw SocialLoginError("no user id")
        }
        return SocialProfile(
            uid: uid, email: claims["email"]?.stringValue,
            emailVerified: IDTokenVerifier.isTrue(claims["email_verified"] ?? claims["verified_email"]),
            firstName: claims["given_name"]?.stringValue, lastName: claims["family_name"]?.stringValue,
            extraData: .object(claims))
    }
}
