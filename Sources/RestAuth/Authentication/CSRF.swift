import Foundation
import Vapor

/// Django's `CsrfViewMiddleware` as DRF's `SessionAuthentication.enforce_csrf` runs it:
/// the double-submit pair (`csrftoken` cookie and `X-CSRFToken` header, or the
/// `csrfmiddlewaretoken` form field), the `Origin` check, and on HTTPS the `Referer` check.
/// Messages are Django's; DRF prefixes them with "CSRF Failed: ".
struct CSRF: Sendable {
    static let secretLength = 32
    static let tokenLength = 64
    static let allowedCharacters = SaltGenerator.alphanumerics
    private static let characterIndex: [UInt8: Int] = Dictionary(
        uniqueKeysWithValues: allowedCharacters.enumerated().map { ($1, $0) })

    let cookieName: String
    let headerName: String
    let trustedOrigins: [String]
    let cookieDomain: String?
    /// Who may say the request came over TLS (`X-Forwarded-Proto`).
    let clientAddress: ClientAddress

    init(configuration: RestAuthConfiguration) {
        self.cookieName = configuration.csrfCookieName
        self.headerName = configuration.csrfHeaderName
        self.trustedOrigins = configuration.csrfTrustedOrigins
        self.cookieDomain = configuration.csrfCookieDomain
        self.clientAddress = ClientAddress(trustedProxies: configuration.trustedProxies)
    }

    static let safeMethods: [HTTPMethod] = [.GET, .HEAD, .OPTIONS, .TRACE]

    /// A new secret for the cookie (Django's `_get_new_csrf_string`).
    static func newSecret() -> String {
        SaltGenerator.randomString(length: secretLength)
    }

    /// Throws 403 `{"detail": "CSRF Failed: ..."}` when an unsafe request fails the check.
    func enforce(_ request: Request) throws {
        guard !Self.safeMethods.contains(request.method) else { return }
        if let reason = rejection(for: request, isSecure: clientAddress.isSecure(request)) {
            throw APIError.permissionDenied("CSRF Failed: \(reason)")
        }
    }

    func rejection(for request: Request, isSecure: Bool) -> String? {
        let host = request.headers.first(name: .host) ?? ""
        if let origin = request.headers.first(name: .origin) {
            if !originVerified(origin, host: host, isSecure: isSecure) {
                return "Origin checking failed - \(origin) does not match any trusted origins."
            }
        } else if isSecure, let reason = refererRejection(request, host: host) {
            return reason
        }
        return tokenRejection(request)
    }

    private func originVerified(_ origin: String, host: String, isSecure: Bool) -> Bool {
        if origin == "\(isSecure ? "https" : "http")://\(host)" { return true }
        if trustedOrigins.contains(where: { !$0.contains("*") && $0 == origin }) { return true }
        guard let (scheme, netloc) = Self.split(origin) else { return false }
        return trustedOrigins.contains { trusted in
            guard trusted.contains("*"), let (trustedScheme, pattern) = Self.split(trusted), trustedScheme == scheme
            else { return false }
            return Self.isSameDomain(netloc, pattern: String(pattern.drop(while: { $0 == "*" })))
        }
    }

    /// `urlsplit(url)`'s scheme and netloc, for origins and trusted-origin patterns.
    static func split(_ url: String) -> (scheme: String, netloc: String)? {
        guard let range = url.range(of: "://") else { return nil }
        let scheme = url[..<range.lowerBound].lowercased()
        let rest = url[range.upperBound...]
        let netloc = rest.prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
        guard !scheme.isEmpty, !netloc.isEmpty else { return nil }
        return (scheme, String(netloc))
    }

