import AsyncHTTPClient
import Fluent
import Foundation
import NIOCore
import RestAuth
import SQLKit
import Vapor

/// Which providers the API offers, and their apps (allauth's `SOCIALACCOUNT_PROVIDERS`).
///
/// ```swift
/// var social = SocialConfiguration()
/// social.add(GoogleProvider(), app: SocialAppCredentials(
///     clientID: Environment.get("GOOGLE_CLIENT_ID")!, secret: Environment.get("GOOGLE_SECRET")!,
///     callbackURL: "https://app.example.com/auth/google/callback"))
/// social.add(GitHubProvider(), callbackURL: "https://app.example.com/auth/github/callback")  // app from the table
/// try app.restAuthSocial.configure(social)
/// try app.restAuth.mount(at: "dj-rest-auth")
/// ```
public struct SocialConfiguration: Sendable {
    public struct Entry: Sendable {
        public var provider: any SocialProvider
        /// The app's credentials; nil to read them from `socialaccount_socialapp`.
        public var app: SocialAppCredentials?
        /// The redirect URI a `code` was issued for (dj-rest-auth's `callback_url`), used
        /// with credentials from the table.
        public var callbackURL: String?
    }

    public private(set) var entries: [Entry] = []
    /// allauth's `SOCIALACCOUNT_STORE_TOKENS`: keep the provider's tokens in
    /// `socialaccount_socialtoken`. Off by default, as in allauth: a stored token is a
    /// credential for the user's account at the provider.
    public var storeTokens = false
    /// allauth's `SOCIALACCOUNT_EMAIL_AUTHENTICATION`: a social login whose address the
    /// provider verified signs in to the one account that has that address verified here
    /// (off by default, as in allauth). Stricter than allauth, which may also match an
    /// unverified local address: that would hand the account of whoever signed up with
    /// someone else's address to them.
    public var emailAuthentication = false
    /// allauth's `SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT`: such a login also links
    /// the provider's account to the user, so later logins find it by uid.
    public var emailAuthenticationAutoConnect = false
    /// Whether `socialaccounts/` and `socialaccounts/<id>/disconnect/` are served under the
    /// API's prefix (the default). Off: the app mounts them where it wants with
    /// `app.restAuthSocial.mountAccountRoutes(on:at:)`.
    public var mountsAccountRoutes = true
    /// allauth's `SOCIALACCOUNT_QUERY_EMAIL`: ask providers for the user's address (GitHub's
    /// `/user/emails`, the e-mail scopes the demo page asks for). On by default, as allauth
    /// sets it when the address is required at sign-up.
    public var queryEmail = true
    /// The HTTP client providers are spoken to with; nil for the application's shared one.
    public var httpClient: HTTPClient?
    /// How long one call to a provider may take before the login fails (a provider that
    /// is down costs the client this long, then a 400).
    public var providerTimeout: TimeAmount = .seconds(15)

    public init() {}

    /// Offers a provider at `{prefix}<id>/` and `{prefix}<id>/connect/`.
    public mutating func add(
        _ provider: any SocialProvider, app: SocialAppCredentials? = nil, callbackURL: String? = nil
    ) {
        entries.removeAll { $0.provider.id == provider.id }
        entries.append(Entry(provider: provider, app: app, callbackURL: callbackURL ?? app?.callbackURL))
    }

    /// The ids the package's own endpoints use; a provider cannot take them.
    static let reservedIDs: Set<String> = [
        "login", "logout", "user", "password", "registration", "token", "socialaccounts", "health",
    ]

    func validate() throws {
        var seen = Set<String>()
        for entry in entries {
            let id = entry.provider.id
            guard !id.isEmpty, id.utf8.allSatisfy({ $0.isLowercaseIDCharacter }) else {
                throw SocialConfigurationError(
                    "a provider id must be lower-case letters, digits, '-' or '_': \"\(id)\"")
            }
            guard !Self.reservedIDs.contains(id) else {
                throw SocialConfigurationError("\"\(id)\" is one of the API's own paths and cannot be a provider id")
            }
            guard seen.insert(id).inserted else {
                throw SocialConfigurationError("two providers have the id \"\(id)\"")
            }
        }
    }
}

