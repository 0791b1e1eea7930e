import Vapor

extension RequestHost {
    /// The request's `Host`, checked as Django's `get_host()` checks it: nil when the
    /// request names none (HTTP/1.0); a 400 (`DisallowedHost`) when the header does not
    /// follow the grammar or names a domain `allowed` does not list.
    static func validated(_ request: Request, allowed: AllowedHosts) throws -> RequestHost? {
        guard let header = request.headers.first(name: .host) else { return nil }
        guard let host = RequestHost(header) else { throw APIError.disallowedHost(header, domain: nil) }
        guard allowed.allows(host.domain) else { throw APIError.disallowedHost(header, domain: host.domain) }
        return host
    }
}
