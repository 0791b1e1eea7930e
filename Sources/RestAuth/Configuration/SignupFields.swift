/// allauth 65's `ACCOUNT_SIGNUP_FIELDS` as dj-rest-auth 7.2's `RegisterSerializer` reads
/// it: a field named with `*` is required, one named without is optional, and one the
/// list leaves out is still required (dj-rest-auth's `_signup_field_required` defaults to
/// true, its issue #702). The password fields are always required.
///
/// ```swift
/// config.signupFields = try SignupFields(["username*", "email", "password1*", "password2*"])
/// ```
public struct SignupFields: Sendable, Equatable {
    public var usernameRequired: Bool
    public var emailRequired: Bool

    /// The reference's setting, `["email*", "username*", "password1*", "password2*"]`: both required.
    public init(usernameRequired: Bool = true, emailRequired: Bool = true) {
        self.usernameRequired = usernameRequired
        self.emailRequired = emailRequired
    }

    /// Reads allauth's list. Names other than `username`, `email`, `password1`, `password2`
    /// (and allauth's `phone`, which the API does not take) are refused.
    public init(_ names: [String]) throws {
        self.init()
        var seen = Set<String>()
        for entry in names {
            let required = entry.hasSuffix("*")
            let name = required ? String(entry.dropLast()) : entry
            guard ["username", "email", "password1", "password2"].contains(name), seen.insert(name).inserted else {
                throw ConfigurationError(
                    setting: "ACCOUNT_SIGNUP_FIELDS",
                    message:
                        "\(entry.debugDescription) is not one of username, email, password1, password2 (each once, * marking it required)"
                )
            }
            switch name {
            case "username": usernameRequired = required
            case "email": emailRequired = required
            default:
                if !required {
                    throw ConfigurationError(
                        setting: "ACCOUNT_SIGNUP_FIELDS", message: "\(name) must be required (\(name)*)")
                }
            }
        }
    }
}
