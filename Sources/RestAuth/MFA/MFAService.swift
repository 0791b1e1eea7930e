import Crypto
import Fluent
import Foundation
import Vapor

/// dj-rest-auth's MFA logic (`totp.py`, `recovery_codes.py`, `utils.py`) on its table and
/// in its formats, with what the reference lacks: a TOTP step is accepted only after the
/// last one used (activation counts), each use is a compare-and-swap, and an ephemeral
/// token is recorded so that it is single-use and dies with a password change.
struct MFAService: Sendable {
    let settings: MFAConfiguration
    let store = MFAStore()
    let keyType: UserKeyType
    /// `Signer(salt='dj-rest-auth-mfa-totp-secret')`: the stored secret.
    let secretSigner: DjangoSigner
    /// `TimestampSigner(salt='dj-rest-auth-mfa')`: the ephemeral token (the user's key).
    let ephemeralSigner: DjangoSigner
    /// `signing.dumps(..., salt='dj-rest-auth-mfa-activation')`: the activation token.
    let activationSigner: DjangoSigner
    let clock: @Sendable () -> Date

    init(configuration: RestAuthConfiguration) {
        self.settings = configuration.mfa
        self.keyType = configuration.userModel.accountFields.keyType
        self.secretSigner = DjangoSigner(
            secret: configuration.secretKey, salt: "dj-rest-auth-mfa-totp-secret",
            fallbacks: configuration.secretKeyFallbacks)
        self.ephemeralSigner = DjangoSigner(
            secret: configuration.secretKey, salt: "dj-rest-auth-mfa", fallbacks: configuration.secretKeyFallbacks)
        self.activationSigner = DjangoSigner(
            secret: configuration.secretKey, salt: "dj-rest-auth-mfa-activation",
            fallbacks: configuration.secretKeyFallbacks)
        self.clock = configuration.mfa.clock
    }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Ephemeral tokens

    /// The token `login/` answers an MFA user with, recorded with the user's password hash
    /// (by digest) so that it works once, and not after the password changed.
    func issueEphemeralToken(for user: any RestAuthUser, on database: any Database) async throws -> String {
        let key = try user.requireAccountKey()
        let now = clock()
        let token = ephemeralSigner.timestampSign(key.description, at: now)
        try await store.recordChallenge(
            Self.sha256Hex(token), userKey: key, passwordDigest: Self.sha256Hex(user.accountPassword),
            expiresAt: now.addingTimeInterval(settings.ephemeralTokenTimeout), now: now, on: database)
        return token
    }

    /// Why an ephemeral token is refused (for the audit line; the client always reads
    /// "Invalid or expired token.").
    enum TokenRefusal: String, Error {
        case invalidOrExpired = "invalid_or_expired_token"
        case alreadyUsed = "token_used_or_unknown"
        case unknownUser = "user_not_found"
        case passwordChanged = "password_changed"
    }

    /// The user an ephemeral token names, when its signature and age are good, it was
    /// issued here and not used, the user still exists and the password is the one it
    /// was issued under.
    func ephemeralUser(_ token: String, users: UserStore, on database: any Database) async throws
        -> Result<(user: any RestAuthUser, digest: String), TokenRefusal>
    {
        let now = clock()
        guard let (value, _) = ephemeralSigner.timestampUnsign(token, maxAge: settings.ephemeralTokenTimeout, now: now),
            let key = keyType.parse(value)
        else { return .failure(.invalidOrExpired) }
        let digest = Self.sha256Hex(token)
        guard let passwordDigest = try await store.openChallenge(digest, userKey: key, now: now, on: database) else {
            return .failure(.alreadyUsed)
        }
        guard let user = try await users.user(key: key, on: database) else { return .failure(.unknownUser) }
        guard ConstantTime.equals(Self.sha256Hex(user.accountPassword), passwordDigest) else {
            return .failure(.passwordChanged)
        }
        return .success((user, digest))
    }

    // MARK: Activation

    /// A new secret with its URI, and the activation token that carries it (`{"uid", "secret"}`).
    func activationToken(for key: UserKey, secret: String) -> String {
        let payload: JSONValue = ["uid": Self.uidValue(key), "secret": .string(secret)]
        return activationSigner.signObject(json: payload.serialized(), compress: false, at: clock())
    }

    /// The uid as Python's `json.dumps` writes `user.pk`: a number for integer keys.
    static func uidValue(_ key: UserKey) -> JSONValue {
        if case .int(let id) = key { return .int(id) }
        return .string(key.description)
    }

