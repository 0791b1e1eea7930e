import Foundation
import RestAuth

/// Microsoft (Entra ID, OpenID Connect): a code, an access token (read through Graph),
/// or an id_token checked against the tenant's keys.
public struct MicrosoftProvider: SocialProvider {
    public let id = "microsoft"
    public var loginURL = "https://login.microsoftonline.com"
    public var graphURL = "https://graph.microsoft.com"
    /// `common`, `organizations`, `consumers`, or a tenant id (allauth's `TENANT`).
    public var tenant = "common"

    public init() {}

    public init(loginURL: String, graphURL: String, tenant: String = "common") {
        self.loginURL = loginURL
        self.graphURL = graphURL
        self.tenant = tenant
    }

    public func exchange(code: String, context: SocialContext) async throws -> SocialTokens {
        try await OAuth2.exchange(
            code: code, tokenURL: "\(loginURL)/\(tenant)/oauth2/v2.0/token", context: context,
            extra: [("scope", "openid email profile User.Read")])
    }

    public func profile(for tokens: SocialTokens, context: SocialContext) async throws -> SocialProfile {
        let me = try await OAuth2.getJSON("\(graphURL)/v1.0/me", bearer: tokens.accessToken, context: context)
        guard let uid = me["id"].flatMap(OAuth2.string) else { throw SocialLoginError("no user id") }
        return SocialProfile(
            uid: uid, email: (me["mail"] ?? me["userPrincipalName"])?.stringValue, emailVerified: false,
            firstName: me["givenName"]?.stringValue, lastName: me["surname"]?.stringValue, extraData: .object(me))
    }

    public func profile(forIDToken idToken: String, context: SocialContext) async throws -> SocialProfile? {
        // A multi-tenant app accepts every tenant's issuer; the token names its tenant.
        let unverified = IDTokenVerifier.base64URL(
            idToken.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first ?? ""
        )
        .flatMap { try? JSONValue.parse($0) }
        var tenantID = tenant
        if ["common", "organizations", "consumers"].contains(tenant), case .object(let claims)? = unverified,
            let tid = claims["tid"]?.stringValue
        {
            tenantID = tid
        }
        let claims = try await IDTokenVerifier.verify(
            idToken, jwksURL: "\(loginURL)/\(tenant)/discovery/v2.0/keys", issuers: ["\(loginURL)/\(tenantID)/v2.0"],
            audience: context.app.clientID, context: context)
        guard let uid = claims["oid"]?.stringValue ?? claims["sub"]?.stringValue else {
            throw SocialLoginError("no user id")
        }
        return SocialProfile(
            uid: uid, email: (claims["email"] ?? claims["preferred_username"])?.stringValue, emailVerified: false,
            firstName: claims["given_name"]?.stringValue, lastName: claims["family_name"]?.stringValue,
            extraData: .object(claims))
    }
}
