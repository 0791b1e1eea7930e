/// What a validator may compare a password with: Django's user attributes.
public struct PasswordUserAttributes: Sendable {
    public var username: String?
    public var firstName: String?
    public var lastName: String?
    public var email: String?

    public init(username: String? = nil, firstName: String? = nil, lastName: String? = nil, email: String? = nil) {
        self.username = username
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
    }
}

/// One of Django's `AUTH_PASSWORD_VALIDATORS`: returns its messages for a password that
/// fails it, or nothing. It runs inside the request's work, so a ``LocalizedMessage``'s
/// `text` is in the request's language.
///
/// ```swift
/// struct NoSeasonsValidator: PasswordValidator {
///     func validate(_ password: String, user: PasswordUserAttributes?) -> [String] {
///         password.lowercased().contains("summer") ? ["Pick something less guessable."] : []
///     }
/// }
/// config.passwordValidators.append(NoSeasonsValidator())
/// ```
public protocol PasswordValidator: Sendable {
    func validate(_ password: String, user: PasswordUserAttributes?) -> [String]
}

extension Array where Element == any PasswordValidator {
    /// Every validator's messages, in order (Django's `validate_password`).
    public func messages(for password: String, user: PasswordUserAttributes?) -> [String] {
        flatMap { $0.validate(password, user: user) }
    }
}

/// Django's `MinimumLengthValidator` (default 8).
public struct MinimumLengthValidator: PasswordValidator {
    public var minLength: Int

    public init(minLength: Int = 8) { self.minLength = minLength }

    public func validate(_ password: String, user: PasswordUserAttributes?) -> [String] {
        guard password.unicodeScalars.count < minLength else { return [] }
        return [RestAuthMessages.Passwords.tooShort.format(["": "\(minLength)"], count: minLength)]
    }
}

/// Django's `NumericPasswordValidator`.
public struct NumericPasswordValidator: PasswordValidator {
    public init() {}

    public func validate(_ password: String, user: PasswordUserAttributes?) -> [String] {
        // Python's str.isdigit(): non-empty and every character a digit.
        let allDigits =
            !password.isEmpty
            && password.unicodeScalars.allSatisfy {
                $0.properties.numericType == .decimal || $0.properties.numericType == .digit
            }
        return allDigits ? [RestAuthMessages.Passwords.entirelyNumeric.text] : []
    }
}
