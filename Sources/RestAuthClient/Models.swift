import Foundation

/// A type read from a parsed ``JSON`` value rather than through `JSONDecoder`.
protocol JSONReadable {
    /// The value, or `nil` when `json` is not one.
    init?(json: JSON)
}

extension JSON: JSONReadable {
    init?(json: JSON) { self = json }
}

extension User: JSONReadable {
    init?(json: JSON) {
        guard let fields = json.objectValue else { return nil }
        self.init(fields: fields)
    }
}

/// Whether a user is signed in, as ``AuthClient/sessionStates()`` reports it.
public enum SessionState: Sendable, Equatable {
    /// Signed in, authenticating the ``AuthMode`` way.
    case signedIn(AuthMode)
    /// Not signed in; `reason` says why the session ended, `nil` when none had begun.
    case signedOut(SignOutReason?)
}

/// Why a session ended.
public enum SignOutReason: Sendable, Equatable {
    /// The app called ``AuthClient/logout()`` or ``AuthClient/forgetCredentials()``.
    case loggedOut
    /// The server refused to refresh the JWT (it expired, or was blacklisted by a logout elsewhere).
    case refreshRejected
    /// The server no longer accepts the credential (a deleted token, an ended session).
    case credentialRejected
}

/// The user, as dj-rest-auth's `UserDetailsSerializer` writes it, with every field the
/// server sent in ``fields`` (an app's own serializer's too).
public struct User: Sendable, Equatable, Decodable {
    /// The primary key as text (`"7"`, or a UUID), whatever its JSON type.
    public var pk: String?
    /// The login name (`username`).
    public var username: String?
    /// The primary address (`email`; read-only on the server).
    public var email: String?
    /// `first_name`.
    public var firstName: String?
    /// `last_name`.
    public var lastName: String?
    /// Every field of the answer, the ones above included.
    public var fields: [String: JSON]

    /// Reads the user from the fields of a `user/` answer.
    public init(fields: [String: JSON]) {
        self.fields = fields
        switch fields["pk"] {
        case .number(let value)?: pk = Int64(exactly: value).map { String($0) } ?? String(value)
        case .string(let value)?: pk = value
        default: pk = nil
        }
        username = fields["username"]?.stringValue
        email = fields["email"]?.stringValue
        firstName = fields["first_name"]?.stringValue
        lastName = fields["last_name"]?.stringValue
    }

    /// Decodes any JSON object as a user.
    public init(from decoder: any Decoder) throws {
        self.init(fields: try [String: JSON](from: decoder))
    }

    /// A field of the app's own serializer, decoded as `T`; `nil` when absent or of another type.
    public func field<T: Decodable>(_ name: String, as type: T.Type = T.self) -> T? {
        try? fields[name]?.decode(T.self)
    }
}

/// Changes to the user's details for ``AuthClient/updateUser(_:)``: only the fields set
/// are sent (`PATCH`), `extra` carrying the app's own.
public struct UserUpdate: Sendable, Equatable {
    /// A new `username`, or `nil` to leave it.
    public var username: String?
    /// A new `first_name`, or `nil` to leave it.
    public var firstName: String?
    /// A new `last_name`, or `nil` to leave it.
    public var lastName: String?
    /// Fields of the app's own user serializer, by their JSON name.
    public var extra: [String: JSON]

    /// Changes to send; fields left `nil` are not sent.
    public init(
        username: String? = nil, firstName: String? = nil, lastName: String? = nil, extra: [String: JSON] = [:]
    ) {
        self.username = username
        self.firstName = firstName
        self.lastName = lastName
        self.extra = extra
    }

    var json: JSON {
        var members = extra
        if let username { members["username"] = .string(username) }
        if let firstName { members["first_name"] = .string(firstName) }
        if let lastName { members["last_name"] = .string(lastName) }
        return .object(members)
    }
}

/// A successful sign-in: how requests are now authenticated, and the user when the
/// answer carried one (JWT answers do).
public struct SignIn: Sendable, Equatable {
    /// How requests are authenticated from now on.
    public var mode: AuthMode
    /// The user, when the answer carried one (`user` in JWT answers).
    public var user: User?
    /// The answer as the server sent it (`nil` for an empty answer).
    public var body: JSON?
}

/// The second step a login may ask for: dj-rest-auth's MFA answered
/// `{"ephemeral_token": ..., "mfa_required": true}`.
public struct MFAChallenge: Sendable, Equatable {
    /// The token ``AuthClient/verifyMFA(_:code:)`` sends back with the code.
    public var ephemeralToken: String

