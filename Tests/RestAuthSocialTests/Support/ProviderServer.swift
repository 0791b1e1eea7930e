import Crypto
import Foundation
import JWTKit
import NIOConcurrencyHelpers
import RestAuth
import RestAuthSocial
import Vapor
import _CryptoExtras

/// A user as a provider knows them.
struct ProviderUser: Sendable {
    var sub: String = UUID().uuidString.lowercased()
    var email: String? = nil
    var emailVerified: Bool = true
    var givenName: String? = "Ada"
    var familyName: String? = "Lovelace"
    var login: String? = nil
    /// GitHub's e-mails endpoint: (address, primary, verified).
    var githubEmails: [(String, Bool, Bool)] = []
    /// The token may not read the e-mails (no `user:email` scope): GitHub answers 404.
    var githubEmailsHidden = false
    /// GitHub's public address on the profile.
    var githubPublicEmail: String? = nil
    /// The Microsoft tenant of the user.
    var tenant: String = "9188040d-6c67-4c5b-b112-36a304b66dad"
}

/// A provider server on a live port, speaking each provider's protocol for real: token
/// endpoints that check the app's credentials, the redirect URI and single-use codes;
/// user-info endpoints that check bearer tokens; JWKS documents of RSA keys it generates;
/// Facebook's debug_token and appsecret_proof; Apple's ES256 client secret; OAuth 1.0a
/// signatures. What it saw is kept for the tests to look at.
final class ProviderServer: Sendable {
    static let clientID = "client-id-123"
    static let secret = "client-secret-456"
    static let callbackURL = "https://app.example.com/auth/callback"
    // Twitter's consumer credentials.
    static let consumerKey = "consumer-key"
    static let consumerSecret = "consumer-secret"
    // Apple: the Services ID is the client id; these make the client secret.
    static let appleTeamID = "TEAM123456"
    static let appleKeyID = "KEY1234567"
    static let appleKey = ES256PrivateKey()

    /// The RSA key that signs id_tokens, and one the provider never published.
    static let signingKey = try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    static let strangerKey = try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    static let keyID = "provider-key-1"

    struct State {
        var codes: [String: (provider: String, user: ProviderUser)] = [:]
        var tokens: [String: (provider: String, user: ProviderUser, appID: String)] = [:]
        /// Twitter's access tokens and their secrets.
        var oauth1: [String: (secret: String, user: ProviderUser)] = [:]
        var requests: [String] = []
        var jwksFetches = 0
        /// Code exchanges whose client authenticated with HTTP basic.
        var basicExchanges = 0
    }