/// A configuration that cannot work.
public struct SocialConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension UInt8 {
    fileprivate var isLowercaseIDCharacter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
            || self == UInt8(ascii: "-") || self == UInt8(ascii: "_")
    }
}

extension SocialConfiguration {
    /// The providers whose credentials the environment holds, as the demo server reads them:
    ///
    /// - `SOCIALACCOUNT_<PROVIDER>_CLIENT_ID`, `_SECRET`, `_KEY`, `_CALLBACK_URL` for
    ///   `GOOGLE`, `FACEBOOK`, `GITHUB`, `MICROSOFT`, `APPLE`, `TWITTER`; `_BASE_URL` points
    ///   a provider elsewhere (a test server, a proxy; for GitHub Enterprise the web URL, with
    ///   `SOCIALACCOUNT_GITHUB_API_URL` its API, `https://github.example.com/api/v3`); `_SETTINGS` is the
    ///   app's settings as a JSON object; Apple's private key is `SOCIALACCOUNT_APPLE_CERTIFICATE_KEY`
    ///   (PEM) and Microsoft's tenant `SOCIALACCOUNT_MICROSOFT_TENANT` (with
    ///   `SOCIALACCOUNT_MICROSOFT_OPAQUE_ACCESS_TOKENS=true` to accept opaque access tokens).
    /// - `SOCIALACCOUNT_OIDC_<ID>_SERVER_URL`, `_CLIENT_ID`, `_SECRET`, `_CALLBACK_URL`: a
    ///   generic OpenID Connect provider with the id `<ID>` in lower case.
    /// - `SOCIALACCOUNT_STORE_TOKENS=False` keeps no provider tokens.
    /// Whether ``fromEnvironment(_:)`` reads a `SOCIALACCOUNT_*` variable of this name (for
    /// the start-up warning about settings that are set but not applied).
    public static func readsEnvironmentSetting(_ name: String) -> Bool {
        guard name.hasPrefix("SOCIALACCOUNT_") else { return false }
        let rest = name.dropFirst("SOCIALACCOUNT_".count)
        if [
            "STORE_TOKENS", "EMAIL_AUTHENTICATION", "EMAIL_AUTHENTICATION_AUTO_CONNECT", "PROVIDERS", "QUERY_EMAIL",
            "GITHUB_API_URL", "MICROSOFT_TENANT", "MICROSOFT_OPAQUE_ACCESS_TOKENS",
            "APPLE_CERTIFICATE_KEY",
        ].contains(String(rest)) {
            return true
        }
        let suffixes = ["_CLIENT_ID", "_SECRET", "_KEY", "_CALLBACK_URL", "_SETTINGS", "_BASE_URL"]
        for provider in ["GOOGLE", "FACEBOOK", "GITHUB", "MICROSOFT", "APPLE", "TWITTER"]
        where suffixes.contains(where: { rest == provider + $0 }) {
            return true
        }
        if rest.hasPrefix("OIDC_") {
            return (suffixes + ["_SERVER_URL"]).contains { rest.hasSuffix($0) && rest.count > "OIDC_".count + $0.count }
        }
        return false
    }

