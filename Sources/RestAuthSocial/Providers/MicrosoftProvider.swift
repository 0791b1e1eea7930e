import Foundation
import RestAuth

/// Microsoft (Entra ID, OpenID Connect): a code, an access token (read through Graph),
/// or an id_token checked against the tenant's keys.
public struct MicrosoftProvider: SocialProvider {
    public let id = "microsoft"
    public var loginURL = "https://login.microsoftonline.com"
    public var graphURL = "https://graph.microsoft.com"
    /// `common`, `organizations`, `consumers`, or a tenant id (allauth's `TENANT`). It binds
    /// every way in: a code is exchanged at the tenant's endpoint; an id_token must come
    /// from the tenant (for `organizations`, any work or school tenant; for `consumers`, the
    /// personal-account tenant); an access token must be a JWT whose `tid` says the same
    /// (for access-token logins a specific tenant is its id, a GUID).
    public var tenant = "common"
    /// Accept access tokens Microsoft issues as opaque strings (personal accounts' Graph
    /// tokens), with `common` or `consumers` only. Off by default: such a token names
    /// neither the app it was issued to nor its tenant, so a token any other app obtained
    /// for the user would log them in here. Turn it on only for clients that cannot send a
    /// code or an id_token (`SOCIALACCOUNT_MICROSOFT_OPAQUE_ACCESS_TOKENS=true`).
    public var acceptOpaqueAccessTokens = false

    /// The tenant of every personal Microsoft account.
    public static let consumersTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"

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
        let claims = tokens.issuedToThisApp ? nil : Self.unverifiedClaims(tokens.accessToken)
        if !tokens.issuedToThisApp && claims == nil {
            guard acceptOpaqueAccessTokens, ["common", "consumers"].contains(tenant.lowercased()) else {
                throw SocialLoginError(
                    "an opaque access token names neither its app nor its tenant (tenant \(tenant)); send a code or an id_token"
                )
            }
        }
        let me = try await OAuth2.getJSON("\(graphURL)/v1.0/me", bearer: tokens.accessToken, context: context)
        if let claims {
            // Graph accepted the token, so its claims are Microsoft's: it must be this app's,
            // from the configured tenant.
            let app = [claims["appid"], claims["azp"]].compactMap { $0?.stringValue }
            guard app.contains(where: context.app.audiences.contains) else {
                throw SocialLoginError("the access token was issued to another app")
            }
            try checkTenant(claims["tid"]?.stringValue, exact: true)
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
        // The issuer binds a specific tenant; the multi-tenant values bind a class of tenants.
        try checkTenant(claims["tid"]?.stringValue, exact: false)
        guard let oid = claims["oid"]?.stringValue ?? claims["sub"]?.stringValue else {
            throw SocialLoginError("no user id")
        }
        return SocialProfile(
            uid: Self.graphID(fromObjectID: oid), email: (claims["email"] ?? claims["preferred_username"])?.stringValue,
            emailVerified: false,
            firstName: claims["given_name"]?.stringValue, lastName: claims["family_name"]?.stringValue,
            extraData: .object(claims))
    }

    /// Whether a token's `tid` fits ``tenant``: any for `common`, a work or school tenant
    /// for `organizations`, the personal-account tenant for `consumers`, and, when `exact`,
    /// the configured tenant itself for any other value.
    func checkTenant(_ tid: String?, exact: Bool) throws {
        let tid = tid?.lowercased()
        let fits: Bool
        switch tenant.lowercased() {
        case "common": fits = true
        case "organizations": fits = tid != nil && tid != Self.consumersTenant
        case "consumers": fits = tid == Self.consumersTenant
        case let specific: fits = !exact || tid == specific
        }
        guard fits else {
            throw SocialLoginError("the token's tenant \(tid ?? "(none)") is not allowed by tenant \(tenant)")
        }
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
