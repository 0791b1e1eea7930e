import Foundation
import JWTKit
import RestAuth

/// Sign in with Apple: a code (exchanged with a client secret that is an ES256 JWT made
/// from the team id, key id and private key) or an id_token, checked against Apple's keys.
///
/// Credentials as allauth keeps them: `client_id` is the Services ID, `secret` the key id,
/// `key` the team id, and the setting `certificate_key` the private key (PEM).
public struct AppleProvider: SocialProvider {
    public let id = "apple"
    public var baseURL = "https://appleid.apple.com"
    /// The `iss` of Apple's id_tokens (and the `aud` of the client secret).
    public var issuer = "https://appleid.apple.com"

    public init() {}

    public init(baseURL: String) {
        self.baseURL = baseURL
        self.issuer = baseURL
    }

    struct ClientSecretClaims: JWTPayload {
        let iss: String
        let iat: Int
        let exp: Int
        let aud: String
        let sub: String

        func verify(using algorithm: some JWTKit.JWTAlgorithm) async throws {}
    }

    /// The client secret Apple asks for: an ES256 JWT signed with the app's private key.
    func clientSecret(context: SocialContext) async throws -> String {
        let app = context.app
        guard let pem = app.setting("certificate_key") else {
            throw SocialLoginError("the Apple app has no certificate_key")
        }
        let keys = JWTKeyCollection()
        do {
            await keys.add(ecdsa: try ES256PrivateKey(pem: pem), kid: JWKIdentifier(string: app.secret))
        } catch {
            throw SocialLoginError("the Apple app's certificate_key is not an ES256 private key")
        }
        let now = Int(context.now.timeIntervalSince1970)
        return try await keys.sign(
            ClientSecretClaims(iss: app.key, iat: now, exp: now + 3600, aud: issuer, sub: app.clientID),
            kid: JWKIdentifier(string: app.secret))
    }

    public func exchange(code: String, context: SocialContext) async throws -> SocialTokens {
        let secret = try await clientSecret(context: context)
        return try await OAuth2.exchange(
            code: code, tokenURL: "\(baseURL)/auth/token", context: context, clientSecret: secret)
    }

    public func profile(for tokens: SocialTokens, context: SocialContext) async throws -> SocialProfile {
        guard let idToken = tokens.idToken, let profile = try await profile(forIDToken: idToken, context: context)
        else {
            throw SocialLoginError("Apple answers with an id_token, and none came")
        }
        return profile
    }

    public func profile(forIDToken idToken: String, context: SocialContext) async throws -> SocialProfile? {
        let claims = try await IDTokenVerifier.verify(
            idToken, jwksURL: "\(baseURL)/auth/keys", issuers: [issuer], audiences: context.app.audiences,
            context: context)
        guard let uid = claims["sub"]?.stringValue else { throw SocialLoginError("no user id") }
        return SocialProfile(
            uid: uid, email: claims["email"]?.stringValue,
            emailVerified: IDTokenVerifier.isTrue(claims["email_verified"]),
            extraData: .object(claims))
    }
}
