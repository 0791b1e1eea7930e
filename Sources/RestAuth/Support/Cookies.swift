import Foundation
import Vapor

extension HTTPCookies.Value {
    /// A cookie as Django's `set_cookie` writes it: `Max-Age` and `Expires` together.
    static func django(
        _ value: String, maxAge: Int?, path: String, domain: String?, secure: Bool, httpOnly: Bool,
        sameSite: CookieSameSite
    ) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, expires: maxAge.map { Date().addingTimeInterval(TimeInterval($0)) }, maxAge: maxAge,
            domain: domain, path: path, isSecure: secure, isHTTPOnly: httpOnly, sameSite: sameSite.policy)
    }

    /// Django's `delete_cookie`: empty, expired in 1970, `Max-Age=0`; `Secure` when asked,
    /// for `__Secure-` and `__Host-` names, and with `SameSite=None` (browsers ignore such a
    /// cookie without it, so the deletion would not take).
    static func djangoDeletion(
        name: String, path: String, domain: String?, secure: Bool = false, sameSite: CookieSameSite
    ) -> HTTPCookies.Value {
        let secure = secure || name.hasPrefix("__Secure-") || name.hasPrefix("__Host-") || sameSite == .none
        return HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, domain: domain, path: path,
            isSecure: secure, isHTTPOnly: false, sameSite: sameSite.policy)
    }
}

extension Response {
    /// Sets a cookie by writing its `Set-Cookie` line. (`response.cookies[name] = value`
    /// reads the other cookies back through Vapor's parser first, which gives a cookie
    /// without `SameSite` the default `Lax`: Django's `SAMESITE = False` would be lost
    /// on every cookie but the last.)
    func setCookie(_ name: String, _ value: HTTPCookies.Value) {
        let kept = headers[.setCookie].filter { !$0.hasPrefix(name + "=") }
        headers.remove(name: .setCookie)
        for line in kept { headers.add(name: .setCookie, value: line) }
        headers.add(name: .setCookie, value: value.serialize(name: name))
    }
}

extension RestAuthConfiguration {
    func sessionCookie(_ key: String) -> HTTPCookies.Value {
        .django(
            key, maxAge: sessionCookieAge, path: sessionCookiePath, domain: sessionCookieDomain,
            secure: sessionCookieSecure, httpOnly: sessionCookieHTTPOnly, sameSite: sessionCookieSameSite)
    }

    var sessionCookieDeletion: HTTPCookies.Value {
        .djangoDeletion(
            name: sessionCookieName, path: sessionCookiePath, domain: sessionCookieDomain, secure: sessionCookieSecure,
            sameSite: sessionCookieSameSite)
    }

    func csrfCookie(_ secret: String) -> HTTPCookies.Value {
        .django(
            secret, maxAge: csrfCookieAge, path: csrfCookiePath, domain: csrfCookieDomain, secure: csrfCookieSecure,
            httpOnly: csrfCookieHTTPOnly, sameSite: csrfCookieSameSite)
    }
}

extension RestAuthConfiguration {
    /// dj-rest-auth's `set_jwt_access_cookie`: expires with the token.
    func jwtAccessCookie(_ token: String) -> HTTPCookies.Value {
        .django(
            token, maxAge: Int(jwtAccessTokenLifetime), path: "/", domain: jwtAuthCookieDomain, secure: jwtAuthSecure,
            httpOnly: jwtAuthHTTPOnly, sameSite: jwtAuthSameSite)
    }

    /// dj-rest-auth's `set_jwt_refresh_cookie`: on `JWT_AUTH_REFRESH_COOKIE_PATH`.
    func jwtRefreshCookie(_ token: String) -> HTTPCookies.Value {
        .django(
            token, maxAge: Int(jwtRefreshTokenLifetime), path: jwtAuthRefreshCookiePath, domain: jwtAuthCookieDomain,
            secure: jwtAuthSecure, httpOnly: jwtAuthHTTPOnly, sameSite: jwtAuthSameSite)
    }

    /// dj-rest-auth's `unset_jwt_cookies`.
    var jwtCookieDeletions: [String: HTTPCookies.Value] {
        var cookies: [String: HTTPCookies.Value] = [:]
        if let name = jwtAuthCookie {
            cookies[name] = .djangoDeletion(
                name: name, path: "/", domain: jwtAuthCookieDomain, sameSite: jwtAuthSameSite)
        }
        if let name = jwtAuthRefreshCookie {
            cookies[name] = .djangoDeletion(
                name: name, path: jwtAuthRefreshCookiePath, domain: jwtAuthCookieDomain, sameSite: jwtAuthSameSite)
        }
        return cookies
    }
}

/// DRF's `DateTimeField` output: ISO 8601 in UTC with microseconds and `Z`.
public enum DRFDateTime {
    public static func string(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // To the nearest microsecond (Python's precision): a time read back from a database
        // that keeps a double (SQLite) is then written as it was stored.
        let total = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (seconds, micro) = (total.quotientAndRemainder(dividingBy: 1_000_000))
        let whole = micro < 0 ? seconds - 1 : seconds
        let fraction = micro < 0 ? Int(micro + 1_000_000) : Int(micro)
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(whole)))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!,
            fraction)
    }
}