    let app: Application
    let state = NIOLockedValueBox(State())
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }
    func url(_ provider: String) -> String { "\(baseURL)/\(provider)" }

    private init(app: Application, port: Int) {
        self.app = app
        self.port = port
    }

    static func start() async throws -> ProviderServer {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        let holder = NIOLockedValueBox<ProviderServer?>(nil)
        ProviderRoutes.register(on: app) { holder.withLockedValue { $0! } }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw Abort(.internalServerError) }
        let server = ProviderServer(app: app, port: port)
        holder.withLockedValue { $0 = server }
        return server
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    // MARK: What tests hand to clients

    func code(for user: ProviderUser, provider: String) -> String {
        let code = "code-" + UUID().uuidString
        state.withLockedValue { $0.codes[code] = (provider, user) }
        return code
    }

    /// `opaque`: a Microsoft token as personal accounts' Graph tokens are, not a JWT.
    func accessToken(
        for user: ProviderUser, provider: String, appID: String = ProviderServer.clientID, opaque: Bool = false
    ) -> String {
        var token = "token-" + UUID().uuidString
        if provider == "microsoft" && !opaque {
            // Entra ID's access tokens are JWTs that name the app they were issued to.
            func b64(_ value: JSONValue) -> String {
                Data(value.serialized()).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                    .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            }
            let header: JSONValue = ["typ": "JWT", "alg": "RS256", "nonce": .string(UUID().uuidString)]
            let claims: JSONValue = [
                "appid": .string(appID), "oid": .string(user.sub), "aud": "https://graph.microsoft.com",
                "tid": .string(user.tenant),
            ]
            token = "\(b64(header)).\(b64(claims)).c2lnbmF0dXJl"
        }
        state.withLockedValue { $0.tokens[token] = (provider, user, appID) }
        return token
    }

    /// The provider stops honouring a token: it expired, or the user revoked it.
    func revoke(_ token: String) {
        state.withLockedValue {
            $0.tokens[token] = nil
            $0.oauth1[token] = nil
        }
    }

    func oauth1Token(for user: ProviderUser) -> (token: String, secret: String) {
        let token = "oauth1-" + UUID().uuidString
        let secret = "secret-" + UUID().uuidString
        state.withLockedValue { $0.oauth1[token] = (secret, user) }
        return (token, secret)
    }

    func requests(matching prefix: String) -> [String] {
        state.withLockedValue { $0.requests.filter { $0.hasPrefix(prefix) } }
    }

    struct IDTokenClaims: JWTPayload {
        var claims: [String: JSONValue]
        func encode(to encoder: any Encoder) throws {
            var object = JSONObject()
            for (name, value) in claims.sorted(by: { $0.key < $1.key }) { object[name] = value }
            try JSONValue.object(object).encode(to: encoder)
        }
        init(claims: [String: JSONValue]) { self.claims = claims }
        init(from decoder: any Decoder) throws { claims = [:] }
        func verify(using algorithm: some JWTKit.JWTAlgorithm) async throws {}
    }

    /// An id_token for a user, as the provider at `issuer` signs them; every claim can be
    /// replaced or removed to forge one.
    func idToken(
        for user: ProviderUser, issuer: String, audience: String = ProviderServer.clientID,
        expiresIn: TimeInterval = 600,
        key: JWTKit.Insecure.RSA.PrivateKey = ProviderServer.signingKey, kid: String = ProviderServer.keyID,
        overrides: [String: JSONValue?] = [:]
    ) async throws -> String {
        var claims: [String: JSONValue] = [
            "iss": .string(issuer), "aud": .string(audience), "sub": .string(user.sub),
            "iat": .int(Int(Date().timeIntervalSince1970)), "exp": .int(Int(Date().timeIntervalSince1970 + expiresIn)),
            "given_name": user.givenName.map(JSONValue.string) ?? .null,
            "family_name": user.familyName.map(JSONValue.string) ?? .null, "tid": .string(user.tenant),
        ]
        if let email = user.email {
            claims["email"] = .string(email)
            claims["email_verified"] = .bool(user.emailVerified)
        }
        for (name, value) in overrides { claims[name] = value }
        let keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        return try await keys.sign(IDTokenClaims(claims: claims), kid: JWKIdentifier(string: kid))
    }

    /// The JWKS document of the signing key.
    static func jwks() throws -> JSONValue {
        let (modulus, exponent) = try signingKey.publicKey.getKeyPrimitives()
        func b64(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        return [
            "keys": [
                [
                    "kty": "RSA", "use": "sig", "alg": "RS256", "kid": .string(keyID), "n": .string(b64(modulus)),
                    "e": .string(b64(exponent)),
                ]
            ]
        ]
    }
}

