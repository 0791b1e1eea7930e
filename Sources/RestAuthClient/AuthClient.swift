import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A client for a dj-rest-auth API: this package's server, or dj-rest-auth itself.
///
/// One method per endpoint, typed requests and answers, errors as ``RestAuthError``
/// values, and the credential handled for the app: sent the way the server's mode wants,
/// saved in a ``CredentialStore``, and, with JWT, refreshed before it expires or when the
/// server refuses it, by one refresh however many requests are waiting.
///
/// ```swift
/// let client = AuthClient(baseURL: URL(string: "https://api.example.com/dj-rest-auth/")!)
/// switch try await client.login(username: "ada", password: password) {
/// case .signedIn(let signIn): print("signed in with", signIn.mode)
/// case .mfaRequired(let challenge): _ = try await client.verifyMFA(challenge, code: "123456")
/// }
/// let me = try await client.user()
/// ```
public actor AuthClient {
    /// Settings that a server's configuration may ask for; the defaults are dj-rest-auth's.
    public struct Configuration: Sendable {
        /// The mode to authenticate with; `nil` takes it from the login answer (`key`:
        /// token; a JWT pair: JWT; an access token with an empty refresh: JWT cookies; an
        /// empty answer: session). Set ``AuthMode/session`` to use Django's session where
        /// the answer also carries a token.
        public var mode: AuthMode?
        /// Refresh the access token when it expires within this many seconds.
        public var refreshLeeway: TimeInterval
        /// Django's `CSRF_COOKIE_NAME`.
        public var csrfCookieName: String
        /// The header Django's `CSRF_HEADER_NAME` names (`HTTP_X_CSRFTOKEN` is `X-CSRFToken`).
        public var csrfHeaderName: String
        /// The keyword of DRF's `TokenAuthentication` (`Token`).
        public var tokenKeyword: String
        /// Headers sent with every request (`Accept-Language`, an API key).
        public var headers: [String: String]
        /// Seconds before a request without an answer fails with ``RestAuthError/transport(_:)``.
        public var timeout: TimeInterval

        /// Settings for a server configured as described; every argument has dj-rest-auth's default.
        public init(
            mode: AuthMode? = nil, refreshLeeway: TimeInterval = 30, csrfCookieName: String = "csrftoken",
            csrfHeaderName: String = "X-CSRFToken", tokenKeyword: String = "Token", headers: [String: String] = [:],
            timeout: TimeInterval = 60
        ) {
            self.mode = mode
            self.refreshLeeway = refreshLeeway
            self.csrfCookieName = csrfCookieName
            self.csrfHeaderName = csrfHeaderName
            self.tokenKeyword = tokenKeyword
            self.headers = headers
            self.timeout = timeout
        }
    }

    /// A raw answer, for ``send(_:path:json:authenticated:)``.
    public struct Response: Sendable {
        /// The HTTP status.
        public var status: Int
        /// The headers, as the server sent them.
        public var headers: [String: String]
        /// The body.
        public var body: Data

        /// The body as JSON, when it is JSON.
        public var json: JSON? { JSON(data: body) }

        /// The body decoded as `T`, or ``RestAuthError/unexpectedResponse(status:body:)``.
        /// Bodies nested deeper than ``JSON/maximumDepth`` are refused before any decoding.
        public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
            let refused = RestAuthError.unexpectedResponse(status: status, body: String(decoding: body, as: UTF8.self))
            // The package's own answers are read from one JSONSerialization pass: JSONDecoder's
            // cost grows with the cube of the nesting for a value of any type.
            if let readable = T.self as? any JSONReadable.Type {
                guard let json = JSON(data: body), let value = readable.init(json: json) as? T else { throw refused }
                return value
            }
            guard JSON.nesting(of: body) <= JSON.maximumDepth else { throw refused }
            do { return try JSONDecoder().decode(T.self, from: body) } catch { throw refused }
        }
    }

    /// The API's base, ending in `/` (`https://example.com/dj-rest-auth/`).
    public nonisolated let baseURL: URL
    /// The settings this client was made with.
    public nonisolated let configuration: Configuration
    private let store: any CredentialStore
    private let session: URLSession
    private(set) var credentials: Credentials?
    private var loaded = false
    /// Cookies while nobody is signed in (the CSRF token); copied into the credentials at sign-in.
    private var jar = CookieJar()
    private var refreshing: (id: UUID, task: Task<Credentials, any Error>)?
    private var observers: [UUID: AsyncStream<SessionState>.Continuation] = [:]
    private var lastSignOut: SignOutReason?

    /// - Parameters:
    ///   - baseURL: where the API is mounted (`…/dj-rest-auth/`); a missing final `/` is added.
    ///   - store: where credentials are kept; in memory by default.
    ///   - configuration: the server's settings where they differ from dj-rest-auth's defaults.
    ///   - sessionConfiguration: the `URLSession` settings to start from (proxies, TLS);
    ///     cookie handling is switched off in it, since the client keeps its own jar.
    public init(
        baseURL: URL, store: any CredentialStore = InMemoryCredentialStore(),
        configuration: Configuration = Configuration(), sessionConfiguration: URLSessionConfiguration = .ephemeral
    ) {
        var text = baseURL.absoluteString
        if !text.hasSuffix("/") { text += "/" }
        self.baseURL = URL(string: text) ?? baseURL
        self.store = store
        self.configuration = configuration
        let settings = sessionConfiguration.copy() as! URLSessionConfiguration
        settings.httpCookieAcceptPolicy = .never
        settings.httpShouldSetCookies = false
        settings.httpCookieStorage = nil
        settings.urlCache = nil
        settings.requestCachePolicy = .reloadIgnoringLocalCacheData
        settings.timeoutIntervalForRequest = configuration.timeout
        session = URLSession(configuration: settings)
    }

    // MARK: State

    /// The credentials in use, loaded from the store on first use; `nil` when signed out.
    public func currentCredentials() async -> Credentials? {
        await loadIfNeeded()
        return credentials
    }

    /// Whether a user is signed in (as far as the client knows: the server decides).
    public func isSignedIn() async -> Bool { await currentCredentials() != nil }

    /// The sign-in state now and at every change: sign-in, logout, and a refused refresh
    /// or credential (once however many requests saw it). Ends when the task reading it is
    /// cancelled.
    public func sessionStates() async -> AsyncStream<SessionState> {
        await loadIfNeeded()
        let (stream, continuation) = AsyncStream<SessionState>.makeStream(bufferingPolicy: .bufferingNewest(16))
        let id = UUID()
        observers[id] = continuation
        continuation.yield(state)
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeObserver(id) }
        }
        return stream
    }

    /// Uses `credentials` from now on (and saves them): to take over a session an app
    /// already holds, such as a token from an earlier hand-written client.
    public func adopt(_ credentials: Credentials) async throws {
        await loadIfNeeded()
        jar = CookieJar(cookies: credentials.cookies)
        self.credentials = credentials
        try await store.save(credentials)
        publish()
    }

    /// Signs out on this device only: forgets the credentials without telling the server.
    public func forgetCredentials() async {
        await signOut(.loggedOut)
    }

    private var state: SessionState {
        credentials.map { .signedIn($0.mode) } ?? .signedOut(lastSignOut)
    }

    private func removeObserver(_ id: UUID) { observers[id] = nil }

    private func publish() {
        let state = self.state
        for continuation in observers.values { continuation.yield(state) }
    }

    private func loadIfNeeded() async {
        guard !loaded else { return }
        loaded = true
        if let saved = try? await store.load() {
            credentials = saved
            jar = CookieJar(cookies: saved.cookies)
        }
    }

    private func signOut(_ reason: SignOutReason) async {
        await loadIfNeeded()
        let wasSignedIn = credentials != nil
        credentials = nil
        jar = CookieJar()
        lastSignOut = reason
        try? await store.save(nil)
        if wasSignedIn { publish() }
    }

    // MARK: Requests

    /// Whether a call carries the credential.
    enum Authentication: Sendable {
        /// Never (login, sign-up, reset): a stale credential must not make it fail.
        case none
        /// When signed in (logout).
        case ifSignedIn
        /// Always; ``RestAuthError/notSignedIn`` without one.
        case required
    }

    /// Sends an app's own request with the current credential and the same refresh
    /// handling as the account calls: a relative `path` is resolved against ``baseURL``
    /// (`"/api/orders/"` reaches the server's root), and `json` is the body.
    ///
    /// ```swift
    /// let orders: [Order] = try await client.send("GET", path: "/api/orders/").decode()
    /// ```
    ///
    /// Answers of any status come back as they are (a 404 is not thrown), except that a
    /// 401 first triggers the refresh, and, if still refused, signs out.
    public func send(_ method: String, path: String, json: JSON? = nil, authenticated: Bool = true) async throws
        -> Response
    {
        let body = try json.map { try JSONEncoder().encode($0) }
        return try await perform(method, path, body: body, authentication: authenticated ? .ifSignedIn : .none)
    }

    /// Sends an app's own `URLRequest` with the current credential (its `Authorization`
    /// header and cookies are replaced by the client's), with the same refresh handling.
    public func send(_ request: URLRequest) async throws -> Response {
        guard let url = request.url else { throw RestAuthError.transport("the request has no URL") }
        return try await perform(
            request.httpMethod ?? "GET", url.absoluteString, body: request.httpBody, authentication: .ifSignedIn,
            headers: request.allHTTPHeaderFields ?? [:])
    }

    /// Sends a call to the API and returns its answer whatever its status.
    func perform(
        _ method: String, _ path: String, body: Data?, authentication: Authentication, headers: [String: String] = [:]
    ) async throws -> Response {
        await loadIfNeeded()
        guard let url = URL(string: path, relativeTo: baseURL)?.absoluteURL else {
            throw RestAuthError.transport("not a URL: \(path)")
        }
        guard authentication != .none else {
            return try await transmit(method, url, body: body, credentials: nil, headers: headers)
        }
        guard var used = try await usableCredentials() else {
            if authentication == .required { throw RestAuthError.notSignedIn }
            return try await transmit(method, url, body: body, credentials: nil, headers: headers)
        }
        var reply = try await transmit(method, url, body: body, credentials: used, headers: headers)
        if reply.status == 401 {
            if used.refreshable {
                used = try await refreshed(after: used)
                reply = try await transmit(method, url, body: body, credentials: used, headers: headers)
            } else if credentials == used {
                await signOut(.credentialRejected)
            }
        } else if reply.status == 403, used.mode == .session, credentials == used,
            ErrorDetail(data: reply.body).detail == "Authentication credentials were not provided."
        {
            // DRF answers a session that has ended with this 403 (SessionAuthentication
            // names no WWW-Authenticate scheme, so no 401).
            await signOut(.credentialRejected)
        }
        return reply
    }

    /// Sends a call and decodes a success as `T`; any other status is thrown as a ``RestAuthError``.
    func call<T: Decodable>(
        _ method: String, _ path: String, _ json: JSON? = nil, authentication: Authentication = .required,
        as type: T.Type = T.self
    ) async throws -> T {
        let reply = try await perform(
            method, path, body: try json.map { try JSONEncoder().encode($0) }, authentication: authentication)
        try Self.check(reply)
        return try reply.decode(T.self)
    }

    /// Throws the ``RestAuthError`` an unsuccessful status stands for.
    static func check(_ reply: Response) throws {
        guard !(200..<300).contains(reply.status) else { return }
        throw error(for: reply)
    }

    static func error(for reply: Response) -> RestAuthError {
        let detail = ErrorDetail(data: reply.body)
        switch reply.status {
        case 400: return .invalid(ValidationErrors(data: reply.body))
        case 401: return .unauthorized(detail)
        case 403: return .forbidden(detail)
        case 404: return .notFound(detail)
        case 405: return .methodNotAllowed(detail)
        case 429:
            return .throttled(retryAfter: HTTPDate.retryAfter(reply.header("Retry-After")), detail)
        case 402..<500: return .clientError(status: reply.status, detail)
        case 500..<600: return .serverError(status: reply.status, body: String(decoding: reply.body, as: UTF8.self))
        default: return .unexpectedResponse(status: reply.status, body: String(decoding: reply.body, as: UTF8.self))
        }
    }

    /// The credentials to send now: after any refresh under way, and refreshed first when
    /// the access token expires within the leeway.
    private func usableCredentials() async throws -> Credentials? {
        if let refreshing {
            _ = try? await refreshing.task.value
        }
        guard let current = credentials else { return nil }
        if current.refreshable, let expiry = current.accessExpiration,
            expiry.timeIntervalSinceNow < configuration.refreshLeeway
        {
            return try await refreshed(after: current)
        }
        return current
    }

    /// Credentials newer than `used`: the ones another refresh already got, the result of
    /// the refresh under way, or of one started now. Only one refresh runs at a time.
    func refreshed(after used: Credentials) async throws -> Credentials {
        if let refreshing { return try await refreshing.task.value }
        guard let current = credentials else {
            throw RestAuthError.sessionExpired(ErrorDetail(detail: "Signed out while the request was under way."))
        }
        // Another refresh finished since `used` was read: its result is newer.
        if current.access != used.access || current.accessExpiration != used.accessExpiration { return current }
        let id = UUID()
        let task = Task { try await self.runRefresh(current) }
        refreshing = (id, task)
        defer { if refreshing?.id == id { refreshing = nil } }
        return try await task.value
    }

    /// `token/refresh/`: with the refresh token in the body, or in JWT-cookie mode with the
    /// refresh cookie. A refusal (400, 401, 403) signs out once; a failure to reach the
    /// server keeps the session for the next try.
    private func runRefresh(_ current: Credentials) async throws -> Credentials {
        // The refresh token in the body when the client holds one; else the server reads its cookie.
        let body: JSON = current.refresh.map { ["refresh": .string($0)] } ?? [:]
        let url = baseURL.appendingPathComponent("token/refresh/")
        let reply = try await transmit(
            "POST", url, body: try JSONEncoder().encode(body), credentials: current, headers: [:],
            authorize: false)
        guard reply.status == 200, let answer = reply.json, let access = answer["access"]?.stringValue else {
            if [400, 401, 403].contains(reply.status), credentials != nil {
                await signOut(.refreshRejected)
                throw RestAuthError.sessionExpired(ErrorDetail(data: reply.body))
            }
            throw (200..<300).contains(reply.status)
                ? RestAuthError.unexpectedResponse(
                    status: reply.status, body: String(decoding: reply.body, as: UTF8.self))
                : Self.error(for: reply)
        }
        guard var renewed = credentials else {
            throw RestAuthError.sessionExpired(ErrorDetail(detail: "Signed out while the session was renewed."))
        }
        renewed.access = access.isEmpty ? renewed.access : access
        if let refresh = answer["refresh"]?.stringValue, !refresh.isEmpty { renewed.refresh = refresh }
        renewed.accessExpiration =
            answer["access_expiration"]?.stringValue.flatMap(HTTPDate.iso8601) ?? JWTPeek.expiration(access)
        if let refreshExpiration = answer["refresh_expiration"]?.stringValue.flatMap(HTTPDate.iso8601) {
            renewed.refreshExpiration = refreshExpiration
        }
        renewed.cookies = jar.cookies
        credentials = renewed
        try? await store.save(renewed)
        return renewed
    }

    /// One HTTP exchange: the credential as its mode wants it, the cookie jar and CSRF
    /// header where cookies authenticate, the answer's cookies kept.
    private func transmit(
        _ method: String, _ url: URL, body: Data?, credentials used: Credentials?, headers: [String: String],
        authorize: Bool = true
    ) async throws -> Response {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = configuration.timeout
        for (name, value) in configuration.headers { request.setValue(value, forHTTPHeaderField: name) }
        for (name, value) in headers where !["authorization", "cookie"].contains(name.lowercased()) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        if request.value(forHTTPHeaderField: "Accept") == nil {
            request.setValue("application/json", forHTTPHeaderField: "Accept")
        }
        if let body {
            request.httpBody = body
            if request.value(forHTTPHeaderField: "Content-Type") == nil {
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
        }
        let mode = used?.mode ?? configuration.mode
        if authorize, let used {
            switch used.mode {
            case .token:
                if let key = used.key {
                    request.setValue("\(configuration.tokenKeyword) \(key)", forHTTPHeaderField: "Authorization")
                }
            case .jwt:
                if let access = used.access {
                    request.setValue("Bearer \(access)", forHTTPHeaderField: "Authorization")
                }
            case .jwtCookie, .session: break
            }
        }
        // Cookies go where they authenticate (and to a login whose mode is not known yet);
        // in token and JWT modes a session cookie would only add CSRF checks.
        let sameServer = url.host == baseURL.host && url.port == baseURL.port && url.scheme == baseURL.scheme
        if sameServer, mode != .token, mode != .jwt {
            if !["GET", "HEAD", "OPTIONS", "TRACE"].contains(method.uppercased()) {
                // Django's double-submit check: the header must match the cookie; a client
                // without a CSRF cookie yet makes its own secret (32 letters and digits).
                if jar.value(configuration.csrfCookieName) == nil {
                    jar.set(StoredCookie(name: configuration.csrfCookieName, value: Self.csrfSecret()))
                }
                request.setValue(
                    jar.value(configuration.csrfCookieName), forHTTPHeaderField: configuration.csrfHeaderName)
                // Over HTTPS Django also wants a Referer from its own origin.
                if url.scheme?.lowercased() == "https" {
                    request.setValue(baseURL.absoluteString, forHTTPHeaderField: "Referer")
                }
            }
            if let cookie = jar.header(for: url) { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch let error as URLError {
            throw RestAuthError.transport(error.localizedDescription)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw RestAuthError.transport(String(describing: error))
        }
        guard let http = response as? HTTPURLResponse else { throw RestAuthError.transport("not an HTTP answer") }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name] = value }
        }
        let reply = Response(status: http.statusCode, headers: fields, body: data)
        if sameServer {
            let setCookie = fields.filter { $0.key.lowercased() == "set-cookie" }.map(\.value)
            if !setCookie.isEmpty {
                jar.receive(setCookie: setCookie)
                if var current = credentials, current.cookies != jar.cookies {
                    current.cookies = jar.cookies
                    credentials = current
                    try? await store.save(current)
                }
            }
        }
        return reply
    }

    private static func csrfSecret() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }

    // MARK: Sign-in answers

    /// Reads a login, MFA, social or sign-up answer, and signs in when it carries a credential.
    func acceptSignIn(_ reply: Response) async throws -> LoginOutcome {
        try Self.check(reply)
        let body = reply.body.isEmpty ? nil : JSON(data: reply.body)
        if let body, body["mfa_required"]?.boolValue == true, let token = body["ephemeral_token"]?.stringValue {
            return .mfaRequired(MFAChallenge(ephemeralToken: token))
        }
        var signedIn = Credentials(mode: .session, cookies: jar.cookies)
        let key = body?["key"]?.stringValue
        let access = body?["access"]?.stringValue
        let refresh = body?["refresh"]?.stringValue
        if let access, !access.isEmpty {
            signedIn.mode = (refresh ?? "").isEmpty || configuration.mode == .jwtCookie ? .jwtCookie : .jwt
            signedIn.access = access
            signedIn.refresh = (refresh ?? "").isEmpty ? nil : refresh
            signedIn.accessExpiration =
                body?["access_expiration"]?.stringValue.flatMap(HTTPDate.iso8601) ?? JWTPeek.expiration(access)
            signedIn.refreshExpiration = body?["refresh_expiration"]?.stringValue.flatMap(HTTPDate.iso8601)
        } else if let key, !key.isEmpty {
            signedIn.mode = configuration.mode == .session ? .session : .token
            signedIn.key = key
        } else if reply.status == 204 || body == nil || configuration.mode == .session {
            signedIn.mode = .session
        } else {
            throw RestAuthError.unexpectedResponse(
                status: reply.status, body: String(decoding: reply.body, as: UTF8.self))
        }
        if configuration.mode == .session { signedIn.mode = .session }
        credentials = signedIn
        lastSignOut = nil
        try? await store.save(signedIn)
        publish()
        let user = body?["user"]?.objectValue.map(User.init(fields:))
        return .signedIn(SignIn(mode: signedIn.mode, user: user, body: body))
    }
}

extension AuthClient.Response {
    /// A header by name, whatever its case.
    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}
