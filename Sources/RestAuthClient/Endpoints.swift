import Foundation

/// The answer of the endpoints that only say something (`{"detail": "..."}`).
struct DetailAnswer: Decodable, JSONReadable {
    var detail: String?

    init?(json: JSON) {
        guard json.objectValue != nil else { return nil }
        detail = json["detail"]?.stringValue
    }
}

extension AuthClient {
    // MARK: Login and logout

    /// `login/`: signs in with a username, an e-mail address or both (as the server's
    /// `ACCOUNT_LOGIN_METHODS` wants), or answers that a second factor is needed.
    ///
    /// - Throws: ``RestAuthError/invalid(_:)`` with dj-rest-auth's `non_field_errors`
    ///   (`Unable to log in with provided credentials.`), and the like.
    public func login(username: String? = nil, email: String? = nil, password: String) async throws -> LoginOutcome {
        var fields: [String: JSON] = ["password": .string(password)]
        if let username { fields["username"] = .string(username) }
        if let email { fields["email"] = .string(email) }
        return try await signInCall("login/", .object(fields))
    }

    /// `mfa/verify/`: the second step of a login, with a TOTP code or a recovery code.
    public func verifyMFA(_ challenge: MFAChallenge, code: String) async throws -> SignIn {
        let outcome = try await signInCall(
            "mfa/verify/", ["ephemeral_token": .string(challenge.ephemeralToken), "code": .string(code)])
        guard let signIn = outcome.signIn else {
            throw RestAuthError.unexpectedResponse(status: 200, body: "a second MFA challenge")
        }
        return signIn
    }

    /// `logout/`: ends the session on the server (deletes the token, blacklists the JWT
    /// refresh token, ends the Django session) and forgets the credentials here. The
    /// credentials are forgotten even when the server cannot be reached; that failure is
    /// then thrown, since the server may still honour them.
    public func logout() async throws {
        let current = await currentCredentials()
        var body: JSON = [:]
        if let refresh = current?.refresh, !refresh.isEmpty { body = ["refresh": .string(refresh)] }
        var failure: (any Error)?
        do {
            let reply = try await perform(
                "POST", "logout/", body: try JSONEncoder().encode(body), authentication: .ifSignedIn)
            // A credential the server no longer knows is as good as logged out.
            if reply.status >= 500 { failure = Self.error(for: reply) }
        } catch RestAuthError.sessionExpired {
        } catch {
            failure = error
        }
        await forgetCredentials()
        if let failure { throw failure }
    }

    // MARK: User

    /// `user/` (GET): the signed-in user.
    public func user() async throws -> User {
        try await call("GET", "user/")
    }

    /// `user/` (GET) decoded as the app's own type, for a custom `USER_DETAILS_SERIALIZER`.
    public func user<U: Decodable>(as type: U.Type) async throws -> U {
        try await call("GET", "user/", as: U.self)
    }

    /// `user/` (PATCH): changes the fields set in `changes`, and answers the user.
    public func updateUser(_ changes: UserUpdate) async throws -> User {
        try await call("PATCH", "user/", changes.json)
    }

    /// `user/` (PATCH or PUT) with the app's own body, answered as the app's own type.
    public func updateUser<Body: Encodable & Sendable, U: Decodable>(
        _ body: Body, replacing: Bool = false, as type: U.Type
    ) async throws -> U {
        try await call(replacing ? "PUT" : "PATCH", "user/", try JSON(encoding: body), as: U.self)
    }

    /// `user/` (PUT): replaces the writable fields (`username`, `first_name`, `last_name`,
    /// and the app's own in `extra`).
    public func replaceUser(_ user: UserUpdate) async throws -> User {
        try await call("PUT", "user/", user.json)
    }

    // MARK: Passwords

    /// `password/change/`. `oldPassword` is needed when the server sets
    /// `OLD_PASSWORD_FIELD_ENABLED`; `confirmation` defaults to `newPassword`.
    /// - Returns: the server's message (`New password has been saved.`).
    @discardableResult
    public func changePassword(oldPassword: String? = nil, newPassword: String, confirmation: String? = nil)
        async throws -> String
    {
        var fields: [String: JSON] = [
            "new_password1": .string(newPassword), "new_password2": .string(confirmation ?? newPassword),
        ]
        if let oldPassword { fields["old_password"] = .string(oldPassword) }
        return try await detailCall("password/change/", .object(fields), authentication: .required)
    }

