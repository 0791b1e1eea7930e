import Foundation
import RestAuth

/// Any OpenID Connect provider (Keycloak, GitLab, Auth0, Okta...) from its discovery
/// document at `<server>/.well-known/openid-configuration`. A login checks the
/// id_token's signature against the provider's JWKS, `iss`, `aud` (the client id) and
/// `exp`, and the `sub` of the user-info answer against it. A bare access token from the
/// client is introspected (RFC 7662) when the provider offers it, and must be this app's.
public struct OpenIDConnectProvider: SocialProvider {
    public let id: String
    /// The issuer; its discovery document names the other endpoints. Nil to read it from
    /// the app's settings (`server_url`, where allauth keeps it in `socialaccount_socialapp`).
    public let serverURL: String?

    public init(id: String, serverURL: String? = nil) {
        self.id = id
        self.serverURL = serverURL.map(Self.trimmed)
    }

    static func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }

    struct Discovery {
        var issuer: String
        var tokenEndpoint: String
        var userInfoEndpoint: String?
        var jwksURI: String
        var introspectionEndpoint: String?
        var tokenAuthMethods: [String]
        var authorizationEndpoint: String?
    }

    func discovery(_ context: SocialContext) async throws -> Discovery {
        guard let server = serverURL ?? context.app.setting("server_url").map(Self.trimmed) else {
            throw SocialLoginError("the \(id) app has no server_url")
        }
        let document = try await context.keys.document("\(server)/.well-known/openid-configuration", context: context)
        guard let issuer = document["issuer"]?.stringValue, let token = document["token_endpoint"]?.stringValue,
            let jwks = document["jwks_uri"]?.stringValue
        else {
            throw SocialLoginError("the provider's discovery document is incomplete")
        }
        // OpenID Connect Discovery §4.3: the document is the issuer's own.
        guard Self.trimmed(issuer) == server else {
            throw SocialLoginError("the discovery document names another issuer")
        }
        var methods: [String] = []
        if case .array(let values)? = document["token_endpoint_auth_methods_supported"] {
            methods = values.compactMap(\.stringValue)
        }
        return Discovery(
            issuer: issuer, tokenEndpoint: token, userInfoEndpoint: document["userinfo_endpoint"]?.stringValue,
            jwksURI: jwks, introspectionEndpoint: document["introspection_endpoint"]?.stringValue,
            tokenAuthMethods: methods, authorizationEndpoint: document["authorization_endpoint"]?.stringValue)
    }

    /// The app's credentials at the token endpoint: allauth's `token_auth_method` setting
    /// when the app has one; else in the body (allauth's default), unless the provider
    /// says it takes only HTTP basic authentication.
    static func usesBasicAuth(settings: JSONObject, supported: [String]) -> Bool {
        if let method = settings["token_auth_method"]?.stringValue { return method == "client_secret_basic" }
        return !supported.isEmpty && !supported.contains("client_secret_post")
            && supported.contains("client_secret_basic")
    }

    public func exchange(code: String, context: SocialContext) async throws -> SocialTokens {
        let discovery = try await discovery(context)
        return try await OAuth2.exchange(
            code: code, tokenURL: discovery.tokenEndpoint, context: context,
            basicAuth: Self.usesBasicAuth(settings: context.app.settings, supported: discovery.tokenAuthMethods))
    }

    public func profile(for tokens: SocialTokens, context: SocialContext) async throws -> SocialProfile {
        let discovery = try await discovery(context)
        var claims = JSONObject()
        if let idToken = tokens.idToken {
            claims = try await IDTokenVerifier.verify(
                idToken, jwksURL: discovery.jwksURI, issuers: [discovery.issuer], audiences: context.app.audiences,
                context: context)
        }
        if let userInfo = discovery.userInfoEndpoint {
            let info = try await OAuth2.getJSON(userInfo, bearer: tokens.accessToken, context: context)
            if let subject = claims["sub"], info["sub"] != subject {
                throw SocialLoginError("the user-info answer is about someone else than the id_token")
            }
            for (key, value) in info.pairs { claims[key] = value }
        }
        guard !claims.isEmpty else { throw SocialLoginError("the provider gave neither an id_token nor user info") }
        if tokens.idToken == nil, !tokens.issuedToThisApp, let introspection = discovery.introspectionEndpoint {
            try await checkOwnership(
                of: tokens.accessToken, subject: claims["sub"], at: introspection, context: context)
        }
        return try Self.profile(from: claims)
    }

    /// RFC 7662 introspection, where the provider offers it: a bare access token from the
    /// client must be active and issued to this app, for the same user.
    func checkOwnership(of token: String, subject: JSONValue?, at url: String, context: SocialContext) async throws {
        let app = context.app
        let basic = Data("\(OAuth2.percentEncode(app.clientID)):\(OAuth2.percentEncode(app.secret))".utf8)
        let answer = try await OAuth2.postForm(
            url, form: [("token", token), ("token_type_hint", "access_token")],
            headers: ["Authorization": "Basic \(basic.base64EncodedString())", "Accept": "application/json"],
            context: context)
        guard answer["active"] == .bool(true) else { throw SocialLoginError("the access token is not active") }
        var audiences = [answer["client_id"]?.stringValue, answer["azp"]?.stringValue].compactMap { $0 }
        switch answer["aud"] {
        case .string(let value)?: audiences.append(value)
        case .array(let values)?: audiences += values.compactMap(\.stringValue)
        default: break
        }
        guard audiences.contains(where: app.audiences.contains) else {
            throw SocialLoginError("the access token was issued to another app")
        }
        if let owner = answer["sub"], let subject, owner != subject {
            throw SocialLoginError("the access token's user is not the user-info answer's")
        }
    }

    public func profile(forIDToken idToken: String, context: SocialContext) async throws -> SocialProfile? {
        let discovery = try await discovery(context)
        let claims = try await IDTokenVerifier.verify(
            idToken, jwksURL: discovery.jwksURI, issuers: [discovery.issuer], audiences: context.app.audiences,
            context: context)
        return try Self.profile(from: claims)
    }

    static func profile(from claims: JSONObject) throws -> SocialProfile {
        guard let uid = claims["sub"]?.stringValue, !uid.isEmpty else { throw SocialLoginError("no user id") }
        return SocialProfile(
            uid: uid, email: claims["email"]?.stringValue,
            emailVerified: IDTokenVerifier.isTrue(claims["email_verified"]),
            username: claims["preferred_username"]?.stringValue, firstName: claims["given_name"]?.stringValue,
            lastName: claims["family_name"]?.stringValue, extraData: .object(claims))
    }
}
