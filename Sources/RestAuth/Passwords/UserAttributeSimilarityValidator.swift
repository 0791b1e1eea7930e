/// Django's `UserAttributeSimilarityValidator`: refuses a password too similar (by
/// `SequenceMatcher.quick_ratio`) to the username, first or last name, or e-mail address,
/// or to any part of them split on non-word characters.
public struct UserAttributeSimilarityValidator: PasswordValidator {
    public var maxSimilarity: Double

    public init(maxSimilarity: Double = 0.7) {
        self.maxSimilarity = max(0.1, maxSimilarity)
    }

    public func validate(_ password: String, user: PasswordUserAttributes?) -> [String] {
        guard let user else { return [] }
        let password = Array(password.lowercased().unicodeScalars)
        let names = RestAuthMessages.Passwords.self
        let attributes: [(String?, LocalizedMessage)] = [
            (user.username, names.usernameField), (user.firstName, names.firstNameField),
            (user.lastName, names.lastNameField), (user.email, names.emailField),
        ]
        for (value, verboseName) in attributes {
            guard let value, !value.isEmpty else { continue }
            let lower = value.lowercased()
            let parts = Self.splitOnNonWord(lower) + [Array(lower.unicodeScalars)]
            for part in parts {
                if exceedsMaximumLengthRatio(password: password, value: part) { continue }
                if Self.quickRatio(password, part) >= maxSimilarity {
                    return [RestAuthMessages.Passwords.tooSimilar.format(["verbose_name": verboseName.text])]
                }
            }
        }
        return []
    }

    private func exceedsMaximumLengthRatio(password: [Unicode.Scalar], value: [Unicode.Scalar]) -> Bool {
        let passwordLength = Double(password.count)
        let lengthBoundSimilarity = maxSimilarity / 2 * passwordLength
        let valueLength = Double(value.count)
        return passwordLength >= 10 * valueLength && valueLength < lengthBoundSimilarity
    }

    /// Python's `re.split(r"\W+", value)`.
    static func splitOnNonWord(_ value: String) -> [[Unicode.Scalar]] {
        var parts: [[Unicode.Scalar]] = [[]]
        var inSeparator = false
        for scalar in value.unicodeScalars {
            if UsernameSyntax.isWordCharacter(scalar) {
                parts[parts.count - 1].append(scalar)
                inSeparator = false
            } else if !inSeparator {
                parts.append([])
                inSeparator = true
            }
        }
        return parts
    }

    /// `difflib.SequenceMatcher(a=a, b=b).quick_ratio()`: twice the size of the multiset
    /// intersection over the total length.
    static func quickRatio(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Double {
        let total = a.count + b.count
        guard total > 0 else { return 1 }
        var available: [Unicode.Scalar: Int] = [:]
        for scalar in b { available[scalar, default: 0] += 1 }
        var matches = 0
        for scalar in a {
            if let count = available[scalar], count > 0 {
                available[scalar] = count - 1
                matches += 1
            }
        }
        return 2.0 * Double(matches) / Double(total)
    }
}
