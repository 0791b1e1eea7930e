import RestAuth

/// The social views' texts: message ids of the gettext catalogs (see ``RestAuthMessages``).
public enum SocialMessages {
    public static let incorrectInput = LocalizedMessage(
        "Incorrect input. access_token or code is required.", origin: .djRestAuth)
    public static let exchangeFailed = LocalizedMessage("Failed to exchange code for access token", origin: .djRestAuth)
    public static let incorrectValue = LocalizedMessage("Incorrect value", origin: .djRestAuth)
    public static let connectedToOther = LocalizedMessage(
        "The third-party account is already connected to a different account.", origin: .allauth)
    public static let noPassword = LocalizedMessage("Your account has no password set up.", origin: .allauth)
    public static let noVerifiedEmail = LocalizedMessage(
        "Your account has no verified email address.", origin: .allauth)
    public static let notConfigured = LocalizedMessage(
        "Social login with %(provider)s is not configured.", origin: .restAuth, placeholders: .percent)
    public static let emailRequired = LocalizedMessage(
        "The provider did not share an e-mail address, and one is required.", origin: .restAuth)

    /// Every message of the social views, for the `.pot` template and its test.
    public static let all = [
        incorrectInput, exchangeFailed, incorrectValue, connectedToOther, noPassword, noVerifiedEmail, notConfigured,
        emailRequired,
    ]
}