    public static func fromEnvironment(_ environment: [String: String]) throws -> SocialConfiguration {
        var configuration = SocialConfiguration()
        func flag(_ name: String) -> Bool? {
            environment[name].map { ["1", "true", "yes", "on"].contains($0.lowercased()) }
        }
        configuration.storeTokens = flag("SOCIALACCOUNT_STORE_TOKENS") ?? configuration.storeTokens
        configuration.emailAuthentication = flag("SOCIALACCOUNT_EMAIL_AUTHENTICATION") ?? false
        configuration.emailAuthenticationAutoConnect =
            flag("SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT") ?? false
        configuration.queryEmail = flag("SOCIALACCOUNT_QUERY_EMAIL") ?? configuration.queryEmail
        let providers = try Self.djangoProviders(environment["SOCIALACCOUNT_PROVIDERS"])
        func credentials(_ prefix: String) throws -> SocialAppCredentials? {
            guard let clientID = environment["\(prefix)_CLIENT_ID"], !clientID.isEmpty else { return nil }
            var settings = JSONObject()
            if let text = environment["\(prefix)_SETTINGS"] {
                guard case .object(let object)? = try? JSONValue.parse(Array(text.utf8)) else {
                    throw SocialConfigurationError("\(prefix)_SETTINGS is not a JSON object")
                }
                settings = object
            }
            return SocialAppCredentials(
                clientID: clientID, secret: environment["\(prefix)_SECRET"] ?? "",
                key: environment["\(prefix)_KEY"] ?? "",
                settings: settings, callbackURL: environment["\(prefix)_CALLBACK_URL"].flatMap { $0.isEmpty ? nil : $0 }
            )
        }
        func url(_ name: String) -> String? {
            guard let url = environment[name], !url.isEmpty else { return nil }
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        func base(_ prefix: String) -> String? { url("\(prefix)_BASE_URL") }

        let builtIn: [(name: String, make: (String?) -> any SocialProvider)] = [
            ("GOOGLE", { $0.map(GoogleProvider.init(baseURL:)) ?? GoogleProvider() }),
            ("FACEBOOK", { $0.map(FacebookProvider.init(graphURL:)) ?? FacebookProvider() }),
            (
                "GITHUB",
                {
                    var provider = $0.map { GitHubProvider(webURL: $0, apiURL: $0) } ?? GitHubProvider()
                    if let api = url("SOCIALACCOUNT_GITHUB_API_URL") { provider.apiURL = api }
                    return provider
                }
            ),
            (
                "MICROSOFT",
                {
                    var provider = $0.map { MicrosoftProvider(loginURL: $0, graphURL: $0) } ?? MicrosoftProvider()
                    if let tenant = environment["SOCIALACCOUNT_MICROSOFT_TENANT"], !tenant.isEmpty {
                        provider.tenant = tenant
                    }
                    let opaque = environment["SOCIALACCOUNT_MICROSOFT_OPAQUE_ACCESS_TOKENS"]?.lowercased()
                    provider.acceptOpaqueAccessTokens = ["1", "true", "yes", "on"].contains(opaque ?? "")
                    return provider
                }
            ),
            ("APPLE", { $0.map(AppleProvider.init(baseURL:)) ?? AppleProvider() }),
            ("TWITTER", { $0.map(TwitterProvider.init(apiURL:)) ?? TwitterProvider() }),
        ]
        for (name, make) in builtIn {
            let prefix = "SOCIALACCOUNT_\(name)"
            let django = providers[name.lowercased()]
            guard var app = try credentials(prefix) ?? django?.app else {
                // Named in SOCIALACCOUNT_PROVIDERS without an app: its credentials are in the
                // socialapp table, as the Django admin keeps them.
                if django != nil { configuration.add(make(base(prefix))) }
                continue
            }
            for (key, value) in (django?.settings ?? [:]).pairs where app.settings[key] == nil {
                app.settings[key] = value
            }
            if name == "APPLE", let pem = environment["SOCIALACCOUNT_APPLE_CERTIFICATE_KEY"] {
                app.settings["certificate_key"] = .string(pem)
            }
            configuration.add(make(base(prefix)), app: app)
        }
        // SOCIALACCOUNT_PROVIDERS' openid_connect APPS: one generic provider each.
        for app in providers["openid_connect"]?.apps ?? [] {
            guard let id = app.settings["provider_id"]?.stringValue,
                let server = app.settings["server_url"]?.stringValue
            else {
                throw SocialConfigurationError(
                    "SOCIALACCOUNT_PROVIDERS: each openid_connect app needs provider_id and settings.server_url")
            }
            guard !configuration.entries.contains(where: { $0.provider.id == id.lowercased() }) else { continue }
            configuration.add(OpenIDConnectProvider(id: id.lowercased(), serverURL: server), app: app)
        }

        let oidcIDs = Set(
            environment.keys.compactMap { key -> String? in
                guard key.hasPrefix("SOCIALACCOUNT_OIDC_"), key.hasSuffix("_SERVER_URL") else { return nil }
                let id = key.dropFirst("SOCIALACCOUNT_OIDC_".count).dropLast("_SERVER_URL".count)
                return id.isEmpty ? nil : String(id)
            })
        for id in oidcIDs.sorted() {
            let prefix = "SOCIALACCOUNT_OIDC_\(id)"
            guard let server = environment["\(prefix)_SERVER_URL"], !server.isEmpty else { continue }
            guard let app = try credentials(prefix) else {
                throw SocialConfigurationError("\(prefix)_SERVER_URL is set but \(prefix)_CLIENT_ID is not")
            }
            // A generic provider must not quietly replace a built-in one (or another generic
            // one whose id differs only in case).
            guard !configuration.entries.contains(where: { $0.provider.id == id.lowercased() }) else {
                throw SocialConfigurationError(
                    "\(prefix)_SERVER_URL: the id \"\(id.lowercased())\" is already a configured provider's")
            }
            configuration.add(OpenIDConnectProvider(id: id.lowercased(), serverURL: server), app: app)
        }
        try configuration.validate()
        return configuration
    }
}

/// One provider of Django's `SOCIALACCOUNT_PROVIDERS`: its apps (`APPS`, or the older `APP`)
/// and its settings (`SCOPE`, `AUTH_PARAMS`, `VERIFIED_EMAIL`, `FIELDS`, `VERSION`, ...),
/// which become the app's settings in lower case, as the socialapp table keeps them.
struct DjangoSocialProvider {
    var apps: [SocialAppCredentials]
    var settings: JSONObject
    var app: SocialAppCredentials? { apps.first }
}

extension SocialConfiguration {
    /// Reads `SOCIALACCOUNT_PROVIDERS` (a JSON object in Django's shape) by provider id.
    static func djangoProviders(_ text: String?) throws -> [String: DjangoSocialProvider] {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return [:] }
        guard case .object(let root)? = try? JSONValue.parse(Array(text.utf8)) else {
            throw SocialConfigurationError("SOCIALACCOUNT_PROVIDERS is not a JSON object")
        }
        var out: [String: DjangoSocialProvider] = [:]
        for (id, value) in root.pairs {
            guard case .object(let provider) = value else {
                throw SocialConfigurationError("SOCIALACCOUNT_PROVIDERS.\(id) is not an object")
            }
            var settings = JSONObject()
            var apps: [SocialAppCredentials] = []
            for (key, value) in provider.pairs {
                switch key {
                case "APPS", "APP":
                    let list: [JSONValue]
                    if case .array(let items) = value { list = items } else { list = [value] }
                    for item in list {
                        guard case .object(let app) = item, let clientID = app["client_id"]?.stringValue,
                            !clientID.isEmpty
                        else {
                            throw SocialConfigurationError(
                                "SOCIALACCOUNT_PROVIDERS.\(id).\(key): an app needs a client_id")
                        }
                        var appSettings = JSONObject()
                        if case .object(let given)? = app["settings"] { appSettings = given }
                        if let providerID = app["provider_id"]?.stringValue {
                            appSettings["provider_id"] = .string(providerID)
                        }
                        apps.append(
                            SocialAppCredentials(
                                clientID: clientID, secret: app["secret"]?.stringValue ?? "",
                                key: app["key"]?.stringValue ?? "", settings: appSettings))
                    }
                case "SCOPE":
                    // The socialapp table and the demo page read a scope as one string.
                    if case .array(let scopes) = value {
                        settings["scope"] = .string(scopes.compactMap(\.stringValue).joined(separator: " "))
                    } else {
                        settings["scope"] = value
                    }
                default:
                    settings[key.lowercased()] = value
                }
            }
            for index in apps.indices {
                for (key, value) in settings.pairs where apps[index].settings[key] == nil {
                    apps[index].settings[key] = value
                }
            }
            out[id.lowercased()] = DjangoSocialProvider(apps: apps, settings: settings)
        }
        return out
    }
}

