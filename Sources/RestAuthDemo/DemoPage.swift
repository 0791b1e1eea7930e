import Foundation
import RestAuth
import RestAuthSocial
import Vapor

/// The demo's web page (plain HTML, CSS and JavaScript from the target's resources) and
/// what it needs: its configuration at `/demo/config.json`, and the OpenAPI document at
/// `/openapi.json`. The page answers at `/` and at the paths the package's e-mails link to
/// (`/account-confirm-email/<key>/`, `/password-reset/confirm/<uid>/<token>/`), and at
/// `/social/<provider>/callback/` for the providers' redirects.
enum DemoPage {
    /// The scope the page asks a built-in provider for, with or without the address.
    static func defaultScopes(_ id: String, queryEmail: Bool) -> String? {
        switch id {
        case "google": queryEmail ? "openid email profile" : "openid profile"
        case "github": queryEmail ? "user:email" : "read:user"
        case "facebook": queryEmail ? "email public_profile" : "public_profile"
        default: nil
        }
    }

    static func register(on app: Application, social: SocialConfiguration, prefix: String) throws {
        let index = try asset("index.html")
        let script = try asset("app.js")
        let style = try asset("app.css")
        let page: @Sendable (Request) -> Response = { _ in
            serve(index, type: "text/html; charset=utf-8")
        }
        app.get(use: page)
        app.get("account-confirm-email", "**", use: page)
        app.get("password-reset", "confirm", "**", use: page)
        app.get("social", "**", use: page)
        app.get("static", "app.js") { _ in serve(script, type: "text/javascript; charset=utf-8") }
        app.get("static", "app.css") { _ in serve(style, type: "text/css; charset=utf-8") }

        let configuration = app.restAuth.configuration
        let providers: [JSONObject] = social.entries.map { entry in
            let id = entry.provider.id
            return [
                "id": .string(id), "name": .string(entry.provider.displayName),
                "authorize_url": authorizeURLs[id].map(JSONValue.string) ?? .null,
                "client_id": entry.app.map { .string($0.clientID) } ?? .null,
                // The redirect URI the server exchanges codes with: the page must send the same.
                "callback_url": entry.callbackURL.map(JSONValue.string) ?? .null,
                // SOCIALACCOUNT_QUERY_EMAIL decides whether the page asks for the address.
                "scope": entry.app?.setting("scope").map(JSONValue.string)
                    ?? defaultScopes(id, queryEmail: social.queryEmail).map(JSONValue.string) ?? .null,
            ]
        }
        // A generic OpenID Connect provider's authorization endpoint is in its discovery
        // document, which the page cannot read (its CSP keeps it on this origin).
        let discovered = social.entries.filter { $0.provider is OpenIDConnectProvider }.map(\.provider.id)
        let scopes: [String: String] = Dictionary(
            social.entries.compactMap { entry in
                entry.app?.setting("scope").map { (entry.provider.id, $0) }
            }, uniquingKeysWith: { $1 })
        let settings: JSONObject = [
            "prefix": .string(prefix), "use_jwt": .bool(configuration.useJWT),
            "session_login": .bool(configuration.sessionLogin), "token_model": .bool(configuration.tokenModel),
            "jwt_auth_httponly": .bool(configuration.jwtAuthHTTPOnly),
            "jwt_auth_cookie": configuration.jwtAuthCookie.map(JSONValue.string) ?? .null,
            "csrf_cookie_name": .string(configuration.csrfCookieName),
            "csrf_header_name": .string(configuration.csrfHeaderName),
            "email_verification": .string(configuration.emailVerification.rawValue),
            "old_password_field_enabled": .bool(configuration.oldPasswordFieldEnabled),
            "login_methods": .array(configuration.loginMethods.map(\.rawValue).sorted().map(JSONValue.string)),
            // REST_AUTH_PASSKEYS_ENABLED: the passkeys card and the passkey sign-in.
            "passkeys": .bool(configuration.passkeys.enabled),
            // ACCOUNT_SIGNUP_FIELDS: which sign-up fields are required.
            "signup_fields": [
                "username": .bool(configuration.signupFields.usernameRequired),
                "email": .bool(configuration.signupFields.emailRequired),
            ],
        ]
        app.get("demo", "config.json") { request async -> Response in
            var found: [String: String] = [:]
            for id in discovered {
                found[id] = await request.application.restAuthSocial.authorizationEndpoint(of: id, on: request)
            }
            var page = settings
            page["providers"] = .array(
                providers.map { provider in
                    var provider = provider
                    if let id = provider["id"]?.stringValue, let url = found[id] {
                        provider["authorize_url"] = .string(url)
                        provider["scope"] = .string(scopes[id] ?? "openid email profile")
                    }
                    return .object(provider)
                })
            return Response.json(.object(page))
        }

        let document = app.restAuth.openAPIDocument(title: "RestAuthDemo", version: "1.0.0")
        app.get("openapi.json") { _ in Response.json(document) }
    }

    /// The providers' public authorization endpoints, for the page's buttons (an OpenID
    /// Connect provider's comes from its discovery document, which the page does not read).
    static let authorizeURLs: [String: String] = [
        "google": "https://accounts.google.com/o/oauth2/v2/auth",
        "github": "https://github.com/login/oauth/authorize",
        "facebook": "https://www.facebook.com/v19.0/dialog/oauth",
        "microsoft": "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "apple": "https://appleid.apple.com/auth/authorize",
    ]

    private static func asset(_ name: String) throws -> ByteBuffer {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Public") else {
            throw Abort(.internalServerError, reason: "the demo page's \(name) is missing from the resources")
        }
        return ByteBuffer(data: try Data(contentsOf: url))
    }

    private static func serve(_ body: ByteBuffer, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                "Content-Type": type, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache",
                "Referrer-Policy": "same-origin",
                "Content-Security-Policy":
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ],
            body: .init(buffer: body))
    }
}