    /// A challenge from its ephemeral token.
    public init(ephemeralToken: String) { self.ephemeralToken = ephemeralToken }
}

/// What a login answered.
public enum LoginOutcome: Sendable, Equatable {
    /// Signed in.
    case signedIn(SignIn)
    /// The user has two-factor authentication: call ``AuthClient/verifyMFA(_:code:)`` with a
    /// TOTP or recovery code.
    case mfaRequired(MFAChallenge)

    /// The sign-in, when there was no second step.
    public var signIn: SignIn? {
        if case .signedIn(let signIn) = self { return signIn }
        return nil
    }
}

/// What a sign-up answered.
public enum SignUpOutcome: Sendable, Equatable {
    /// The account exists and the user is signed in (verification optional or off).
    case signedIn(SignIn)
    /// The account exists; it must confirm its address first (mandatory verification).
    /// `detail` is the server's message.
    case verificationSent(detail: String)
    /// The account exists and the server issued no credential (an empty answer).
    case created
}

/// A sign-up: `registration/`'s fields. Which are required depends on the server's
/// `ACCOUNT_SIGNUP_FIELDS`; `extra` carries an app's own register serializer's.
public struct SignUpRequest: Sendable, Equatable {
    /// `username`, when the server's sign-up fields have it.
    public var username: String?
    /// `email`, when the server's sign-up fields have it.
    public var email: String?
    /// `password1`.
    public var password1: String
    /// `password2`, the confirmation.
    public var password2: String?
    /// Fields of the app's own register serializer, by their JSON name.
    public var extra: [String: JSON]

    /// `password2` defaults to `password1`, as a form that asks once would send it.
    public init(
        username: String? = nil, email: String? = nil, password: String, confirmation: String? = nil,
        extra: [String: JSON] = [:]
    ) {
        self.username = username
        self.email = email
        self.password1 = password
        self.password2 = confirmation ?? password
        self.extra = extra
    }

    var json: JSON {
        var members = extra
        if let username { members["username"] = .string(username) }
        if let email { members["email"] = .string(email) }
        members["password1"] = .string(password1)
        if let password2 { members["password2"] = .string(password2) }
        return .object(members)
    }
}

/// The `uid` and `token` of a password-reset link.
public struct PasswordResetLink: Sendable, Equatable {
    /// The user's id in base 64 (`uid`).
    public var uid: String
    /// The reset token (`token`).
    public var token: String

    /// A link's parts as they are.
    public init(uid: String, token: String) {
        self.uid = uid
        self.token = token
    }

    /// Reads a reset link: `?uid=…&token=…` in its query, else its last two path
    /// segments (dj-rest-auth's `…/password/reset/confirm/<uid>/<token>/`, or a front
    /// end's own route). `nil` when neither is there.
    public init?(url: URL) {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let items = components?.queryItems ?? []
        if let uid = items.first(where: { $0.name == "uid" || $0.name == "uidb64" })?.value,
            let token = items.first(where: { $0.name == "token" })?.value, !uid.isEmpty, !token.isEmpty
        {
            self.init(uid: uid, token: token)
            return
        }
        let segments = url.path.split(separator: "/").map(String.init)
        guard segments.count >= 2 else { return nil }
        let uid = segments[segments.count - 2]
        let token = segments[segments.count - 1]
        // A Django reset token is `<timestamp>-<hash>`: refuse a link that has none.
        guard token.contains("-"), !uid.isEmpty else { return nil }
        self.init(uid: uid, token: token)
    }
}

/// What a social login or connect sends: what the app got from the provider's SDK.
public enum SocialCredential: Sendable, Equatable {
    /// An OAuth 2 access token (Facebook, GitHub, Google's older SDKs).
    case accessToken(String)
    /// An authorization code, which the server exchanges at the provider (with its callback URL).
    case code(String)
    /// An OpenID Connect `id_token` (Sign in with Apple, Google Identity Services, Microsoft),
    /// with the access token when the SDK gave one too.
    case idToken(String, accessToken: String? = nil)
    /// An OAuth 1.0a token and its secret (X/Twitter).
    case oauth1(token: String, secret: String)

    var json: JSON {
        switch self {
        case .accessToken(let token): ["access_token": .string(token)]
        case .code(let code): ["code": .string(code)]
        case .idToken(let idToken, let accessToken?):
            ["id_token": .string(idToken), "access_token": .string(accessToken)]
        case .idToken(let idToken, nil): ["id_token": .string(idToken)]
        case .oauth1(let token, let secret): ["access_token": .string(token), "token_secret": .string(secret)]
        }
    }
}