/// What the social endpoints share.
final class SocialState: Sendable {
    let configuration: SocialConfiguration
    let keys = JWKSCache()

    init(configuration: SocialConfiguration) {
        self.configuration = configuration
    }

    /// A provider's app: from the configuration, else the `socialaccount_socialapp` row
    /// (allauth keeps a generic OpenID Connect app as `openid_connect` with the id in
    /// `provider_id`).
    func credentials(for entry: SocialConfiguration.Entry, on database: any Database) async throws
        -> SocialAppCredentials?
    {
        if let app = entry.app { return app }
        let id = entry.provider.id
        let row = try await SocialApp.query(on: database)
            .group(.or) { group in
                group.filter(\.$provider == id)
                group.group(.and) { oidc in
                    oidc.filter(\.$provider == "openid_connect").filter(\.$providerID == id)
                }
            }
            .sort(\.$id)
            .first()
        guard let row else { return nil }
        var settings = JSONObject()
        if case .object(let object) = row.settings { settings = object }
        return SocialAppCredentials(
            clientID: row.clientID, secret: row.secret, key: row.key, settings: settings,
            callbackURL: entry.callbackURL ?? settings["callback_url"]?.stringValue, appID: row.id)
    }
}

struct SocialStateKey: StorageKey {
    typealias Value = SocialState
}