    /// The activation token's payload, when its signature and age are good.
    func activationPayload(_ token: String) -> JSONObject? {
        guard let bytes = activationSigner.unsignObject(token, maxAge: settings.ephemeralTokenTimeout),
            case .object(let object)? = try? JSONValue.parse(bytes)
        else { return nil }
        return object
    }

    func provisioningURI(secret: String, for user: any RestAuthUser) -> String {
        let email = user.accountEmail
        let name = email.isEmpty ? (user.accountUsername ?? user.accountKey?.description ?? "") : email
        return TOTP.provisioningURI(
            secret: secret, name: name, issuer: settings.totpIssuer.isEmpty ? nil : settings.totpIssuer,
            digits: settings.totpDigits, period: settings.totpPeriod)
    }

    /// The step whose code `code` is, among the steps a code may come from now (the
    /// previous, current and next, pyotp's `valid_window=1`) and after `after`.
    func matchingStep(_ code: String, secret: String, after: Int64?) -> Int64? {
        guard let totp = TOTP(base32Secret: secret, digits: settings.totpDigits, period: settings.totpPeriod),
            let code = normalizeTOTP(code)
        else { return nil }
        let current = totp.step(at: clock())
        let candidates = [current - 1, current, current + 1].filter { after == nil || $0 > after! }
        return totp.matchingStep(code, among: candidates)
    }

    /// A typed TOTP code as compared (``MFACodeSyntax/totp(_:digits:)``).
    func normalizeTOTP(_ code: String) -> String? { MFACodeSyntax.totp(code, digits: settings.totpDigits) }

    /// Turns TOTP on with the secret the activation proved (its step counted as used) and
    /// new recovery codes; the codes, or nil when TOTP was on already.
    func activate(_ key: UserKey, secret: String, step: Int64, code: String, on database: any Database) async throws
        -> [String]?
    {
        let totp: JSONValue = [
            "secret": .string(secretSigner.sign(secret)), "last_code": .string(normalizeTOTP(code) ?? code),
            "last_step": .int(Int(step)),
        ]
        let seed = RecoveryCodes.newSeed()
        let recovery: JSONValue = ["seed": .string(seed), "used_mask": 0]
        guard
            try await store.activate(
                key, totpData: String(decoding: totp.serialized(), as: UTF8.self),
                recoveryData: String(decoding: recovery.serialized(), as: UTF8.self), at: clock(), on: database)
        else { return nil }
        return RecoveryCodes(seedHex: seed, usedMask: 0)?.all(count: settings.recoveryCodeCount) ?? []
    }

    // MARK: Uses

    /// Why a code was refused, for the audit line.
    enum CodeRefusal: String, Error {
        case invalidCode = "invalid_code"
        case replayed = "code_already_used"
        case unreadableSecret = "unreadable_secret"
    }

    /// Which kind of code signed in.
    enum CodeKind: String {
        case totp
        case recoveryCode = "recovery_code"
    }

    /// The second step's check (dj-rest-auth's: TOTP, then recovery codes). A code has the
    /// shape of at most one kind, so one query reads the authenticator it needs, and a
    /// code of neither shape costs none.
    func useCode(_ code: String, of key: UserKey, on database: any Database) async throws
        -> Result<CodeKind, CodeRefusal>
    {
        if normalizeTOTP(code) != nil { return try await useTOTP(code, of: key, on: database).map { .totp } }
        if RecoveryCodes.normalize(code) != nil, try await useRecoveryCode(code, of: key, on: database) {
            return .success(.recoveryCode)
        }
        return .failure(.invalidCode)
    }