/// The routes of each provider.
enum ProviderRoutes {
    static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok) -> Response {
        Response(
            status: status, headers: ["Content-Type": "application/json"], body: .init(data: Data(value.serialized())))
    }

    static func oauthError(_ error: String, status: HTTPResponseStatus = .badRequest) -> Response {
        json(["error": .string(error)], status: status)
    }

    static func form(_ request: Request) -> [String: String] {
        guard let body = request.body.string else { return [:] }
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            out[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }

    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers.first(name: .authorization), header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst(7))
    }

    /// The standard token endpoint: the app's credentials (in the body or as HTTP basic),
    /// the redirect URI, and a single-use code.
    static func exchange(
        _ request: Request, provider: String, server: ProviderServer, secret: String? = ProviderServer.secret,
        idTokenIssuer: String? = nil, checkSecret: ((String) async -> Bool)? = nil
    ) async throws -> Response {
        let form = form(request)
        var clientID = form["client_id"]
        var clientSecret = form["client_secret"]
        if let basic = request.headers.basicAuthorization {
            clientID = basic.username
            clientSecret = basic.password
            server.state.withLockedValue { $0.basicExchanges += 1 }
        }
        guard form["grant_type"] == "authorization_code" else { return oauthError("unsupported_grant_type") }
        guard clientID == ProviderServer.clientID else { return oauthError("invalid_client", status: .unauthorized) }
        if let checkSecret {
            guard let clientSecret, await checkSecret(clientSecret) else {
                return oauthError("invalid_client", status: .unauthorized)
            }
        } else if clientSecret != secret {
            return oauthError("invalid_client", status: .unauthorized)
        }
        guard form["redirect_uri"] == ProviderServer.callbackURL else { return oauthError("redirect_uri_mismatch") }
        let grant = server.state.withLockedValue { state -> (provider: String, user: ProviderUser)? in
            guard let code = form["code"], let grant = state.codes.removeValue(forKey: code) else { return nil }
            return grant
        }
        guard let grant, grant.provider == provider else { return oauthError("invalid_grant") }
        let token = server.accessToken(for: grant.user, provider: provider)
        var body: JSONObject = [
            "access_token": .string(token), "token_type": "Bearer", "expires_in": 3599,
            "refresh_token": .string("refresh-" + UUID().uuidString),
        ]
        if let idTokenIssuer {
            body["id_token"] = .string(try await server.idToken(for: grant.user, issuer: idTokenIssuer))
        }
        return json(.object(body))
    }

    static func user(_ request: Request, provider: String, server: ProviderServer) -> ProviderUser? {
        guard let token = bearer(request) ?? request.query[String.self, at: "access_token"] else { return nil }
        return server.state.withLockedValue { state in
            // Like a real provider's: any token it issued, to whichever app.
            guard let grant = state.tokens[token], grant.provider == provider else { return nil }
            return grant.user
        }
    }

    static func openIDClaims(_ user: ProviderUser) -> JSONObject {
        var info: JSONObject = ["sub": .string(user.sub)]
        if let email = user.email {
            info["email"] = .string(email)
            info["email_verified"] = .bool(user.emailVerified)
        }
        if let given = user.givenName { info["given_name"] = .string(given) }
        if let family = user.familyName { info["family_name"] = .string(family) }
        if let login = user.login { info["preferred_username"] = .string(login) }
        return info
    }

    static func register(on app: Application, server: @escaping @Sendable () -> ProviderServer) {
        app.middleware.use(RecordingMiddleware(server: server))

        // Google, and a generic OpenID Connect provider with a discovery document.
        for name in ["google", "oidc"] {
            app.post(.constant(name), "token") { request async throws -> Response in
                let server = server()
                return try await exchange(request, provider: name, server: server, idTokenIssuer: server.url(name))
            }
            app.get(.constant(name), "userinfo") { request -> Response in
                guard let user = user(request, provider: name, server: server()) else {
                    return oauthError("invalid_token", status: .unauthorized)
                }
                var claims = openIDClaims(user)
                if let forged = request.application.storage[ForgedSubjectKey.self] { claims["sub"] = .string(forged) }
                return json(.object(claims))
            }
            app.get(.constant(name), "certs") { _ -> Response in
                server().state.withLockedValue { $0.jwksFetches += 1 }
                return json(try ProviderServer.jwks())
            }
        }
        app.get("oidc", ".well-known", "openid-configuration") { request -> Response in
            let base = server().url("oidc")
            return json([
                "issuer": .string(request.application.storage[ForgedIssuerKey.self] ?? base),
                "authorization_endpoint": .string("\(base)/authorize"),
                "token_endpoint": .string("\(base)/token"), "userinfo_endpoint": .string("\(base)/userinfo"),
                "jwks_uri": .string("\(base)/certs"), "introspection_endpoint": .string("\(base)/introspect"),
            ])
        }
        // RFC 7662, for the app's own credentials only.
        app.post("oidc", "introspect") { request -> Response in
            guard let basic = request.headers.basicAuthorization, basic.username == ProviderServer.clientID,
                basic.password == ProviderServer.secret
            else { return oauthError("invalid_client", status: .unauthorized) }
            let grant = server().state.withLockedValue { state in form(request)["token"].flatMap { state.tokens[$0] } }
            guard let grant, grant.provider == "oidc" else { return json(["active": false]) }
            return json(["active": true, "client_id": .string(grant.appID), "sub": .string(grant.user.sub)])
        }
        // Google's tokeninfo: whose token it is.
        app.get("google", "tokeninfo") { request -> Response in
            let grant = server().state.withLockedValue { state in
                request.query[String.self, at: "access_token"].flatMap { state.tokens[$0] }
            }
            guard let grant, grant.provider == "google" else { return oauthError("invalid_token") }
            return json([
                "aud": .string(grant.appID), "azp": .string(grant.appID), "sub": .string(grant.user.sub),
                "expires_in": 3500,
            ])
        }
        // GitHub's "check a token": 200 for the app's own tokens, 404 otherwise.
        app.post("github", "applications", ":client", "token") { request throws -> Response in
            guard let basic = request.headers.basicAuthorization, basic.username == ProviderServer.clientID,
                basic.password == ProviderServer.secret, request.parameters.get("client") == ProviderServer.clientID
            else { return json(["message": "Not Found"], status: .notFound) }
            let body = try JSONValue.parse(Array(request.body.string?.utf8 ?? "".utf8))
            guard case .object(let fields) = body, let token = fields["access_token"]?.stringValue,
                let grant = server().state.withLockedValue({ $0.tokens[token] }), grant.provider == "github",
                grant.appID == ProviderServer.clientID
            else { return json(["message": "Not Found"], status: .notFound) }
            return json(["token": .string(token), "app": ["client_id": .string(grant.appID), "name": "Test"]])
        }

        // Facebook: the code exchange is a GET; debug_token says whose token it is;
        // every Graph call must carry appsecret_proof.
        app.get("facebook", "v19.0", "oauth", "access_token") { request async throws -> Response in
            let query = try request.query.decode([String: String].self)
            guard query["client_id"] == ProviderServer.clientID, query["client_secret"] == ProviderServer.secret else {
                return oauthError("invalid_client")
            }
            guard query["redirect_uri"] == ProviderServer.callbackURL else {
                return oauthError("redirect_uri_mismatch")
            }
            let grant = server().state.withLockedValue { state in
                query["code"].flatMap { state.codes.removeValue(forKey: $0) }
            }
            guard let grant, grant.provider == "facebook" else { return oauthError("invalid_grant") }
            return json([
                "access_token": .string(server().accessToken(for: grant.user, provider: "facebook")),
                "token_type": "bearer",
                "expires_in": 5_183_944,
            ])
        }
        app.get("facebook", "debug_token") { request throws -> Response in
            let query = try request.query.decode([String: String].self)
            guard query["access_token"] == "\(ProviderServer.clientID)|\(ProviderServer.secret)" else {
                return oauthError("invalid app token")
            }
            let grant = server().state.withLockedValue { state in query["input_token"].flatMap { state.tokens[$0] } }
            guard let grant, grant.provider == "facebook" else { return json(["data": ["is_valid": false]]) }
            return json([
                "data": ["app_id": .string(grant.appID), "is_valid": true, "user_id": .string(grant.user.sub)]
            ])
        }
        app.get("facebook", "v19.0", "me") { request throws -> Response in
            let query = try request.query.decode([String: String].self)
            guard let token = query["access_token"], let user = user(request, provider: "facebook", server: server())
            else {
                return oauthError("invalid_token", status: .unauthorized)
            }
            let proof = HMAC<SHA256>.authenticationCode(
                for: Array(token.utf8), using: SymmetricKey(data: Array(ProviderServer.secret.utf8))
            ).map { String(format: "%02x", $0) }.joined()
            guard query["appsecret_proof"] == proof else { return oauthError("invalid appsecret_proof") }
            var me: JSONObject = [
                "id": .string(user.sub), "name": .string("\(user.givenName ?? "") \(user.familyName ?? "")"),
            ]
            if let email = user.email { me["email"] = .string(email) }
            if let given = user.givenName { me["first_name"] = .string(given) }
            if let family = user.familyName { me["last_name"] = .string(family) }
            return json(.object(me))
        }

        // GitHub.
        app.post("github", "login", "oauth", "access_token") { request async throws -> Response in
            try await exchange(request, provider: "github", server: server())
        }
        app.get("github", "user") { request -> Response in
            guard let user = user(request, provider: "github", server: server()) else {
                return oauthError("Bad credentials", status: .unauthorized)
            }
            return json([
                "id": .int(Int(user.sub.utf8.reduce(7) { ($0 &* 31 &+ Int($1)) & 0xFFFFFF })),
                "login": .string(user.login ?? "octocat"),
                "name": .string([user.givenName, user.familyName].compactMap { $0 }.joined(separator: " ")),
                "email": user.githubPublicEmail.map(JSONValue.string) ?? .null,
            ])
        }
        app.get("github", "user", "emails") { request -> Response in
            guard let user = user(request, provider: "github", server: server()) else {
                return oauthError("Bad credentials", status: .unauthorized)
            }
            if user.githubEmailsHidden { return json(["message": "Not Found"], status: .notFound) }
            return json(
                .array(
                    user.githubEmails.map { ["email": .string($0.0), "primary": .bool($0.1), "verified": .bool($0.2)] })
            )
        }

        // Microsoft: tenant-scoped endpoints, Graph's /me.
        app.post("microsoft", ":tenant", "oauth2", "v2.0", "token") { request async throws -> Response in
            let server = server()
            guard form(request)["scope"]?.contains("openid") == true else { return oauthError("invalid_scope") }
            return try await exchange(request, provider: "microsoft", server: server)
        }
        app.get("microsoft", ":tenant", "discovery", "v2.0", "keys") { _ -> Response in json(try ProviderServer.jwks())
        }
        app.get("microsoft", "v1.0", "me") { request -> Response in
            guard let user = user(request, provider: "microsoft", server: server()) else {
                return oauthError("InvalidAuthenticationToken", status: .unauthorized)
            }
            var me: JSONObject = [
                "id": .string(user.sub), "givenName": .string(user.givenName ?? ""),
                "surname": .string(user.familyName ?? ""),
            ]
            me["mail"] = user.email.map(JSONValue.string) ?? .null
            return json(.object(me))
        }

        // Apple: the client secret is an ES256 JWT from the team, signed with the app's key.
        app.post("apple", "auth", "token") { request async throws -> Response in
            let server = server()
            return try await exchange(
                request, provider: "apple", server: server, idTokenIssuer: server.url("apple"),
                checkSecret: { secret in await AppleClientSecret.isValid(secret, audience: server.url("apple")) })
        }
        app.get("apple", "auth", "keys") { _ -> Response in json(try ProviderServer.jwks()) }

        // X: OAuth 1.0a, the signature checked from scratch (RFC 5849 §3.4).
        app.get("twitter", "1.1", "account", "verify_credentials.json") { request -> Response in
            let server = server()
            guard let header = request.headers.first(name: .authorization),
                let user = OAuth1Check.verify(header: header, request: request, server: server)
            else {
                let error: JSONValue = ["code": 32, "message": "Could not authenticate you."]
                return json(["errors": .array([error])], status: .unauthorized)
            }
            let id = user.sub.utf8.reduce(3) { ($0 &* 31 &+ Int($1)) & 0xFFFFFF }
            var me = JSONObject()
            me["id"] = .int(id)
            me["id_str"] = .string(String(id))
            me["screen_name"] = .string(user.login ?? "jack")
            me["name"] = .string(user.givenName ?? "")
            if request.query[String.self, at: "include_email"] == "true", let email = user.email {
                me["email"] = .string(email)
            }
            return json(.object(me))
        }
    }
}

