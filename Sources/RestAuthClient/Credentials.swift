import Foundation

#if canImport(Security)
    import Security
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How the server authenticates requests, as dj-rest-auth's settings decide.
public enum AuthMode: String, Sendable, Codable, CaseIterable {
    /// DRF's token (`{"key": ...}`), sent as `Authorization: Token <key>`.
    case token
    /// simplejwt's pair in the body (`REST_AUTH = {"USE_JWT": True, "JWT_AUTH_HTTPONLY": False}`):
    /// `Authorization: Bearer <access>`, refreshed with the refresh token in the body.
    case jwt
    /// JWT in HttpOnly cookies (`JWT_AUTH_HTTPONLY`, `JWT_AUTH_COOKIE`, `JWT_AUTH_REFRESH_COOKIE`):
    /// the cookies authenticate, with Django's CSRF header on unsafe methods, and the
    /// refresh cookie renews the access cookie.
    case jwtCookie = "jwt-cookie"
    /// Django's session cookie (`SESSION_LOGIN`) with the CSRF header on unsafe methods.
    case session
}

/// A cookie the server set, kept by the client's own jar (the client never lets
/// `URLSession` store cookies, so that each client, and each saved session, has its own).
public struct StoredCookie: Sendable, Codable, Equatable {
    /// The cookie's name.
    public var name: String
    /// Its value, without quotes.
    public var value: String
    /// The `Path` attribute (`/` when the server gave none).
    public var path: String
    /// When the cookie stops being sent; `nil` for a cookie that lasts the session.
    public var expires: Date?
    /// Sent over HTTPS only.
    public var secure: Bool

    /// A cookie as a `Set-Cookie` header describes it.
    public init(name: String, value: String, path: String = "/", expires: Date? = nil, secure: Bool = false) {
        self.name = name
        self.value = value
        self.path = path
        self.expires = expires
        self.secure = secure
    }
}

/// Everything that keeps a user signed in: the credential of the ``AuthMode`` in use, when
/// the access token expires, and the server's cookies. Saved by a ``CredentialStore``.
public struct Credentials: Sendable, Codable, Equatable {
    /// How requests are authenticated.
    public var mode: AuthMode
    /// DRF's token key (``AuthMode/token``).
    public var key: String?
    /// The JWT access token (``AuthMode/jwt``; in ``AuthMode/jwtCookie`` the copy the body gave).
    public var access: String?
    /// The JWT refresh token (``AuthMode/jwt``; in cookie mode it lives in a cookie).
    public var refresh: String?
    /// When the access token expires: `access_expiration` from the server, else the token's `exp`.
    public var accessExpiration: Date?
    /// When the refresh token expires, when the server said (`refresh_expiration`).
    public var refreshExpiration: Date?
    /// The server's cookies: the session, the JWT cookies, the CSRF token.
    public var cookies: [StoredCookie]

    /// Credentials as a login answer gave them.
    public init(
        mode: AuthMode, key: String? = nil, access: String? = nil, refresh: String? = nil,
        accessExpiration: Date? = nil, refreshExpiration: Date? = nil, cookies: [StoredCookie] = []
    ) {
        self.mode = mode
        self.key = key
        self.access = access
        self.refresh = refresh
        self.accessExpiration = accessExpiration
        self.refreshExpiration = refreshExpiration
        self.cookies = cookies
    }

    /// Whether a refresh can renew these credentials.
    var refreshable: Bool {
        switch mode {
        case .jwt: refresh.map { !$0.isEmpty } ?? false
        case .jwtCookie: true
        case .token, .session: false
        }
    }
}

/// Where the client keeps ``Credentials`` between calls and between launches.
///
/// ``InMemoryCredentialStore`` is the default; ``FileCredentialStore`` suits a command-line
/// tool, and `KeychainCredentialStore` an app on Apple platforms. An app can keep them
/// anywhere else by conforming its own type.
public protocol CredentialStore: Sendable {
    /// The saved credentials, or `nil` when none are saved.
    func load() async throws -> Credentials?
    /// Saves `credentials`, or removes the saved ones when `nil`.
    func save(_ credentials: Credentials?) async throws
}