    /// Checks a TOTP code and records its step as used, atomically: of two requests with
    /// one code exactly one succeeds, and no step at or before the last one used passes.
    func useTOTP(_ code: String, of key: UserKey, on database: any Database) async throws -> Result<Void, CodeRefusal> {
        guard normalizeTOTP(code) != nil else { return .failure(.invalidCode) }
        for _ in 0..<3 {
            guard let row = try await store.authenticators(of: key, on: database).first(where: { $0.kind == .totp }),
                var json = row.json
            else { return .failure(.invalidCode) }
            guard case .string(let signed)? = json["secret"], let secret = secretSigner.unsign(signed) else {
                return .failure(.unreadableSecret)
            }
            var lastStep = json["last_step"].flatMap { if case .int(let v) = $0 { Int64(v) } else { nil } }
            // A Django server that used a code since wrote only `last_code`: the step that
            // code belongs to (when still in the window) is the last one used.
            if case .string(let last)? = json["last_code"],
                let djangoStep = matchingStep(last, secret: secret, after: lastStep)
            {
                lastStep = djangoStep
            }
            guard let step = matchingStep(code, secret: secret, after: lastStep), let normalized = normalizeTOTP(code)
            else {
                let replay = lastStep != nil && matchingStep(code, secret: secret, after: nil) != nil
                return .failure(replay ? .replayed : .invalidCode)
            }
            // The reference remembers only the last code: honour what a Django server wrote.
            if case .string(let last)? = json["last_code"], ConstantTime.equals(last, normalized) {
                return .failure(.replayed)
            }
            json["last_code"] = .string(normalized)
            json["last_step"] = .int(Int(step))
            let data = String(decoding: JSONValue.object(json).serialized(), as: UTF8.self)
            if try await store.recordUse(of: row, data: data, at: clock(), on: database) { return .success(()) }
            // Another request changed the row first: read it again and decide anew.
        }
        return .failure(.replayed)
    }

    /// Checks a recovery code and marks it used, atomically.
    func useRecoveryCode(_ code: String, of key: UserKey, on database: any Database) async throws -> Bool {
        guard let normalized = RecoveryCodes.normalize(code) else { return false }
        for _ in 0..<3 {
            guard
                let row = try await store.authenticators(of: key, on: database).first(where: {
                    $0.kind == .recoveryCodes
                }),
                var json = row.json, let codes = Self.recoveryCodes(json)
            else { return false }
            guard let index = codes.unusedIndex(of: normalized, count: settings.recoveryCodeCount) else { return false }
            json["used_mask"] = .int(Int(codes.usedMask | 1 << UInt64(index)))
            let data = String(decoding: JSONValue.object(json).serialized(), as: UTF8.self)
            if try await store.recordUse(of: row, data: data, at: clock(), on: database) { return true }
        }
        return false
    }

    static func recoveryCodes(_ json: JSONObject) -> RecoveryCodes? {
        guard case .string(let seed)? = json["seed"] else { return nil }
        // A mask that is not a small non-negative integer (a Django server with more than 63
        // codes) cannot say which codes are used: then none is offered or accepted.
        var mask: UInt64 = 0
        switch json["used_mask"] {
        case nil: break
        case .int(let value)? where value >= 0: mask = UInt64(value)
        default: return nil
        }
        return RecoveryCodes(seedHex: seed, usedMask: mask)
    }

    // MARK: Management

    /// `mfa/status/`: TOTP's creation and the last use of either authenticator.
    func status(of key: UserKey, on database: any Database) async throws -> MFAStatus {
        let rows = try await store.authenticators(of: key, on: database)
        guard let totp = rows.first(where: { $0.kind == .totp }) else {
            return MFAStatus(enabled: false, createdAt: nil, lastUsedAt: nil)
        }
        return MFAStatus(enabled: true, createdAt: totp.createdAt, lastUsedAt: rows.compactMap(\.lastUsedAt).max())
    }

    /// The unused recovery codes (none without MFA).
    func unusedRecoveryCodes(of key: UserKey, on database: any Database) async throws -> [String] {
        let rows = try await store.authenticators(of: key, on: database)
        guard let json = rows.first(where: { $0.kind == .recoveryCodes })?.json,
            let codes = Self.recoveryCodes(json)
        else { return [] }
        return codes.unused(count: settings.recoveryCodeCount)
    }

    /// New recovery codes, or nil when MFA is off.
    func regenerateRecoveryCodes(of key: UserKey, on database: any Database) async throws -> [String]? {
        let seed = RecoveryCodes.newSeed()
        let recovery: JSONValue = ["seed": .string(seed), "used_mask": 0]
        guard
            try await store.regenerateRecoveryCodes(
                key, data: String(decoding: recovery.serialized(), as: UTF8.self), at: clock(), on: database)
        else { return nil }
        return RecoveryCodes(seedHex: seed, usedMask: 0)?.all(count: settings.recoveryCodeCount) ?? []
    }
}

/// What `mfa/status/` reports.
public struct MFAStatus: Sendable {
    public var enabled: Bool
    public var createdAt: Date?
    public var lastUsedAt: Date?
}
