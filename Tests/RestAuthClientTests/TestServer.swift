import Crypto
import Foundation
import NIOConcurrencyHelpers
import RestAuth
import RestAuthClient
import Testing
import Vapor

@testable import RestAuthDemo

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A server for the client's tests: the demo started in this process on a real port, with
/// an in-memory mailbox and a count of refresh requests; or, when
/// `RESTAUTH_CLIENT_TEST_URL` names one, any running dj-rest-auth API (the reference in
/// CI), configured as `RESTAUTH_CLIENT_TEST_MODE` says, its mail read from the Maildir
/// `RESTAUTH_CLIENT_TEST_MAILDIR` (aiosmtpd's Mailbox handler writes one).
final class TestServer: Sendable {
    let baseURL: URL
    let mode: AuthMode
    /// Whether this is the demo in this process (some checks need its insides).
    let inProcess: Bool
    /// The server's settings, as its environment gave them.
    let settings: [String: String]
    private let app: Application?
    private let provider: Application?
    private let mailbox: (any Mailbox)?
    private let refreshCounter: RequestCounter?

    private init(
        baseURL: URL, mode: AuthMode, settings: [String: String], app: Application?, provider: Application?,
        mailbox: (any Mailbox)?, refreshCounter: RequestCounter?
    ) {
        self.baseURL = baseURL
        self.mode = mode
        self.settings = settings
        self.app = app
        self.provider = provider
        self.mailbox = mailbox
        self.refreshCounter = refreshCounter
        inProcess = app != nil
    }

    // MARK: Settings per mode

    /// The server settings of each mode: the conformance suite's profiles, with MFA on
    /// and a fake GitHub for social login.
    static func settings(for mode: AuthMode) -> [String: String] {
        var settings = [
            "REST_AUTH_MFA_ENABLED": "true", "REST_AUTH_MFA_TOTP_ISSUER": "Example",
            "ACCOUNT_EMAIL_VERIFICATION": "optional", "REST_AUTH_PASSKEYS_ENABLED": "true",
            "PASSKEY_RP_ID": "localhost", "PASSKEY_RP_NAME": "Example",
            "PASSKEY_RP_ORIGINS": #"["\#(TestPasskey.origin)"]"#,
        ]
        switch mode {
        case .token: break
        case .session: settings["REST_AUTH_SESSION_LOGIN"] = "true"
        case .jwt:
            settings.merge([
                "REST_AUTH_USE_JWT": "true", "REST_AUTH_SESSION_LOGIN": "false", "REST_AUTH_JWT_AUTH_HTTPONLY": "false",
                "REST_AUTH_JWT_AUTH_RETURN_EXPIRATION": "true", "SIMPLE_JWT_ROTATE_REFRESH_TOKENS": "true",
                "SIMPLE_JWT_BLACKLIST_AFTER_ROTATION": "true",
            ]) { $1 }
        case .jwtCookie:
            settings.merge([
                "REST_AUTH_USE_JWT": "true", "REST_AUTH_SESSION_LOGIN": "false",
                "REST_AUTH_JWT_AUTH_COOKIE": "jwt-auth", "REST_AUTH_JWT_AUTH_REFRESH_COOKIE": "jwt-refresh",
                "REST_AUTH_JWT_AUTH_REFRESH_COOKIE_PATH": "/", "REST_AUTH_JWT_AUTH_COOKIE_USE_CSRF": "true",
            ]) { $1 }
        }
        return settings
    }

    // MARK: Starting

    /// The external server when the environment names one, else the demo in this process.
    static func start(_ mode: AuthMode, extra: [String: String] = [:]) async throws -> TestServer {
        try await startDemo(mode, extra: extra)
    }

    /// The demo in this process on 127.0.0.1, port chosen by the system.
    static func startDemo(_ mode: AuthMode, extra: [String: String] = [:]) async throws -> TestServer {
        let provider = try await FakeGitHub.start()
        let providerPort = provider.http.server.shared.localAddress?.port ?? 0
        var env = settings(for: mode)
        env.merge([
            "DATABASE_URL": "sqlite::memory:", "SECRET_KEY": "client-tests", "PBKDF2_ITERATIONS": "1000",
            "SOCIALACCOUNT_GITHUB_CLIENT_ID": FakeGitHub.clientID, "SOCIALACCOUNT_GITHUB_SECRET": FakeGitHub.secret,
            "SOCIALACCOUNT_GITHUB_BASE_URL": "http://127.0.0.1:\(providerPort)",
            "SOCIALACCOUNT_GITHUB_API_URL": "http://127.0.0.1:\(providerPort)",
            "SOCIALACCOUNT_GITHUB_CALLBACK_URL": "http://127.0.0.1/callback",
        ]) { $1 }
        env.merge(extra) { $1 }
        let app = try await Application.make(.testing)
        let mail = MemoryEmailSender()
        let counter = RequestCounter(path: "/dj-rest-auth/token/refresh/")
        do {
            try await DemoApp.configure(app, environment: env) { $0.emailSender = mail }
            app.middleware.use(counter)
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        } catch {
            try? await app.asyncShutdown()
            try? await provider.asyncShutdown()
            throw error
        }
        let port = app.http.server.shared.localAddress?.port ?? 0
        return TestServer(
            baseURL: URL(string: "http://127.0.0.1:\(port)/dj-rest-auth/")!, mode: mode, settings: env, app: app,
            provider: provider, mailbox: MemoryMailbox(sender: mail), refreshCounter: counter)
    }

