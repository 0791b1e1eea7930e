/// How a request proved who it is.
public enum AuthCredential: Sendable, Equatable {
    /// `Authorization: Token <key>` (DRF's `TokenAuthentication`).
    case token(key: String)
    /// The session cookie (Django's sessions; CSRF applies to unsafe methods).
    case session(key: String)
    /// A JWT access token from the `Authorization: Bearer` header or the access cookie;
    /// `family` is the login it belongs to.
    case jwt(jti: String, family: String?, fromCookie: Bool)
}

/// A user that an authenticator recognised, with the credential it recognised.
public struct Authentication: Sendable {
    public var user: any RestAuthUser
    public var credential: AuthCredential

    public init(user: any RestAuthUser, credential: AuthCredential) {
        self.user = user
        self.credential = credential
    }
}