struct ForgedSubjectKey: StorageKey { typealias Value = String }
struct ForgedIssuerKey: StorageKey { typealias Value = String }

/// Records every request the provider server gets (method, path and query).
struct RecordingMiddleware: AsyncMiddleware {
    let server: @Sendable () -> ProviderServer
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let line = "\(request.method.rawValue) \(request.url.path)" + (request.url.query.map { "?\($0)" } ?? "")
        server().state.withLockedValue { $0.requests.append(line) }
        return try await next.respond(to: request)
    }
}

/// Apple's side of the client secret.
enum AppleClientSecret {
    struct Claims: JWTPayload {
        let iss: String
        let sub: String
        let aud: String
        let exp: Int
        let iat: Int
        func verify(using algorithm: some JWTKit.JWTAlgorithm) async throws {}
    }

    static func isValid(_ secret: String, audience: String) async -> Bool {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: ProviderServer.appleKey.publicKey, kid: JWKIdentifier(string: ProviderServer.appleKeyID))
        guard let claims = try? await keys.verify(secret, as: Claims.self) else { return false }
        let now = Int(Date().timeIntervalSince1970)
        return claims.iss == ProviderServer.appleTeamID && claims.sub == ProviderServer.clientID
            && claims.aud == audience
            && claims.exp > now && claims.iat <= now + 5
    }
}