    /// The server `RESTAUTH_CLIENT_TEST_URL` names, or `nil`.
    static func external() -> TestServer? {
        let env = ProcessInfo.processInfo.environment
        guard let text = env["RESTAUTH_CLIENT_TEST_URL"], let url = URL(string: text) else { return nil }
        let mode = env["RESTAUTH_CLIENT_TEST_MODE"].flatMap(AuthMode.init(rawValue:)) ?? .token
        let mailbox = env["RESTAUTH_CLIENT_TEST_MAILDIR"].map { MaildirMailbox(directory: URL(fileURLWithPath: $0)) }
        return TestServer(
            baseURL: url, mode: mode, settings: settings(for: mode), app: nil, provider: nil, mailbox: mailbox,
            refreshCounter: nil)
    }

    static var externalConfigured: Bool { ProcessInfo.processInfo.environment["RESTAUTH_CLIENT_TEST_URL"] != nil }

    func stop() async {
        if let app {
            await app.server.shutdown()
            try? await app.asyncShutdown()
        }
        if let provider {
            await provider.server.shutdown()
            try? await provider.asyncShutdown()
        }
    }

    // MARK: What tests ask of it

    /// A client for this server in its mode (`mode` given explicitly: the session mode
    /// cannot be told from a login answer that also carries a token).
    func client(
        store: any CredentialStore = InMemoryCredentialStore(), leeway: TimeInterval = 30, explicitMode: Bool = true
    ) -> AuthClient {
        AuthClient(
            baseURL: baseURL, store: store,
            configuration: .init(mode: explicitMode ? mode : nil, refreshLeeway: leeway))
    }

    /// The refresh requests the server has seen; `nil` for an external server.
    var refreshRequests: Int? { refreshCounter?.count }

    /// Whether the server has the MFA routes (`mfa/status/` answers 401 rather than 404).
    func offersPasskeys() async -> Bool {
        let reply = try? await raw("GET", "passkeys/")
        return reply.map { $0.status == 401 || $0.status == 403 } ?? false
    }

    func offersMFA() async -> Bool {
        let reply = try? await raw("GET", "mfa/status/")
        return reply.map { $0.status == 401 || $0.status == 403 } ?? false
    }

