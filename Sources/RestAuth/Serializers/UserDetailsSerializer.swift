import Fluent

/// dj-rest-auth's `UserDetailsSerializer`: `pk`, `username`, `email`, `first_name`,
/// `last_name`; `pk` and `email` are read-only.
struct UserDetailsSerializer: Sendable {
    let usernameRules: UsernameRules

    static let firstName = CharField("first_name", required: false, allowBlank: true, maxLength: 150)
    static let lastName = CharField("last_name", required: false, allowBlank: true, maxLength: 150)

    static func representation(of user: AuthUser) -> JSONValue {
        [
            "pk": .int(user.id ?? 0),
            "username": .string(user.username),
            "email": .string(user.email),
            "first_name": .string(user.firstName),
            "last_name": .string(user.lastName),
        ]
    }

    /// Validates a PUT (`partial` false) or PATCH body and applies it to `user` (unsaved).
    func update(_ user: AuthUser, with fields: JSONObject, partial: Bool, on database: any Database) async throws {
        var errors = ValidationErrors()
        let username = usernameRules.field.read(from: fields, into: &errors, partial: partial).string
        let firstName = Self.firstName.read(from: fields, into: &errors, partial: partial).string
        let lastName = Self.lastName.read(from: fields, into: &errors, partial: partial).string
        var cleanedUsername: String?
        if let username, !errors.contains("username") {
            switch try await usernameRules.clean(username, excluding: user.id, on: database) {
            case .success(let value): cleanedUsername = value
            case .failure(let failure): errors.merge(failure)
            }
        }
        try errors.throwIfAny()
        if let cleanedUsername { user.username = cleanedUsername }
        if let firstName { user.firstName = firstName }
        if let lastName { user.lastName = lastName }
    }
}
