import Foundation

/// Django's `CommonPasswordValidator`, with Django's list of 19,640 common passwords
/// (see `Resources/README.md` for its source).
public struct CommonPasswordValidator: PasswordValidator {
    public let passwords: Set<String>

    /// The validator with Django's list, loaded once.
    public static let shared = CommonPasswordValidator(passwords: loadDefaultList())

    public init(passwords: Set<String>) {
        self.passwords = passwords
    }

    public func validate(_ password: String, user: PasswordUserAttributes?) -> [String] {
        let normalised = password.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
        return passwords.contains(normalised) ? [RestAuthMessages.Passwords.tooCommon.text] : []
    }

    static func loadDefaultList() -> Set<String> {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            preconditionFailure("RestAuth's resource common-passwords.txt is missing from the bundle")
        }
        return Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
    }
}
