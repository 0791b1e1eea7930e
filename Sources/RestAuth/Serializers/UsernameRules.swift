/// The username field of sign-up and user details, with the configured lengths.
struct UsernameRules: Sendable {
    let configuration: RestAuthConfiguration

    var field: CharField {
        CharField("username", maxLength: configuration.usernameMaxLength, minLength: configuration.usernameMinLength)
    }

    static var takenMessage: String { RestAuthMessages.Fields.usernameTaken.text }
}