    /// A text mail to `address` received after `since`, waiting up to 10 s; the test is
    /// cancelled (skipped) when there is no mailbox to read.
    func mail(to address: String, since: Date) async throws -> String {
        guard let mailbox else {
            try Test.cancel("no mailbox: set RESTAUTH_CLIENT_TEST_MAILDIR to the SMTP sink's Maildir")
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let body = try mailbox.message(to: address, since: since) { return body }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw TestFailure("no mail to \(address) within 10 s")
    }

    /// A user with a verified address, signed up through the API: `(username, email, password)`.
    func newUser(_ label: String = "user") async throws -> (username: String, email: String, password: String) {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let username = "\(label)\(suffix)"
        let email = "\(username)@example.com"
        let password = "Ca7-\(UUID().uuidString)"
        let reply = try await raw(
            "POST", "registration/",
            json: [
                "username": .string(username), "email": .string(email), "password1": .string(password),
                "password2": .string(password),
            ])
        guard reply.status == 201 || reply.status == 204 else {
            throw TestFailure("sign-up failed: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        }
        return (username, email, password)
    }

    /// A request past the client, for the checks that must not trust it.
    func raw(_ method: String, _ path: String, json: JSON? = nil, headers: [String: String] = [:]) async throws
        -> (status: Int, body: Data, headers: [String: String])
    {
        var request = URLRequest(url: URL(string: path, relativeTo: baseURL)!)
        request.httpMethod = method
        if let json {
            request.httpBody = try JSONEncoder().encode(json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        let session = URLSession(configuration: configuration)
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for case let (name as String, value as String) in http.allHeaderFields { fields[name] = value }
        return (http.statusCode, data, fields)
    }
}

/// A passkey of the tests' own: a P-256 key answering creation and request options with the
/// JSON `PublicKeyCredential.toJSON()` writes, for RP ID `localhost` and one web origin.
final class TestPasskey: @unchecked Sendable {
    static let origin = "http://localhost:3000"
    let key = P256.Signing.PrivateKey()
    let credentialID: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }
    var count: UInt32 = 0
    var userHandle = ""

    static func b64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private func clientData(_ type: String, _ options: JSON) throws -> [UInt8] {
        guard let challenge = options["challenge"]?.stringValue else { throw TestFailure("no challenge") }
        return Array(
            #"{"type":"\#(type)","challenge":"\#(challenge)","origin":"\#(Self.origin)","crossOrigin":false}"#.utf8)
    }

    private func authenticatorData(flags: UInt8) -> [UInt8] {
        Array(SHA256.hash(data: Array("localhost".utf8))) + [flags]
            + [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
    }

    /// `none` attestation: {"fmt": "none", "attStmt": {}, "authData": ...} in CBOR.
    func registration(_ options: JSON) throws -> JSON {
        userHandle = options["user"]?["id"]?.stringValue ?? ""
        let raw = Array(key.publicKey.x963Representation.dropFirst())
        // COSE_Key {1: 2, 3: -7, -1: 1, -2: x, -3: y}
        let cose: [UInt8] =
            [0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20] + raw[0..<32]
            + [0x22, 0x58, 0x20] + raw[32...]
        let data = authenticatorData(flags: 0x45) + [UInt8](repeating: 0, count: 16) + [0, 32] + credentialID + cose
        var object: [UInt8] = [0xa3, 0x63] + Array("fmt".utf8) + [0x64] + Array("none".utf8)
        object += [0x67] + Array("attStmt".utf8) + [0xa0] + [0x68] + Array("authData".utf8)
        object +=
            (data.count < 256 ? [0x58, UInt8(data.count)] : [0x59, UInt8(data.count >> 8), UInt8(data.count & 0xff)])
            + data
        return .object([
            "id": .string(Self.b64(credentialID)), "rawId": .string(Self.b64(credentialID)), "type": "public-key",
            "response": .object([
                "clientDataJSON": .string(Self.b64(try clientData("webauthn.create", options))),
                "attestationObject": .string(Self.b64(object)), "transports": ["internal"],
            ]),
            "clientExtensionResults": .object([:]),
        ])
    }

    func assertion(_ options: JSON, tamper: Bool = false) throws -> JSON {
        count += 1
        let data = authenticatorData(flags: 0x05)
        let client = try clientData("webauthn.get", options)
        var signature = Array(try key.signature(for: data + Array(SHA256.hash(data: client))).derRepresentation)
        if tamper { signature[signature.count - 1] ^= 1 }
        return .object([
            "id": .string(Self.b64(credentialID)), "rawId": .string(Self.b64(credentialID)), "type": "public-key",
            "response": .object([
                "clientDataJSON": .string(Self.b64(client)), "authenticatorData": .string(Self.b64(data)),
                "signature": .string(Self.b64(signature)), "userHandle": .string(userHandle),
            ]),
            "clientExtensionResults": .object([:]),
        ])
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Counts the requests to one path.
final class RequestCounter: AsyncMiddleware, Sendable {
    let path: String
    private let box = NIOLockedValueBox(0)

    init(path: String) { self.path = path }

    var count: Int { box.withLockedValue { $0 } }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.url.path == path { box.withLockedValue { $0 += 1 } }
        return try await next.respond(to: request)
    }
}

// MARK: Mail

protocol Mailbox: Sendable {
    /// The text of the newest message to `address` received after `since`.
    func message(to address: String, since: Date) throws -> String?
}

struct MemoryMailbox: Mailbox {
    let sender: MemoryEmailSender
    let started = Date()

    func message(to address: String, since: Date) throws -> String? {
        // The sender keeps no times: messages are matched by count since `since` instead,
        // which the tests make unambiguous by using fresh addresses.
        sender.messages(to: address).last.map(\.text)
    }
}

/// Reads aiosmtpd's Mailbox handler's Maildir (`new/` and `cur/`).
struct MaildirMailbox: Mailbox {
    let directory: URL

    func message(to address: String, since: Date) throws -> String? {
        var found: [(Date, String)] = []
        for folder in ["new", "cur"] {
            let url = directory.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            for name in names {
                let file = url.appendingPathComponent(name)
                let attributes = try? FileManager.default.attributesOfItem(atPath: file.path)
                let modified = attributes?[.modificationDate] as? Date ?? .distantPast
                guard modified >= since.addingTimeInterval(-1),
                    let data = FileManager.default.contents(atPath: file.path)
                else { continue }
                let text = String(decoding: data, as: UTF8.self)
                let split = text.range(of: "\r\n\r\n") ?? text.range(of: "\n\n")
                let head = split.map { String(text[..<$0.lowerBound]) } ?? text
                guard head.lowercased().contains(address.lowercased()) else { continue }
                var body = split.map { String(text[$0.upperBound...]) } ?? ""
                if head.lowercased().contains("quoted-printable") { body = Self.unquote(body) }
                found.append((modified, body))
            }
        }
        return found.max { $0.0 < $1.0 }?.1
    }

    /// Quoted-printable (RFC 2045 §6.7): soft line breaks and `=XX`.
    static func unquote(_ text: String) -> String {
        let joined = text.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
        var bytes: [UInt8] = []
        var iterator = Array(joined.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "="), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The first `http(s)://` link in a mail.
func firstLink(in text: String) throws -> URL {
    let pattern = try NSRegularExpression(pattern: #"https?://[^\s<>"]+"#)
    guard let match = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
        let range = Range(match.range, in: text), let url = URL(string: String(text[range]))
    else { throw TestFailure("no link in the mail: \(text)") }
    return url
}

// MARK: TOTP

/// RFC 6238 with SHA-1, six digits, 30 s: the codes an authenticator app shows.
enum TOTPCode {
    static func code(secret: String, step: Int64) -> String {
        let key = base32(secret)
        var counter = UInt64(step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let value =
            (UInt32(mac[offset] & 0x7f) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8
                | UInt32(mac[offset + 3])) % 1_000_000
        return String(format: "%06d", value)
    }

    static var currentStep: Int64 { Int64(Date().timeIntervalSince1970) / 30 }

    /// A code the server takes now, for a step after `last` (the server refuses a step used
    /// before, or an earlier one): the earliest of the window it accepts (one step either side
    /// of its own), waiting for the next step when the window holds none, or when a boundary
    /// is so near that the server might see another step than this test.
    static func next(_ secret: String, after last: Int64?) async throws -> (code: String, step: Int64) {
        while true {
            let now = Date().timeIntervalSince1970
            let left = 30 - now.truncatingRemainder(dividingBy: 30)
            let current = Int64(now) / 30
            let step = max(current - 1, (last ?? .min) + 1)
            if left > 2, step <= current + 1 { return (code(secret: secret, step: step), step) }
            try await Task.sleep(nanoseconds: UInt64((left + 0.3) * 1e9))
        }
    }

    static func base32(_ text: String) -> Data {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var value = 0
        var out = Data()
        for character in text.uppercased() where character != "=" {
            guard let index = alphabet.firstIndex(of: character) else { continue }
            value = value << 5 | index
            bits += 5
            if bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: value >> (bits - 8)))
                bits -= 8
            }
        }
        return out
    }
}

// MARK: A GitHub of the tests' own

/// GitHub's OAuth endpoints as the server's GitHub provider calls them: the code
/// exchange, the token check, `/user` and `/user/emails`. A token `tok-<login>` belongs to
/// the user `<login>`, whose verified address is `<login>@users.example.com`.
enum FakeGitHub {
    static let clientID = "client-tests-github"
    static let secret = "client-tests-secret"

    static func start() async throws -> Application {
        let app = try await Application.make(.testing)
        app.post("login", "oauth", "access_token") { request async throws -> Response in
            let code =
                (try? request.content.get(String.self, at: "code")) ?? request.query[String.self, at: "code"] ?? ""
            return try await ["access_token": "tok-\(code)", "token_type": "bearer", "scope": "user:email"]
                .encodeResponse(for: request)
        }
        app.post("applications", ":client", "token") { request async throws -> Response in
            let client = request.parameters.get("client") ?? ""
            let token = (try? request.content.get(String.self, at: "access_token")) ?? ""
            guard client == clientID, token.hasPrefix("tok-") else { throw Abort(.notFound) }
            return try await ["app": ["client_id": clientID]].encodeResponse(for: request)
        }
        app.get("user") { request async throws -> Response in
            let login = try login(request)
            let body: [String: String] = ["login": login, "name": "Octo \(login)"]
            var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(body)) as! [String: Any]
            json["id"] = abs(login.hashValue % 1_000_000) + 1
            let response = Response(status: .ok, body: .init(data: try JSONSerialization.data(withJSONObject: json)))
            response.headers.contentType = .json
            return response
        }
        app.get("user", "emails") { request async throws -> Response in
            let login = try login(request)
            let data = try JSONSerialization.data(withJSONObject: [
                ["email": "\(login)@users.example.com", "primary": true, "verified": true]
            ])
            let response = Response(status: .ok, body: .init(data: data))
            response.headers.contentType = .json
            return response
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        return app
    }

    static func login(_ request: Request) throws -> String {
        let header = request.headers.first(name: .authorization) ?? ""
        guard let token = header.split(separator: " ").last, token.hasPrefix("tok-") else { throw Abort(.unauthorized) }
        return String(token.dropFirst(4))
    }
}