/// The server's own OAuth 1.0a check, written from RFC 5849 rather than with the package's signer.
enum OAuth1Check {
    static func encode(_ text: String) -> String {
        let unreserved = CharacterSet(
            charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved)!
    }

    static func verify(header: String, request: Request, server: ProviderServer) -> ProviderUser? {
        guard header.hasPrefix("OAuth ") else { return nil }
        var oauth: [String: String] = [:]
        for part in header.dropFirst(6).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return nil }
            oauth[String(pair[0]).removingPercentEncoding!] = String(pair[1]).trimmingCharacters(in: ["\""])
                .removingPercentEncoding!
        }
        guard oauth["oauth_consumer_key"] == ProviderServer.consumerKey, oauth["oauth_signature_method"] == "HMAC-SHA1",
            let token = oauth["oauth_token"], let signature = oauth["oauth_signature"],
            let timestamp = oauth["oauth_timestamp"].flatMap(Int.init),
            abs(timestamp - Int(Date().timeIntervalSince1970)) < 300,
            let grant = server.state.withLockedValue({ $0.oauth1[token] })
        else { return nil }
        var parameters: [(String, String)] = oauth.filter { $0.key != "oauth_signature" }.map { ($0.key, $0.value) }
        for pair in (request.url.query ?? "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            parameters.append(
                (String(kv[0]).removingPercentEncoding!, kv.count > 1 ? String(kv[1]).removingPercentEncoding! : ""))
        }
        let encoded: [(name: String, value: String)] = parameters.map { (encode($0.0), encode($0.1)) }
        let sorted = encoded.sorted { (a, b) -> Bool in a.name != b.name ? a.name < b.name : a.value < b.value }
        let normalized = sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let url = "\(server.baseURL)\(request.url.path)"
        let base = "GET&\(encode(url))&\(encode(normalized))"
        let key = "\(encode(ProviderServer.consumerSecret))&\(encode(grant.secret))"
        let expected = Data(
            HMAC<Crypto.Insecure.SHA1>.authenticationCode(
                for: Array(base.utf8), using: SymmetricKey(data: Array(key.utf8)))
        ).base64EncodedString()
        return expected == signature ? grant.user : nil
    }
}