extension Application {
    /// Social login: ``RestAuthSocial/configure(_:)``.
    public var restAuthSocial: RestAuthSocial { RestAuthSocial(application: self) }

    public struct RestAuthSocial: Sendable {
        public let application: Application

        /// Adds the social endpoints (`<provider>/`, `<provider>/connect/`,
        /// `socialaccounts/`, `socialaccounts/<id>/disconnect/`) and the `socialaccount_*`
        /// tables' migration. Call after `app.restAuth.configure` and before `mount`.
        public func configure(_ configuration: SocialConfiguration, database: DatabaseID? = nil) throws {
            try configuration.validate()
            application.migrations.add(Self.migrations(for: application.restAuth.configuration.userModel), to: database)
            let state = SocialState(configuration: configuration)
            application.storage[SocialStateKey.self] = state
            application.restAuth.add(
                SocialController(state: state).endpoints(restAuthConfiguration: application.restAuth.configuration))
        }

        /// Serves `socialaccounts/` and `socialaccounts/<id>/disconnect/` under `path` of
        /// `routes`, with the API's authentication, errors and headers, for apps that set
        /// ``SocialConfiguration/mountsAccountRoutes`` off (dj-rest-auth's manual mounts these
        /// views in the project's URL conf, beside the API):
        ///
        /// ```swift
        /// try app.restAuthSocial.mountAccountRoutes(on: app.routes, at: ["accounts"])   // /accounts/socialaccounts/
        /// ```
        public func mountAccountRoutes(on routes: any RoutesBuilder, at path: [PathComponent]) throws {
            guard let state = application.storage[SocialStateKey.self] else {
                fatalError("RestAuthSocial is not configured: call app.restAuthSocial.configure(_:) first")
            }
            try application.restAuth.mount(SocialController(state: state).accountEndpoints(), on: routes, at: path)
        }

        /// Where a generic OpenID Connect provider's users sign in (its discovery document's
        /// `authorization_endpoint`, read through the same cache as its logins), for a web
        /// page's button; nil for other providers, or when the document cannot be read
        /// within `timeout`.
        public func authorizationEndpoint(
            of providerID: String, on request: Request, timeout: TimeAmount = .seconds(3)
        ) async -> String? {
            guard let state = application.storage[SocialStateKey.self],
                let entry = state.configuration.entries.first(where: { $0.provider.id == providerID }),
                let provider = entry.provider as? OpenIDConnectProvider,
                let app = try? await state.credentials(for: entry, on: request.restAuth.database)
            else { return nil }
            let context = SocialContext(
                http: state.configuration.httpClient ?? application.http.client.shared, app: app,
                logger: request.logger, keys: state.keys, timeout: timeout)
            do {
                return try await provider.discovery(context).authorizationEndpoint
            } catch {
                request.logger.notice("the \(providerID) provider's discovery document could not be read: \(error)")
                return nil
            }
        }

        /// The migration of the `socialaccount_*` tables, for apps that run migrations
        /// themselves.
        public static func migrations(for userModel: any RestAuthUser.Type = AuthUser.self) -> [any Migration] {
            let fields = userModel.accountFields
            let keyType: DatabaseSchema.DataType =
                switch fields.keyType {
                case .int: .int
                case .uuid: .uuid
                case .string: .custom("VARCHAR(255)")
                }
            return [
                CreateSocialTables(
                    userTable: userModel.schema, userKeyColumn: fields.id.description, userKeyType: keyType)
            ]
        }
    }
}