    /// `password/reset/`: asks for a reset mail. The answer is the same whether or not
    /// the address has an account.
    @discardableResult
    public func requestPasswordReset(email: String) async throws -> String {
        try await detailCall("password/reset/", ["email": .string(email)])
    }

    /// `password/reset/confirm/` with the `uid` and `token` of the mail's link.
    @discardableResult
    public func confirmPasswordReset(uid: String, token: String, newPassword: String, confirmation: String? = nil)
        async throws -> String
    {
        try await detailCall(
            "password/reset/confirm/",
            [
                "uid": .string(uid), "token": .string(token), "new_password1": .string(newPassword),
                "new_password2": .string(confirmation ?? newPassword),
            ])
    }

    /// `password/reset/confirm/` from the link in the reset mail (see ``PasswordResetLink``).
    /// - Throws: ``RestAuthError/invalid(_:)`` with a `token` error when the link holds no uid and token.
    @discardableResult
    public func confirmPasswordReset(link: URL, newPassword: String, confirmation: String? = nil) async throws -> String
    {
        guard let parts = PasswordResetLink(url: link) else {
            throw RestAuthError.invalid(ValidationErrors(fields: ["token": .messages(["Invalid value"])]))
        }
        return try await confirmPasswordReset(
            uid: parts.uid, token: parts.token, newPassword: newPassword, confirmation: confirmation)
    }

    // MARK: Registration

    /// `registration/`: creates an account, and signs in when the server issues a
    /// credential at sign-up (verification optional or off).
    public func signUp(_ request: SignUpRequest) async throws -> SignUpOutcome {
        let reply = try await perform(
            "POST", "registration/", body: try JSONEncoder().encode(request.json), authentication: .none)
        try Self.check(reply)
        let body = reply.body.isEmpty ? nil : JSON(data: reply.body)
        if let body, body["key"] != nil || body["access"] != nil {
            guard case .signedIn(let signIn) = try await acceptSignIn(reply) else {
                throw RestAuthError.unexpectedResponse(
                    status: reply.status, body: String(decoding: reply.body, as: UTF8.self))
            }
            return .signedIn(signIn)
        }
        if let detail = body?["detail"]?.stringValue { return .verificationSent(detail: detail) }
        return .created
    }

    /// `registration/verify-email/` with the key of the confirmation mail.
    @discardableResult
    public func verifyEmail(key: String) async throws -> String {
        try await detailCall("registration/verify-email/", ["key": .string(key)])
    }

    /// `registration/verify-email/` from the confirmation link (its last path segment:
    /// `…/account-confirm-email/<key>/`, or a `?key=` query).
    @discardableResult
    public func verifyEmail(link: URL) async throws -> String {
        let query = URLComponents(url: link, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "key" }
        guard let key = query?.value ?? link.path.split(separator: "/").last.map(String.init), !key.isEmpty else {
            throw RestAuthError.invalid(ValidationErrors(fields: ["key": .messages(["Invalid value"])]))
        }
        return try await verifyEmail(key: key)
    }

    /// `registration/resend-email/`: sends the confirmation mail again.
    @discardableResult
    public func resendVerificationEmail(_ email: String) async throws -> String {
        try await detailCall("registration/resend-email/", ["email": .string(email)])
    }

    // MARK: Social accounts

    /// Signs in (or up) with a provider's credential at the provider's login view:
    /// `path` is where the project mounts it (`"google/"`; this package's server mounts
    /// each provider at its id under the API).
    public func socialLogin(_ path: String, _ credential: SocialCredential) async throws -> LoginOutcome {
        try await signInCall(Self.slashed(path), credential.json)
    }

