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

    /// Django's `delete_cookie`: empty, expired in 1970, `Max-Age=0`.
    static func djangoDeletion(path: String, domain: String?, secure: Bool, sameSite: CookieSameSite)
        -> HTTPCookies.Value
    {
        HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, domain: domain, path: path,
            isSecure: secure, isHTTPOnly: false, sameSite: sameSite.policy)
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
            path: sessionCookiePath, domain: sessionCookieDomain, secure: sessionCookieSecure,
            sameSite: sessionCookieSameSite)
    }

    func csrfCookie(_ secret: String) -> HTTPCookies.Value {
        .django(
            secret, maxAge: csrfCookieAge, path: csrfCookiePath, domain: csrfCookieDomain, secure: csrfCookieSecure,
            httpOnly: csrfCookieHTTPOnly, sameSite: csrfCookieSameSite)
    }
}
