import Foundation

/// dj-rest-auth's passkeys settings (`REST_AUTH_PASSKEYS_ENABLED` and `PASSKEY_*`, named as the
/// reference reads them), and what this package adds to a relying party's duties.
///
/// ```swift
/// var config = RestAuthConfiguration(secretKey: secret)
/// config.passkeys.enabled = true
/// config.passkeys.rpID = "example.com"
/// config.passkeys.rpName = "Example"
/// config.passkeys.origins = ["https://example.com"]
/// ```
public struct PasskeyConfiguration: Sendable {
    /// `REST_AUTH_PASSKEYS_ENABLED`: the `passkeys/...` routes are served.
    public var enabled: Bool = false
    /// `PASSKEY_RP_ID`: the relying party's id, a registrable domain of the origins
    /// (`example.com`; `localhost` in development). Credentials are bound to it for life.
    public var rpID: String = ""
    /// `PASSKEY_RP_NAME`: the name authenticators show.
    public var rpName: String = ""
    /// `PASSKEY_RP_ORIGINS`: the web origins (and `android:apk-key-hash:...` / app origins)
    /// whose ceremonies are accepted, compared exactly.
    public var origins: [String] = []
    /// `PASSKEY_CHALLENGE_TIMEOUT`: seconds a challenge lives (and the options' `timeout`).
    public var challengeTimeout: TimeInterval = 300
    /// A ceremony inside a cross-origin iframe (`crossOrigin: true` or a `topOrigin` in the
    /// client data) is refused unless this is on
    /// (`REST_AUTH_PASSKEY_ALLOW_CROSS_ORIGIN`†; the reference never reads the flag).
    public var allowCrossOrigin: Bool = false
    /// A user with TOTP on who signs in with a passkey that asserted user verification (a
    /// PIN or biometric: two factors in one) is signed in; without user verification the
    /// answer is MFA's second step. Off: every passkey login of such a user asks for a code
    /// (`REST_AUTH_PASSKEY_UV_SATISFIES_MFA`†; the reference never asks).
    public var userVerificationSatisfiesMFA: Bool = true
    /// Adding or removing a passkey needs a login (password, passkey, social or the MFA
    /// step) within this many seconds, as allauth's reauthentication asks (its
    /// `ACCOUNT_REAUTHENTICATION_TIMEOUT`, 300): otherwise 403 and the client signs in again.
    /// Read from `last_login`, which every login sets. Zero turns the check off for clients
    /// that cannot sign in again (`REST_AUTH_PASSKEY_REAUTHENTICATION_TIMEOUT`†; the
    /// reference does not ask).
    public var reauthenticationTimeout: TimeInterval = 300
    /// The longest passkey name kept (the column is `varchar(255)`; the reference does not
    /// check it at registration).
    public static let maximumNameLength = 255

    public init() {}

    func validate() throws {
        guard enabled else { return }
        guard !rpID.isEmpty, !rpName.isEmpty, !origins.isEmpty else {
            // The reference says so at the first request; here the server does not start.
            throw ConfigurationError(
                setting: "PASSKEY_RP_ID",
                message:
                    "Passkey RP settings (PASSKEY_RP_ID, PASSKEY_RP_NAME, PASSKEY_RP_ORIGINS) must be configured.")
        }
        guard rpID == rpID.lowercased(), !rpID.hasSuffix("."), !rpID.contains("/"), !rpID.contains(":") else {
            throw ConfigurationError(setting: "PASSKEY_RP_ID", message: "\(rpID.debugDescription) is not a domain")
        }
        for origin in origins {
            guard let url = URL(string: origin), let scheme = url.scheme, url.host != nil || scheme == "android"
            else {
                throw ConfigurationError(
                    setting: "PASSKEY_RP_ORIGINS", message: "\(origin.debugDescription) is not an origin")
            }
        }
        guard challengeTimeout >= 1, challengeTimeout <= 86_400 else {
            throw ConfigurationError(setting: "PASSKEY_CHALLENGE_TIMEOUT", message: "must be between 1 and 86400")
        }
        guard reauthenticationTimeout >= 0 else {
            throw ConfigurationError(
                setting: "REST_AUTH_PASSKEY_REAUTHENTICATION_TIMEOUT", message: "must not be negative")
        }
    }
}
