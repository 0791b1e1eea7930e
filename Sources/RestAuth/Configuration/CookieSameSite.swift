import Vapor

/// A cookie's `SameSite` attribute, as Django spells it: `Lax`, `Strict`, `None`, or
/// absent (`false` in Django's settings).
public enum CookieSameSite: String, Sendable, CaseIterable {
    case lax = "Lax"
    case strict = "Strict"
    case none = "None"
    case unset = "False"

    var policy: HTTPCookies.SameSitePolicy? {
        switch self {
        case .lax: .lax
        case .strict: .strict
        case .none: HTTPCookies.SameSitePolicy.none
        case .unset: nil
        }
    }
}
