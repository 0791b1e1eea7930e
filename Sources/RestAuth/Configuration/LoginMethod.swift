/// One of allauth's `ACCOUNT_LOGIN_METHODS`.
public enum LoginMethod: String, Sendable, CaseIterable, Hashable {
    case username
    case email
}
