import Foundation

/// dj-rest-auth's `MFA_VERIFY_SERIALIZER`: reads `ephemeral_token` and `code` and returns
/// who they prove (the second step of a login), or throws DRF's errors. The token is
/// spent by the view once this returns.
///
/// ```swift
/// struct AuditedVerify: MFAVerifySerializer {
///     let base = DefaultMFAVerifySerializer()
///     func validate(_ fields: JSONObject, context: RestAuthContext) async throws -> MFAVerification {
///         let verified = try await base.validate(fields, context: context)
///         context.logger.info("second factor passed", metadata: ["user": "\(verified.user.accountKey!)"])
///         return verified
///     }
/// }
/// config.mfa.verifySerializer = AuditedVerify()
/// ```
public protocol MFAVerifySerializer: Sendable {
    func validate(_ fields: JSONObject, context: RestAuthContext) async throws -> MFAVerification
    /// The body's JSON Schema, for the OpenAPI document.
    func requestSchema(configuration: RestAuthConfiguration) -> JSONValue
}

extension MFAVerifySerializer {
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue {
        OpenAPISchema.fields([DefaultMFAVerifySerializer.ephemeralToken, DefaultMFAVerifySerializer.code])
    }
}

/// What the second step proved: the user, and the ephemeral token to spend.
public struct MFAVerification: Sendable {
    public var user: any RestAuthUser
    /// The ephemeral token as read (the view marks it used).
    public var ephemeralToken: String

    public init(user: any RestAuthUser, ephemeralToken: String) {
        self.user = user
        self.ephemeralToken = ephemeralToken
    }
}

/// dj-rest-auth's `MFAVerifySerializer`, with limits: attempts are counted (rate-limit
/// actions `mfa_verify` per address and `mfa_verify_failed` per token and per user)
/// before the code is checked, a TOTP step is accepted once and only after the last one
/// used, and a recovery code once.
public struct DefaultMFAVerifySerializer: MFAVerifySerializer {
    public static let ephemeralToken = CharField("ephemeral_token")
    public static let code = CharField("code", maxLength: 9)

    static var invalidToken: String { RestAuthMessages.MFA.invalidOrExpiredToken.text }
    static var invalidCode: String { RestAuthMessages.MFA.invalidCode.text }

    public init() {}

    public func validate(_ fields: JSONObject, context: RestAuthContext) async throws -> MFAVerification {
        var errors = ValidationErrors()
        let token = Self.ephemeralToken.read(from: fields, into: &errors).string
        let code = Self.code.read(from: fields, into: &errors).string
        try errors.throwIfAny()
        guard let token, let code, let mfa = context.state.mfa else { throw errors }
        try await context.consumeRateLimit("mfa_verify")
        let user: any RestAuthUser
        switch try await mfa.ephemeralUser(token, users: context.state.users, on: context.database) {
        case .failure(let refusal):
            context.audit("mfa_verify", outcome: "failure", metadata: ["reason": .string(refusal.rawValue)])
            throw ValidationErrors("ephemeral_token", Self.invalidToken)
        case .success(let found):
            user = found.user
        }
        guard user.accountIsActive else {
            context.audit("mfa_verify", outcome: "failure", user: user, metadata: ["reason": "user_inactive"])
            throw ValidationErrors("detail", RestAuthMessages.Login.accountDisabled.text)
        }
        // Counted before the check and taken back after a success, as login_failed is: parallel
        // guesses cannot outrun the count. The key is the token's digest (never the token).
        let failures = try await context.consumeRateLimit(
            "mfa_verify_failed", key: MFAService.sha256Hex(token), user: user.accountKey)
        let key = try user.requireAccountKey()
        switch try await mfa.useCode(code, of: key, on: context.database) {
        case .success(let kind):
            try await context.refundRateLimit(failures)
            if kind == .recoveryCode {
                context.audit("mfa_recovery_code_used", outcome: "success", user: user)
            } else {
                context.audit("mfa_verify", outcome: "success", user: user, metadata: ["method": "totp"])
            }
            return MFAVerification(user: user, ephemeralToken: token)
        case .failure(let refusal):
            context.audit("mfa_verify", outcome: "failure", user: user, metadata: ["reason": .string(refusal.rawValue)])
            throw ValidationErrors("code", Self.invalidCode)
        }
    }
}

/// What `GET mfa/totp/activate/` offers: a new secret, its URI and QR code, and the
/// signed token that carries the secret to the confirmation.
public struct TOTPActivation: Sendable {
    public var secret: String
    public var totpURL: String
    public var qrCodeDataURI: String
    public var activationToken: String
}

/// dj-rest-auth's `MFA_TOTP_ACTIVATE_INIT_SERIALIZER`: the body of `GET mfa/totp/activate/`.
public protocol TOTPActivateInitSerializer: Sendable {
    func representation(of activation: TOTPActivation, context: RestAuthContext) async throws -> JSONValue
}

public struct DefaultTOTPActivateInitSerializer: TOTPActivateInitSerializer {
    public init() {}

    public func representation(of activation: TOTPActivation, context: RestAuthContext) async throws -> JSONValue {
        [
            "secret": .string(activation.secret), "totp_url": .string(activation.totpURL),
            "qr_code_data_uri": .string(activation.qrCodeDataURI),
            "activation_token": .string(activation.activationToken),
        ]
    }
}