    private func refererRejection(_ request: Request, host: String) -> String? {
        guard let referer = request.headers.first(name: .referer) else {
            return "Referer checking failed - no Referer."
        }
        guard let parsed = URLComponents(string: referer), let scheme = parsed.scheme, !scheme.isEmpty,
            let refererHost = parsed.host, !refererHost.isEmpty
        else {
            return "Referer checking failed - Referer is malformed."
        }
        guard scheme == "https" else {
            return "Referer checking failed - Referer is insecure while host is secure."
        }
        let netloc = Self.netloc(parsed)
        let trustedHosts = trustedOrigins.compactMap { Self.split($0)?.netloc }.map {
            String($0.drop(while: { $0 == "*" }))
        }
        if trustedHosts.contains(where: { Self.isSameDomain(netloc, pattern: $0) }) { return nil }
        var goodReferer = host
        if let cookieDomain {
            goodReferer = cookieDomain
            if let port = host.split(separator: ":").last.flatMap({ Int($0) }), port != 443, port != 80 {
                goodReferer += ":\(port)"
            }
        }
        return Self.isSameDomain(netloc, pattern: goodReferer)
            ? nil : "Referer checking failed - \(referer) does not match any trusted origins."
    }

    private func tokenRejection(_ request: Request) -> String? {
        guard let cookie = request.cookies[cookieName]?.string else { return "CSRF cookie not set." }
        if let problem = Self.formatProblem(cookie) { return "CSRF cookie \(problem)." }
        let secret = cookie.count == Self.tokenLength ? Self.unmask(cookie) : cookie

        var token = ""
        var source = "POST"
        if request.method == .POST,
            request.headers.contentType == .urlEncodedForm || request.headers.contentType?.type == "multipart",
            case .object(let fields)? = try? RequestBody.parse(request),
            case .string(let value)? = fields["csrfmiddlewaretoken"]
        {
            token = value
        }
        if token.isEmpty {
            guard let header = request.headers.first(name: headerName) else { return "CSRF token missing." }
            token = header
            source = "the '\(Self.djangoHeaderDisplayName(headerName))' HTTP header"
        }
        if let problem = Self.formatProblem(token) { return "CSRF token from \(source) \(problem)." }
        let candidate = token.count == Self.tokenLength ? Self.unmask(token) : token
        return ConstantTime.equals(candidate, secret) ? nil : "CSRF token from \(source) incorrect."
    }

    /// Django's `_check_token_format`.
    static func formatProblem(_ token: String) -> String? {
        let bytes = Array(token.utf8)
        guard bytes.count == secretLength || bytes.count == tokenLength else { return "has incorrect length" }
        guard bytes.allSatisfy({ characterIndex[$0] != nil }) else { return "has invalid characters" }
        return nil
    }

    /// Django's `_unmask_cipher_token`: the first half is the mask.
    static func unmask(_ token: String) -> String {
        let bytes = Array(token.utf8)
        let mask = bytes[0..<secretLength]
        let cipher = bytes[secretLength...]
        let count = allowedCharacters.count
        let out = zip(cipher, mask).map { x, y -> UInt8 in
            let value = ((characterIndex[x] ?? 0) - (characterIndex[y] ?? 0) + count) % count
            return allowedCharacters[value]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Django's `_mask_cipher_secret`, for clients that want a masked token.
    static func mask(_ secret: String) -> String {
        let maskString = SaltGenerator.randomString(length: secretLength)
        let count = allowedCharacters.count
        let cipher = zip(Array(secret.utf8), Array(maskString.utf8)).map { x, y -> UInt8 in
            allowedCharacters[((characterIndex[x] ?? 0) + (characterIndex[y] ?? 0)) % count]
        }
        return maskString + String(decoding: cipher, as: UTF8.self)
    }

    /// `HttpHeaders.parse_header_name("HTTP_X_CSRFTOKEN")` gives `X-Csrftoken`: Django
    /// names the header that way in its messages.
    static func djangoHeaderDisplayName(_ header: String) -> String {
        header.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }
            .joined(separator: "-")
    }

    /// Django's `is_same_domain`: a pattern that starts with `.` matches the domain and its subdomains.
    static func isSameDomain(_ host: String, pattern: String) -> Bool {
        guard !pattern.isEmpty else { return false }
        let pattern = pattern.lowercased()
        let host = host.lowercased()
        if pattern.hasPrefix(".") {
            return host.hasSuffix(pattern) || host == String(pattern.dropFirst())
        }
        return host == pattern
    }

    private static func netloc(_ components: URLComponents) -> String {
        (components.host ?? "") + (components.port.map { ":\($0)" } ?? "")
    }
}
