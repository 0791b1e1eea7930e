import Foundation

/// dj-rest-auth 7.2's MFA settings (`REST_AUTH`'s `MFA_*`), the swap points of its six
/// serializers, and what this package adds: the second step for social logins and the
/// rate-limit actions of `mfa/verify/` (in ``RestAuthConfiguration/rateLimits``).
///
/// ```swift
/// var config = RestAuthConfiguration(secretKey: secret)
/// config.mfa.enabled = true
/// config.mfa.totpIssuer = "Example"
/// ```
public struct MFAConfiguration: Sendable {
    /// `REST_AUTH_MFA_ENABLED`: the `mfa/...` routes are served and `login/` asks a user
    /// with TOTP on for the second step.
    public var enabled: Bool = false
    /// `MFA_EPHEMERAL_TOKEN_TIMEOUT`: seconds an ephemeral token (between the password and
    /// the code) and an activation token (between the QR code and the first code) live.
    public var ephemeralTokenTimeout: TimeInterval = 300
    /// `MFA_TOTP_DIGITS`.
    public var totpDigits: Int = 6
    /// `MFA_TOTP_PERIOD`: seconds per TOTP step.
    public var totpPeriod: Int = 30
    /// `MFA_TOTP_ISSUER`: the issuer in the `otpauth://` URI (empty: none).
    public var totpIssuer: String = ""
    /// `MFA_RECOVERY_CODE_COUNT`.
    public var recoveryCodeCount: Int = 10
    /// A user with TOTP on who signs in with a social provider gets the same ephemeral-token
    /// step as a password login. dj-rest-auth skips it (its social views log in directly);
    /// turn this off for clients that cannot handle the second step there
    /// (`REST_AUTH_MFA_SOCIAL_LOGIN_REQUIRES_CODE=false`).
    public var socialLoginRequiresCode: Bool = true

    /// `MFA_VERIFY_SERIALIZER`.
    public var verifySerializer: any MFAVerifySerializer = DefaultMFAVerifySerializer()
    /// `MFA_TOTP_ACTIVATE_INIT_SERIALIZER`.
    public var totpActivateInitSerializer: any TOTPActivateInitSerializer = DefaultTOTPActivateInitSerializer()
    /// `MFA_TOTP_ACTIVATE_CONFIRM_SERIALIZER`.
    public var totpActivateConfirmSerializer: any TOTPActivateConfirmSerializer =
        DefaultTOTPActivateConfirmSerializer()
    /// `MFA_TOTP_DEACTIVATE_SERIALIZER`.
    public var totpDeactivateSerializer: any TOTPDeactivateSerializer = DefaultTOTPDeactivateSerializer()
    /// `MFA_STATUS_SERIALIZER`.
    public var statusSerializer: any MFAStatusSerializer = DefaultMFAStatusSerializer()
    /// `MFA_RECOVERY_CODES_SERIALIZER`.
    public var recoveryCodesSerializer: any RecoveryCodesSerializer = DefaultRecoveryCodesSerializer()

    /// The time TOTP steps and token ages are read from (tests move it).
    var clock: @Sendable () -> Date = { Date() }

    public init() {}

    func validate() throws {
        guard ephemeralTokenTimeout >= 1 else {
            throw ConfigurationError(setting: "REST_AUTH_MFA_EPHEMERAL_TOKEN_TIMEOUT", message: "must be at least 1")
        }
        guard (6...10).contains(totpDigits) else {
            throw ConfigurationError(setting: "REST_AUTH_MFA_TOTP_DIGITS", message: "must be between 6 and 10")
        }
        guard (1...3600).contains(totpPeriod) else {
            throw ConfigurationError(setting: "REST_AUTH_MFA_TOTP_PERIOD", message: "must be between 1 and 3600")
        }
        // The used-codes mask is a 64-bit integer here (Python's has no bound).
        guard (1...63).contains(recoveryCodeCount) else {
            throw ConfigurationError(setting: "REST_AUTH_MFA_RECOVERY_CODE_COUNT", message: "must be between 1 and 63")
        }
    }
}