/// Keeps credentials for the life of the process only.
public actor InMemoryCredentialStore: CredentialStore {
    private var credentials: Credentials?

    /// A store holding `credentials` to begin with.
    public init(_ credentials: Credentials? = nil) { self.credentials = credentials }

    /// The credentials saved last.
    public func load() -> Credentials? { credentials }
    /// Keeps `credentials`, or forgets them when `nil`.
    public func save(_ credentials: Credentials?) { self.credentials = credentials }
}

/// Keeps credentials in a JSON file readable by its owner only (mode 0600), written
/// atomically: what the `restauth` tool uses between runs.
public struct FileCredentialStore: CredentialStore {
    /// The file.
    public let url: URL

    /// A store in the file at `url` (its folder is made when needed).
    public init(url: URL) { self.url = url }

    /// `~/.config/restauth/<name>.json` (or under `$XDG_CONFIG_HOME`).
    public static func standard(name: String) -> FileCredentialStore {
        let environment = ProcessInfo.processInfo.environment
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
        return FileCredentialStore(url: base.appendingPathComponent("restauth").appendingPathComponent("\(safe).json"))
    }

    /// Reads the file; `nil` when there is none.
    public func load() throws -> Credentials? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data = try Data(contentsOf: url)
        return try JSONDecoder().decode(Credentials.self, from: data)
    }

    /// Writes the file (mode 0600, atomically), or removes it when `credentials` is `nil`.
    public func save(_ credentials: Credentials?) throws {
        guard let credentials else {
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            return
        }
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(credentials)
        // Written beside the target with owner-only permissions, then moved over it, so no
        // reader ever sees a half-written file or one readable by others.
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        guard
            FileManager.default.createFile(
                atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown) }
        // rename(2) replaces the target atomically (FileManager's replaceItemAt removes it first
        // on Linux, and fails there).
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(
                .fileWriteUnknown, userInfo: [NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)])
        }
    }
}

#if canImport(Security)
    /// Keeps credentials in the Keychain as one generic password item, readable only
    /// while the device is unlocked (`kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`) and
    /// never synchronised or restored to another device.
    public struct KeychainCredentialStore: CredentialStore {
        /// `kSecAttrService`: by default the app's bundle identifier and the server.
        public let service: String
        /// `kSecAttrAccount`.
        public let account: String
        /// `kSecAttrAccessGroup`, to share the session with an app extension.
        public let accessGroup: String?

        /// A store under `service` and `account`, shared with `accessGroup` when given.
        public init(service: String, account: String = "credentials", accessGroup: String? = nil) {
            self.service = service
            self.account = account
            self.accessGroup = accessGroup
        }

        private var query: [String: Any] {
            var query: [String: Any] = [
                kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service,
                kSecAttrAccount as String: account,
            ]
            if let accessGroup { query[kSecAttrAccessGroup as String] = accessGroup }
            return query
        }

        /// Reads the item; `nil` when there is none.
        public func load() throws -> Credentials? {
            var query = self.query
            query[kSecReturnData as String] = true
            query[kSecMatchLimit as String] = kSecMatchLimitOne
            var item: CFTypeRef?
            let status = SecItemCopyMatching(query as CFDictionary, &item)
            if status == errSecItemNotFound { return nil }
            guard status == errSecSuccess, let data = item as? Data else {
                throw NSError(domain: NSOSStatusErrorDomain, code: Int(status))
            }
            return try JSONDecoder().decode(Credentials.self, from: data)
        }

        /// Replaces the item, or deletes it when `credentials` is `nil`.
        public func save(_ credentials: Credentials?) throws {
            let deleted = SecItemDelete(query as CFDictionary)
            guard deleted == errSecSuccess || deleted == errSecItemNotFound else {
                throw NSError(domain: NSOSStatusErrorDomain, code: Int(deleted))
            }
            guard let credentials else { return }
            var attributes = query
            attributes[kSecValueData as String] = try JSONEncoder().encode(credentials)
            attributes[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
            let status = SecItemAdd(attributes as CFDictionary, nil)
            guard status == errSecSuccess else { throw NSError(domain: NSOSStatusErrorDomain, code: Int(status)) }
        }
    }
#endif