/// What a TOTP activation proved: the secret, and the step its code came from (counted
/// as used).
public struct TOTPActivationProof: Sendable {
    public var secret: String
    public var step: Int64
    public var code: String
}

/// dj-rest-auth's `MFA_TOTP_ACTIVATE_CONFIRM_SERIALIZER`: reads `activation_token` and
/// `code` for the signed-in user.
public protocol TOTPActivateConfirmSerializer: Sendable {
    func validate(_ fields: JSONObject, user: any RestAuthUser, context: RestAuthContext) async throws
        -> TOTPActivationProof
    func requestSchema(configuration: RestAuthConfiguration) -> JSONValue
}

extension TOTPActivateConfirmSerializer {
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue {
        OpenAPISchema.fields([
            DefaultTOTPActivateConfirmSerializer.activationToken, DefaultTOTPActivateConfirmSerializer.code,
        ])
    }
}

public struct DefaultTOTPActivateConfirmSerializer: TOTPActivateConfirmSerializer {
    public static let activationToken = CharField("activation_token")
    public static let code = CharField("code")

    public init() {}

    public func validate(_ fields: JSONObject, user: any RestAuthUser, context: RestAuthContext) async throws
        -> TOTPActivationProof
    {
        var errors = ValidationErrors()
        let token = Self.activationToken.read(from: fields, into: &errors).string
        let code = Self.code.read(from: fields, into: &errors).string
        try errors.throwIfAny()
        guard let token, let code, let mfa = context.state.mfa else { throw errors }
        func refuse(_ reason: String, _ field: String, _ message: String) -> ValidationErrors {
            context.audit("mfa_activation", outcome: "failure", user: user, metadata: ["reason": .string(reason)])
            return ValidationErrors(field, message)
        }
        guard let payload = mfa.activationPayload(token) else {
            throw refuse(
                "invalid_or_expired_activation_token", "activation_token",
                RestAuthMessages.MFA.invalidActivationToken.text)
        }
        guard let key = user.accountKey, payload["uid"] == MFAService.uidValue(key) else {
            throw refuse(
                "activation_token_user_mismatch", "activation_token", RestAuthMessages.MFA.activationTokenOtherUser.text
            )
        }
        guard case .string(let secret)? = payload["secret"], !secret.isEmpty,
            let step = mfa.matchingStep(code, secret: secret, after: nil)
        else {
            throw refuse(
                "invalid_totp_code", "code", RestAuthMessages.MFA.invalidTOTPCode.text)
        }
        return TOTPActivationProof(secret: secret, step: step, code: code)
    }
}

/// dj-rest-auth's `MFA_TOTP_DEACTIVATE_SERIALIZER`: a current TOTP code (recovery codes do
/// not count), which is spent.
public protocol TOTPDeactivateSerializer: Sendable {
    func validate(_ fields: JSONObject, user: any RestAuthUser, context: RestAuthContext) async throws
    func requestSchema(configuration: RestAuthConfiguration) -> JSONValue
}

extension TOTPDeactivateSerializer {
    public func requestSchema(configuration: RestAuthConfiguration) -> JSONValue {
        OpenAPISchema.fields([DefaultTOTPDeactivateSerializer.code])
    }
}

public struct DefaultTOTPDeactivateSerializer: TOTPDeactivateSerializer {
    public static let code = CharField("code")

    public init() {}

    public func validate(_ fields: JSONObject, user: any RestAuthUser, context: RestAuthContext) async throws {
        var errors = ValidationErrors()
        let code = Self.code.read(from: fields, into: &errors).string
        try errors.throwIfAny()
        guard let code, let mfa = context.state.mfa else { throw errors }
        let failures = try await context.consumeRateLimit("mfa_verify_failed", user: user.accountKey)
        if case .failure(let refusal) = try await mfa.useTOTP(
            code, of: try user.requireAccountKey(), on: context.database)
        {
            context.audit(
                "mfa_deactivation", outcome: "failure", user: user, metadata: ["reason": .string(refusal.rawValue)])
            throw ValidationErrors("code", DefaultMFAVerifySerializer.invalidCode)
        }
        try await context.refundRateLimit(failures)
    }
}

/// dj-rest-auth's `MFA_STATUS_SERIALIZER`.
public protocol MFAStatusSerializer: Sendable {
    func representation(of status: MFAStatus, context: RestAuthContext) async throws -> JSONValue
}

public struct DefaultMFAStatusSerializer: MFAStatusSerializer {
    public init() {}

    public func representation(of status: MFAStatus, context: RestAuthContext) async throws -> JSONValue {
        [
            "mfa_enabled": .bool(status.enabled),
            "created_at": status.createdAt.map { .string(DRFDateTime.string($0)) } ?? .null,
            "last_used_at": status.lastUsedAt.map { .string(DRFDateTime.string($0)) } ?? .null,
        ]
    }
}

/// dj-rest-auth's `MFA_RECOVERY_CODES_SERIALIZER`.
public protocol RecoveryCodesSerializer: Sendable {
    func representation(of codes: [String], context: RestAuthContext) async throws -> JSONValue
}

public struct DefaultRecoveryCodesSerializer: RecoveryCodesSerializer {
    public init() {}

    public func representation(of codes: [String], context: RestAuthContext) async throws -> JSONValue {
        ["codes": .array(codes.map(JSONValue.string))]
    }
}
