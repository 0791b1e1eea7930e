import Fluent

/// The checks a new username passes, in allauth's order: Django's username validator,
/// allauth's blacklist, then uniqueness without regard to case.
struct UsernameRules: Sendable {
    let configuration: RestAuthConfiguration
    let users: UserStore

    var field: CharField {
        CharField(
            "username", maxLength: configuration.usernameMaxLength, minLength: configuration.usernameMinLength)
    }

    static let takenMessage = "A user with that username already exists."

    /// allauth's `clean_username`; `excluding` is the user renaming themselves (dj-rest-auth
    /// counts them as a clash with their own name, a bug this package does not copy).
    func clean(_ username: String, excluding userID: Int? = nil, on database: any Database) async throws -> Result<
        String, ValidationErrors
    > {
        let username = configuration.preserveUsernameCasing ? username : username.lowercased()
        guard UsernameSyntax.isValid(username) else {
            return .failure(ValidationErrors("username", UsernameSyntax.message))
        }
        if configuration.usernameBlacklist.contains(where: { $0.lowercased() == username.lowercased() }) {
            return .failure(ValidationErrors("username", "Username can not be used. Please use other username."))
        }
        if try await users.usernameTaken(username, excluding: userID, on: database) {
            return .failure(ValidationErrors("username", Self.takenMessage))
        }
        return .success(username)
    }
}
