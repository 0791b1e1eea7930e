/// Django's `UnicodeUsernameValidator`: letters, digits and `@.+-_` (`^[\w.@+-]+\Z`).
enum UsernameSyntax {
    static var message: String { RestAuthMessages.Fields.invalidUsername.text }

    /// Python's `\w` in a Unicode pattern: alphanumerics and the underscore.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        if scalar.isASCII {
            return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return scalar.properties.numericType != nil
        }
    }

    static func isValid(_ username: String) -> Bool {
        !username.isEmpty
            && username.unicodeScalars.allSatisfy {
                isWordCharacter($0) || $0 == "." || $0 == "@" || $0 == "+" || $0 == "-"
            }
    }
}
