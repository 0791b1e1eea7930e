import Foundation
import Vapor

/// django-cors-headers' settings, for browser clients on other origins: `CORS_ALLOWED_ORIGINS`,
/// `CORS_ALLOWED_ORIGIN_REGEXES`, `CORS_ALLOW_ALL_ORIGINS`, `CORS_ALLOW_CREDENTIALS`,
/// `CORS_ALLOW_HEADERS`, `CORS_ALLOW_METHODS`, `CORS_EXPOSE_HEADERS`, `CORS_PREFLIGHT_MAX_AGE`,
/// with its defaults. Off (no header is added) until an origin is allowed.
///
/// ```swift
/// config.cors.allowedOrigins = ["https://app.example.com"]
/// config.cors.allowCredentials = true   // cookies (session, JWT cookie) travel
/// ```
public struct CORSSettings: Sendable {
    public var allowedOrigins: [String] = []
    /// Python regular expressions matched from the start of the origin (`re.match`).
    public var allowedOriginRegexes: [String] = []
    public var allowAllOrigins = false
    public var allowCredentials = false
    public var allowHeaders = [
        "accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with",
    ]
    public var allowMethods = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"]
    public var exposeHeaders: [String] = []
    public var preflightMaxAge = 86_400

    public init() {}

    var isEnabled: Bool { allowAllOrigins || !allowedOrigins.isEmpty || !allowedOriginRegexes.isEmpty }

    func validate() throws {
        for pattern in allowedOriginRegexes where (try? NSRegularExpression(pattern: pattern)) == nil {
            throw ConfigurationError(
                setting: "CORS_ALLOWED_ORIGIN_REGEXES",
                message: "\(pattern.debugDescription) is not a regular expression")
        }
        for origin in allowedOrigins where origin != "null" {
            guard let url = URL(string: origin), let scheme = url.scheme, url.host != nil,
                url.path.isEmpty || url.path == "/", scheme == "http" || scheme == "https"
            else {
                throw ConfigurationError(
                    setting: "CORS_ALLOWED_ORIGINS",
                    message: "\(origin.debugDescription) is not an origin (scheme://host[:port])")
            }
        }
        if allowAllOrigins && allowCredentials {
            // django-cors-headers allows it (and echoes the origin), but then any site can act
            // with a visitor's cookies: the CSRF check is all that is left. Refused here.
            throw ConfigurationError(
                setting: "CORS_ALLOW_CREDENTIALS",
                message:
                    "with CORS_ALLOW_ALL_ORIGINS, any site could send requests with a visitor's cookies and read the answers; list the origins instead"
            )
        }
    }
}

/// The API's CORS: a request whose `Origin` the settings allow gets Vapor's `CORSMiddleware`
/// headers (a preflight is answered there, before authentication); any other origin gets
/// none (a preflight an empty 200, as django-cors-headers gives), so the browser refuses.
struct CORSGate: Middleware {
    let settings: CORSSettings
    let vapor: CORSMiddleware
    let regexes: [NSRegularExpressionBox]

    init(settings: CORSSettings) {
        self.settings = settings
        self.regexes = settings.allowedOriginRegexes.compactMap { try? NSRegularExpressionBox($0) }
        self.vapor = CORSMiddleware(
            configuration: .init(
                allowedOrigin: settings.allowAllOrigins && !settings.allowCredentials ? .all : .originBased,
                allowedMethods: settings.allowMethods.map { HTTPMethod(rawValue: $0.uppercased()) },
                allowedHeaders: settings.allowHeaders.map { HTTPHeaders.Name($0) },
                allowCredentials: settings.allowCredentials, cacheExpiration: settings.preflightMaxAge,
                exposedHeaders: settings.exposeHeaders.isEmpty
                    ? nil : settings.exposeHeaders.map { HTTPHeaders.Name($0) }))
    }

    func allows(_ origin: String) -> Bool {
        settings.allowAllOrigins || settings.allowedOrigins.contains(origin)
            || regexes.contains { $0.matchesStart(origin) }
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let origin = request.headers.first(name: .origin) else { return next.respond(to: request) }
        if allows(origin) { return vapor.respond(to: request, chainingTo: next) }
        if request.method == .OPTIONS, request.headers.first(name: .accessControlRequestMethod) != nil {
            return request.eventLoop.makeSucceededFuture(Response(status: .ok))
        }
        return next.respond(to: request)
    }
}

/// A compiled pattern, shared read-only across event loops.
struct NSRegularExpressionBox: @unchecked Sendable {
    let regex: NSRegularExpression

    init(_ pattern: String) throws { regex = try NSRegularExpression(pattern: pattern) }

    /// Python's `re.match`: a match that starts at the beginning.
    func matchesStart(_ text: String) -> Bool {
        regex.firstMatch(in: text, options: .anchored, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