    /// Connects a provider account to the signed-in user (`<provider>/connect/`, or `path`
    /// as the project mounts it).
    @discardableResult
    public func connectSocial(_ path: String, _ credential: SocialCredential) async throws -> SignIn {
        var route = Self.slashed(path)
        if !route.hasSuffix("connect/") { route += "connect/" }
        let reply = try await perform(
            "POST", route, body: try JSONEncoder().encode(credential.json), authentication: .required)
        try Self.check(reply)
        let body = JSON(data: reply.body)
        // The connect view answers like a login: keep any credential it renewed.
        if let body, body["key"] != nil || body["access"] != nil,
            case .signedIn(let signIn) = try await acceptSignIn(reply)
        {
            return signIn
        }
        return SignIn(
            mode: credentials?.mode ?? .session, user: body?["user"]?.objectValue.map(User.init(fields:)), body: body)
    }

    /// `socialaccounts/`: the provider accounts connected to the user.
    public func socialAccounts() async throws -> [SocialAccount] {
        try await call("GET", "socialaccounts/")
    }

    /// `socialaccounts/<id>/disconnect/`.
    public func disconnectSocialAccount(id: Int) async throws {
        let reply = try await perform("POST", "socialaccounts/\(id)/disconnect/", body: nil, authentication: .required)
        try Self.check(reply)
    }

    // MARK: Two-factor authentication

    /// `mfa/status/`.
    public func mfaStatus() async throws -> MFAStatus {
        let body: JSON = try await call("GET", "mfa/status/")
        return MFAStatus(
            enabled: body["mfa_enabled"]?.boolValue ?? false,
            createdAt: body["created_at"]?.stringValue.flatMap(HTTPDate.iso8601),
            lastUsedAt: body["last_used_at"]?.stringValue.flatMap(HTTPDate.iso8601))
    }

    /// `mfa/totp/activate/` (GET): a new secret to show, with its activation token.
    public func beginTOTPActivation() async throws -> TOTPSetup {
        let body: JSON = try await call("GET", "mfa/totp/activate/")
        guard let secret = body["secret"]?.stringValue, let url = body["totp_url"]?.stringValue,
            let token = body["activation_token"]?.stringValue
        else { throw RestAuthError.unexpectedResponse(status: 200, body: body.description) }
        return TOTPSetup(
            secret: secret, totpURL: url, qrCodeDataURI: body["qr_code_data_uri"]?.stringValue ?? "",
            activationToken: token)
    }