/// A provider account connected to the user (`socialaccounts/`).
public struct SocialAccount: Sendable, Equatable, Decodable {
    /// The account's id, for ``AuthClient/disconnectSocialAccount(id:)``.
    public var id: Int
    /// The provider's id (`google`, `github`, ...).
    public var provider: String
    /// The user's id at the provider.
    public var uid: String
    /// When the account last signed in.
    public var lastLogin: Date?
    /// When the account was connected.
    public var dateJoined: Date?

    /// Decodes one entry of `socialaccounts/`; anything else is a decoding error.
    public init(from decoder: any Decoder) throws {
        guard let account = SocialAccount(json: .object(try [String: JSON](from: decoder))) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a social account"))
        }
        self = account
    }

    init?(json: JSON) {
        guard let id = json["id"]?.intValue, let provider = json["provider"]?.stringValue,
            let uid = json["uid"]?.stringValue
        else { return nil }
        self.id = id
        self.provider = provider
        self.uid = uid
        lastLogin = json["last_login"]?.stringValue.flatMap(HTTPDate.iso8601)
        dateJoined = json["date_joined"]?.stringValue.flatMap(HTTPDate.iso8601)
    }
}

extension SocialAccount: JSONReadable {}

/// One of the user's passkeys, as `passkeys/` lists it.
public struct Passkey: Sendable, Equatable, Decodable {
    /// The passkey's id, for ``AuthClient/renamePasskey(id:name:)`` and ``AuthClient/deletePasskey(id:)``.
    public var id: Int
    /// The name the user gave it (`Passkey` unless they did).
    public var name: String
    /// The credential id in base64url (what `allowCredentials` names).
    public var credentialID: String
    /// When it was registered.
    public var createdAt: Date?
    /// When it last signed in.
    public var lastUsedAt: Date?
    /// How the authenticator can be reached (`internal`, `hybrid`, `usb`, ...).
    public var transports: [String]
    /// Whether it signs in without a username (a resident key).
    public var discoverable: Bool

    /// Decodes one entry of `passkeys/`; anything else is a decoding error.
    public init(from decoder: any Decoder) throws {
        guard let passkey = Passkey(json: .object(try [String: JSON](from: decoder))) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a passkey"))
        }
        self = passkey
    }

    init?(json: JSON) {
        guard let id = json["id"]?.intValue, let name = json["name"]?.stringValue,
            let credentialID = json["credential_id"]?.stringValue
        else { return nil }
        self.id = id
        self.name = name
        self.credentialID = credentialID
        createdAt = json["created_at"]?.stringValue.flatMap(HTTPDate.iso8601)
        lastUsedAt = json["last_used_at"]?.stringValue.flatMap(HTTPDate.iso8601)
        transports = (json["transports"]?.arrayValue ?? []).compactMap(\.stringValue)
        discoverable = json["discoverable"]?.boolValue ?? true
    }
}

extension Passkey: JSONReadable {}

/// `passkeys/login/begin/`'s answer: the request options to hand to the platform's
/// authenticator (`PublicKeyCredentialRequestOptionsJSON`: `challenge`, `rpId`,
/// `allowCredentials`, `userVerification`, `timeout`) and the session the assertion completes.
public struct PasskeyLoginChallenge: Sendable, Equatable {
    /// The request options, `session_id` taken out.
    public var options: JSON
    /// The `session_id` that ``AuthClient/completePasskeyLogin(_:credential:)`` sends back.
    public var sessionID: String
}

extension Array: JSONReadable where Element: JSONReadable {
    init?(json: JSON) {
        guard let items = json.arrayValue else { return nil }
        var values: [Element] = []
        for item in items {
            guard let value = Element(json: item) else { return nil }
            values.append(value)
        }
        self = values
    }
}

/// `mfa/status/`.
public struct MFAStatus: Sendable, Equatable {
    /// Whether TOTP is on.
    public var enabled: Bool
    /// When TOTP was turned on.
    public var createdAt: Date?
    /// When a code was last used.
    public var lastUsedAt: Date?
}

/// `mfa/totp/activate/`'s first answer: what to show so the user can add the key to an
/// authenticator app, and the token that binds the confirmation to this secret.
public struct TOTPSetup: Sendable, Equatable {
    /// The secret in base 32, for typing in.
    public var secret: String
    /// The `otpauth://totp/...` URI, for a QR code or a link to an authenticator app.
    public var totpURL: String
    /// The server's QR code as a `data:` URI (SVG, or PNG on the reference).
    public var qrCodeDataURI: String
    /// Sent back by ``AuthClient/activateTOTP(_:code:)``.
    public var activationToken: String
}
