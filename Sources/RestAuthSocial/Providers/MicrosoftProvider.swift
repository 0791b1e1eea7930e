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
        if !tokens.issuedToThisApp, let claims = Self.unverifiedClaims(tokens.accessToken) {
            // Graph accepted the token, so its claims are Microsoft's: it must be this app's.
            // (Personal accounts' tokens are opaque and cannot be checked this way.)
            let app = [claims["appid"], claims["azp"]].compactMap { $0?.stringValue }
            guard app.contains(where: context.app.audiences.contains) else {
                throw SocialLoginError("the access token was issued to another app")
            }
        }
        guard let uid = me["id"].flatMap(OAuth2.string) else { throw SocialLoginError("no user id") }
        return SocialProfile(
            uid: uid, email: (me["mail"] ?? me["userPrincipalName"])?.stringValue, emailVerified: false,
            firstName: me["givenName"]?.stringValue, lastName: me["surname"]?.stringValue, extraData: .object(me))
    }

    public func profile(forIDToken idToken: String, context: SocialContext) async throws -> SocialProfile? {
        // A multi-tenant app accepts every tenant's issuer; the token names its tenant.
        let unverified = Self.unverifiedClaims(idToken).map(JSONValue.object)
        var tenantID = tenant
        if ["common", "organizations", "consumers"].contains(tenant), case .object(let claims)? = unverified,
            let tid = claims["tid"]?.stringValue
        {
            tenantID = tid
        }
        let claims = try await IDTokenVerifier.verify(
            idToken, jwksURL: "\(loginURL)/\(tenant)/discovery/v2.0/keys", issuers: ["\(loginURL)/\(tenantID)/v2.0"],
            audiences: context.app.audiences, context: context)
        guard let oid = claims["oid"]?.stringValue ?? claims["sub"]?.stringValue else {
            throw SocialLoginError("no user id")
        }
        return SocialProfile(
            uid: Self.graphID(fromObjectID: oid), email: (claims["email"] ?? claims["preferred_username"])?.stringValue,
            emailVerified: false,
            firstName: claims["given_name"]?.stringValue, lastName: claims["family_name"]?.stringValue,
            extraData: .object(claims))
    }

    /// The id Graph's `/me` gives the same user (the uid a code login stores), from an
    /// id_token's `oid`: a work or school account's object id is its Graph id; a personal
    /// account's is `00000000-0000-0000-` and the 16 hex digits Graph answers as its id.
    static func graphID(fromObjectID oid: String) -> String {
        let personal = "00000000-0000-0000-"
        guard oid.lowercased().hasPrefix(personal) else { return oid }
        let rest = oid.dropFirst(personal.count).replacingOccurrences(of: "-", with: "").lowercased()
        guard rest.count == 16, rest.allSatisfy(\.isHexDigit) else { return oid }
        return rest
    }

    /// The claims of a JWT, unchecked; nil for an opaque token.
    static func unverifiedClaims(_ token: String) -> JSONObject? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = IDTokenVerifier.base64URL(parts[1]),
            case .object(let claims)? = try? JSONValue.parse(payload)
        else { return nil }
        return claims
    }
}