    /// `mfa/totp/activate/` (POST): turns TOTP on with a code from the app.
    /// - Returns: the recovery codes, to show once.
    public func activateTOTP(_ setup: TOTPSetup, code: String) async throws -> [String] {
        let body: JSON = try await call(
            "POST", "mfa/totp/activate/",
            ["activation_token": .string(setup.activationToken), "code": .string(code)])
        return (body["recovery_codes"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// `mfa/totp/deactivate/` with a current code.
    @discardableResult
    public func deactivateTOTP(code: String) async throws -> String {
        try await detailCall("mfa/totp/deactivate/", ["code": .string(code)], authentication: .required)
    }

    /// `mfa/recovery-codes/` (a POST, as dj-rest-auth has it): the unused recovery codes.
    public func recoveryCodes() async throws -> [String] {
        let body: JSON = try await call("POST", "mfa/recovery-codes/", [:])
        return (body["codes"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// `mfa/recovery-codes/regenerate/`: replaces every recovery code.
    public func regenerateRecoveryCodes() async throws -> [String] {
        let body: JSON = try await call("POST", "mfa/recovery-codes/regenerate/", [:])
        return (body["codes"]?.arrayValue ?? body["recovery_codes"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    // MARK: Passkeys

    /// `passkeys/register/begin/`: creation options (`PublicKeyCredentialCreationOptionsJSON`,
    /// binary members in base64url) for the platform's authenticator: on the web
    /// `PublicKeyCredential.parseCreationOptionsFromJSON`, on Apple platforms
    /// `ASAuthorizationPlatformPublicKeyCredentialProvider` with the decoded challenge and user id.
    /// The server asks for a recent sign-in (a 403 otherwise).
    public func beginPasskeyRegistration() async throws -> JSON {
        try await call("POST", "passkeys/register/begin/", [:])
    }

    /// `passkeys/register/complete/` with the authenticator's answer as
    /// `PublicKeyCredential.toJSON()` writes it (`RegistrationResponseJSON`).
    /// - Throws: ``RestAuthError/invalid(_:)`` with the server's `non_field_errors`
    ///   (`Registration verification failed: ...`, `This credential is already registered.`).
    public func completePasskeyRegistration(_ credential: JSON, name: String? = nil) async throws -> Passkey {
        var fields: [String: JSON] = ["credential": credential]
        if let name { fields["name"] = .string(name) }
        return try await call("POST", "passkeys/register/complete/", .object(fields))
    }

    /// `passkeys/login/begin/`: request options, scoped to the passkeys of `username` or
    /// `email` when one is given (else any discoverable passkey may answer).
    public func beginPasskeyLogin(username: String? = nil, email: String? = nil) async throws
        -> PasskeyLoginChallenge
    {
        var fields: [String: JSON] = [:]
        if let username { fields["username"] = .string(username) }
        if let email { fields["email"] = .string(email) }
        var options: JSON = try await call(
            "POST", "passkeys/login/begin/", .object(fields), authentication: .none)
        guard case .object(var members) = options, let session = members["session_id"]?.stringValue else {
            throw RestAuthError.unexpectedResponse(status: 200, body: options.description)
        }
        members["session_id"] = nil
        options = .object(members)
        return PasskeyLoginChallenge(options: options, sessionID: session)
    }

    /// `passkeys/login/complete/` with the authenticator's assertion as `toJSON()` writes it
    /// (`AuthenticationResponseJSON`): signs in as ``login(username:email:password:)`` does,
    /// or answers MFA's second step (a passkey that did not verify its user, for a user with TOTP on).
    public func completePasskeyLogin(_ challenge: PasskeyLoginChallenge, credential: JSON) async throws
        -> LoginOutcome
    {
        try await signInCall(
            "passkeys/login/complete/", ["credential": credential, "session_id": .string(challenge.sessionID)])
    }

    /// `passkeys/`: the user's passkeys, newest first.
    public func passkeys() async throws -> [Passkey] {
        try await call("GET", "passkeys/")
    }

    /// `passkeys/<id>/` (PATCH): renames one; answers the name kept.
    @discardableResult
    public func renamePasskey(id: Int, name: String) async throws -> String {
        let body: JSON = try await call("PATCH", "passkeys/\(id)/", ["name": .string(name)])
        return body["name"]?.stringValue ?? name
    }

    /// `passkeys/<id>/` (DELETE). The server asks for a recent sign-in (a 403 otherwise).
    public func deletePasskey(id: Int) async throws {
        let reply = try await perform("DELETE", "passkeys/\(id)/", body: nil, authentication: .required)
        try Self.check(reply)
    }

    // MARK: Tokens

    /// `token/verify/`: whether the server accepts a JWT (the current access token by default).
    public func verifyToken(_ token: String? = nil) async throws -> Bool {
        let current = await currentCredentials()
        guard let token = token ?? current?.access else { throw RestAuthError.notSignedIn }
        let reply = try await perform(
            "POST", "token/verify/", body: try JSONEncoder().encode(["token": token]), authentication: .none)
        if reply.status == 200 { return true }
        if reply.status == 401 || reply.status == 400 { return false }
        throw Self.error(for: reply)
    }

    /// Renews the access token now (JWT modes), as the client does by itself before it expires.
    public func refreshNow() async throws {
        guard let current = await currentCredentials() else { throw RestAuthError.notSignedIn }
        guard current.refreshable else { return }
        _ = try await refreshed(after: current)
    }

    // MARK: Helpers

    private func signInCall(_ path: String, _ fields: JSON) async throws -> LoginOutcome {
        let reply = try await perform("POST", path, body: try JSONEncoder().encode(fields), authentication: .none)
        return try await acceptSignIn(reply)
    }

    private func detailCall(_ path: String, _ fields: JSON, authentication: Authentication = .none) async throws
        -> String
    {
        let answer: DetailAnswer = try await call("POST", path, fields, authentication: authentication)
        return answer.detail ?? ""
    }

    static func slashed(_ path: String) -> String {
        var route = path
        while route.hasPrefix("/") { route.removeFirst() }
        if !route.hasSuffix("/") { route += "/" }
        return route
    }
}
