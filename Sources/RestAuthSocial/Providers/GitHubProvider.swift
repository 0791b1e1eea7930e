import Foundation
import NIOHTTP1
import RestAuth

/// GitHub: a code (or an access token); the address is the primary verified one from the
/// e-mails endpoint (the client asks for the `user:email` scope; without it the address is
/// the public one, unverified). An access token the client sends must belong to this OAuth app
/// (GitHub's "check a token" endpoint, called with the app's credentials).
public struct GitHubProvider: SocialProvider {
    public let id = "github"
    public var webURL = "https://github.com"
    public var apiURL = "https://api.github.com"

    public init() {}

    public init(webURL: String, apiURL: String) {
        self.webURL = webURL
        self.apiURL = apiURL
    }

    public func exchange(code: String, context: SocialContext) async throws -> SocialTokens {
        try await OAuth2.exchange(code: code, tokenURL: "\(webURL)/login/oauth/access_token", context: context)
    }

    public func profile(for tokens: SocialTokens, context: SocialContext) async throws -> SocialProfile {
        if !tokens.issuedToThisApp { try await checkOwnership(of: tokens.accessToken, context: context) }
        let user = try await OAuth2.getJSON("\(apiURL)/user", bearer: tokens.accessToken, context: context)
        guard let uid = user["id"].flatMap(OAuth2.string) else { throw SocialLoginError("no user id") }
        var email: String?
        var verified = false
        // A token without the user:email scope gets a 404 here: no verified address then,
        // as allauth does, rather than no login.
        if context.queryEmail,
            case .array(let emails) = try await OAuth2.getJSONValue(
                "\(apiURL)/user/emails", bearer: tokens.accessToken, notFound: .array([]), context: context)
        {
            let entries = emails.compactMap { value -> JSONObject? in
                if case .object(let object) = value { return object } else { return nil }
            }
            let chosen =
                entries.first { $0["primary"] == .bool(true) && $0["verified"] == .bool(true) }
                ?? entries.first { $0["verified"] == .bool(true) }
            if let chosen {
                email = chosen["email"]?.stringValue
                verified = true
            }
        }
        if email == nil { email = user["email"]?.stringValue }
        let names = (user["name"]?.stringValue ?? "").split(separator: " ", maxSplits: 1).map(String.init)
        return SocialProfile(
            uid: uid, email: email, emailVerified: verified, username: user["login"]?.stringValue,
            firstName: names.first,
            lastName: names.count > 1 ? names[1] : nil, extraData: .object(user))
    }

    /// `POST /applications/{client_id}/token` answers 200 only for this app's tokens.
    func checkOwnership(of token: String, context: SocialContext) async throws {
        let app = context.app
        var headers = HTTPHeaders()
        headers.add(
            name: "Authorization", value: "Basic " + Data("\(app.clientID):\(app.secret)".utf8).base64EncodedString())
        headers.add(name: "Accept", value: "application/vnd.github+json")
        let answer = try await OAuth2.postJSON(
            "\(apiURL)/applications/\(OAuth2.percentEncode(app.clientID))/token",
            body: ["access_token": .string(token)],
            headers: headers, context: context)
        guard case .object(let owner)? = answer["app"], owner["client_id"]?.stringValue == app.clientID else {
            throw SocialLoginError("the access token was issued to another app")
        }
    }
}
