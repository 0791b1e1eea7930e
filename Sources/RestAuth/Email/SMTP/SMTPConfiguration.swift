import NIOCore
import NIOSSL

/// Where and how to deliver mail, with Django's settings: `EMAIL_HOST`, `EMAIL_PORT`,
/// `EMAIL_HOST_USER`, `EMAIL_HOST_PASSWORD`, `EMAIL_USE_TLS` (STARTTLS), `EMAIL_USE_SSL`
/// (implicit TLS) and `EMAIL_TIMEOUT`.
public struct SMTPConfiguration: Sendable {
    public enum Security: Sendable, Equatable {
        /// Plain SMTP (a local relay, a test sink).
        case none
        /// `EMAIL_USE_TLS`: upgrade with STARTTLS after the greeting; refused if the server does not offer it.
        case startTLS
        /// `EMAIL_USE_SSL`: TLS from the first byte (usually port 465).
        case tls
    }

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var security: Security
    /// How long to wait for the connection and for each reply (`EMAIL_TIMEOUT`; default 30 s).
    public var timeout: TimeAmount
    /// The name given in EHLO (Django's `DNS_NAME`).
    public var heloName: String
    /// TLS settings for STARTTLS and implicit TLS: system trust roots and full
    /// verification unless replaced.
    public var tlsConfiguration: TLSConfiguration

    public init(
        host: String, port: Int = 25, username: String? = nil, password: String? = nil, security: Security = .none,
        timeout: TimeAmount = .seconds(30), heloName: String = "localhost",
        tlsConfiguration: TLSConfiguration = .makeClientConfiguration()
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.security = security
        self.timeout = timeout
        self.heloName = heloName
        self.tlsConfiguration = tlsConfiguration
    }
}
