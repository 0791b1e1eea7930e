import Vapor

typealias Endpoint = RestAuthEndpoint

/// One dj-rest-auth view: a path, who may call it, and a handler per method. Every other
/// method answers 405 after authentication and permission, as DRF's dispatch does, and
/// every response carries DRF's `Allow` header. Packages that extend the API (social
/// login) add theirs with ``Application/RestAuth/add(_:)``.
///
/// ```swift
/// let ping = RestAuthEndpoint(["ping"], name: "Ping", permission: .isAuthenticated, handlers: [
///     (.GET, .async { request in .json(["user": .string(try request.restAuth.requireUser().accountEmail)]) })
/// ])
/// app.restAuth.add([ping])
/// ```
public struct RestAuthEndpoint: Sendable {
    public enum Permission: Sendable {
        case allowAny
        case isAuthenticated
    }

    /// What an endpoint does for one method, once the request is authenticated.
    public enum Handler: Sendable {
        /// Work that waits for nothing (`GET user/`): it runs on the event loop, with no task.
        case immediate(@Sendable (Request) throws -> Response)
        /// Work that waits (queries, hashing, mail).
        case async(@Sendable (Request) async throws -> Response)
    }

    let path: [PathComponent]
    let name: String
    /// The view's description in `OPTIONS` (DRF takes the view's docstring).
    let description: String
    /// DRF's `allowed_methods` when a view sets it (the `Allow` header); nil: the methods
    /// with handlers, HEAD with GET, and OPTIONS.
    let allowOverride: [HTTPMethod]?
    let permission: Permission
    let handlers: [(method: HTTPMethod, handler: Handler)]
    /// False for views that run no authentication (simplejwt's token views): a stale
    /// cookie cannot get in their way.
    let authenticates: Bool
    /// What the OpenAPI document says of each method (a method without one is listed
    /// with its name only).
    let operations: [(method: HTTPMethod, operation: RestAuthOperation)]
    /// Django's `APPEND_SLASH` for a route that exists only with its slash (an include's
    /// root, such as `passkeys/`): without it, a 301 to it before anything else.
    var appendSlash = false

    init(
        _ path: [PathComponent], name: String, description: String = "", permission: Permission,
        appendSlash: Bool, handlers: [(method: HTTPMethod, handler: Handler)],
        operations: [(method: HTTPMethod, operation: RestAuthOperation)] = []
    ) {
        self.init(
            path, name: name, description: description, permission: permission, handlers: handlers,
            operations: operations)
        self.appendSlash = appendSlash
    }

    public init(
        _ path: [PathComponent], name: String, description: String = "", permission: Permission,
        authenticates: Bool = true, allow: [HTTPMethod]? = nil,
        handlers: [(method: HTTPMethod, handler: Handler)],
        operations: [(method: HTTPMethod, operation: RestAuthOperation)] = []
    ) {
        self.path = path
        self.name = name
        self.description = description
        self.allowOverride = allow
        self.permission = permission
        self.authenticates = authenticates
        self.handlers = handlers
        self.operations = operations
    }

    /// Every method HTTP and WebDAV name: DRF answers any method a view lacks with 405,
    /// never the framework's 404. (HEAD is Vapor's: it answers it with the GET route.
    /// CONNECT takes no path.)
    static let dispatchedMethods: [HTTPMethod] = [
        .GET, .POST, .PUT, .PATCH, .DELETE, .OPTIONS, .TRACE, .ACL, .COPY, .LOCK, .MOVE, .BIND, .LINK, .MKCOL,
        .MERGE, .PURGE, .NOTIFY, .SEARCH, .UNLOCK, .REBIND, .UNBIND, .REPORT, .UNLINK, .MSEARCH, .PROPFIND,
        .CHECKOUT, .PROPPATCH, .SUBSCRIBE, .MKCALENDAR, .MKACTIVITY, .UNSUBSCRIBE, .SOURCE,
    ]

    func operation(for method: HTTPMethod) -> RestAuthOperation? {
        operations.first(where: { $0.method == method })?.operation
    }

    func handler(for method: HTTPMethod) -> Handler? {
        handlers.first(where: { $0.method == method })?.handler
    }

    /// DRF's `allowed_methods`, in its order.
    var allowedMethods: [HTTPMethod] {
        if let allowOverride { return allowOverride }
        let order: [HTTPMethod] = [.GET, .POST, .PUT, .PATCH, .DELETE, .HEAD, .OPTIONS]
        return order.filter { method in
            switch method {
            case .HEAD: handler(for: .GET) != nil
            case .OPTIONS: true
            default: handler(for: method) != nil
            }
        }
    }

    func register(on routes: any RoutesBuilder, state: RestAuthState) {
        let allow = allowedMethods.map(\.rawValue).joined(separator: ", ")
        let endpoint = self
        for method in Self.dispatchedMethods {
            // Futures rather than an async closure: a request whose work waits for nothing
            // but the database (a token `GET user/`) then costs no task at all.
            routes.on(method, path, body: .collect(maxSize: ByteCount(value: state.configuration.maxBodySize))) {
                request -> EventLoopFuture<Response> in
                endpoint.dispatch(request, state: state)
                    .flatMapErrorThrowing { error in APIErrorMiddleware.response(for: error, request: request) }
                    .map { response in
                        response.headers.replaceOrAdd(name: .allow, value: allow)
                        return response
                    }
            }
        }
    }

    /// DRF's dispatch: authenticate, check the permission, then the method's handler (405
    /// when there is none).
    private func dispatch(_ request: Request, state: RestAuthState) -> EventLoopFuture<Response> {
        // Django's CommonMiddleware calls get_host() first: a forged Host is refused before
        // anything else looks at the request.
        do {
            _ = try RequestHost.validated(request, allowed: state.mailer.allowedHosts)
        } catch {
            return request.eventLoop.makeFailedFuture(error)
        }
        if appendSlash, let redirect = Response.appendingSlash(to: request) {
            return request.eventLoop.makeSucceededFuture(redirect)
        }
        // Vapor collects a body that arrives in one read without looking at the limit.
        if let body = request.body.data, body.readableBytes > state.configuration.maxBodySize {
            return request.eventLoop.makeFailedFuture(
                APIError.payloadTooLarge(limit: state.configuration.maxBodySize, for: request))
        }
        return AuthenticationMiddleware.authenticate(request, with: authenticates ? state.authenticators : []).flatMap {
            () -> EventLoopFuture<Response> in
            if case .isAuthenticated = permission, request.restAuth.user == nil {
                return request.eventLoop.makeFailedFuture(state.notAuthenticated(request))
            }
            let method = request.method == .HEAD ? HTTPMethod.GET : request.method
            switch handler(for: method) {
            // The work runs in the request's language (Django's activated translation).
            case .immediate(let work)?:
                let translation = request.restAuthTranslation
                return request.eventLoop.makeCompletedFuture { try translation.activate { try work(request) } }
            case .async(let work)?:
                let translation = request.restAuthTranslation
                return request.eventLoop.makeFutureWithTask {
                    try await translation.activateAsync { try await work(request) }
                }
            case nil:
                if method == .OPTIONS {
                    let translation = request.restAuthTranslation
                    return request.eventLoop.makeSucceededFuture(translation.activate { metadata() })
                }
                return request.eventLoop.makeFailedFuture(
                    APIError.methodNotAllowed(request.method, allowed: allowedMethods, for: request))
            }
        }
    }

    /// DRF's `SimpleMetadata` answer to OPTIONS: the view's name and description, what it
    /// renders and parses, and for POST and PUT the serializer's fields.
    private func metadata() -> Response {
        var body: JSONObject = [
            "name": .string(name),
            "description": .string(description),
            "renders": ["application/json", "text/html"],
            "parses": ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
        ]
        var actions = JSONObject()
        for method in [HTTPMethod.PUT, .POST] where handler(for: method) != nil {
            guard let operation = operation(for: method),
                let fields = operation.fields ?? FieldMetadata.derived(from: operation.request), !fields.isEmpty
            else { continue }
            var described = JSONObject()
            for field in fields { described[field.name] = field.json }
            actions[method.rawValue] = .object(described)
        }
        if !actions.isEmpty { body["actions"] = .object(actions) }
        return Response.json(.object(body))
    }
}

extension Response {
    /// Django's `APPEND_SLASH` (CommonMiddleware): for a path without its trailing slash, a 301
    /// to the same path and query with it; nil when the path has it.
    static func appendingSlash(to request: Request) -> Response? {
        guard !request.url.path.hasSuffix("/") else { return nil }
        var location = request.url.path + "/"
        if let query = request.url.query { location += "?" + query }
        let response = Response(status: .movedPermanently)
        response.headers.replaceOrAdd(name: .location, value: location)
        return response
    }

    /// A JSON response from a ``JSONValue``.
    public static func json(_ body: JSONValue, status: HTTPResponseStatus = .ok) -> Response {
        Response(
            status: status, headers: ["Content-Type": "application/json"],
            body: .init(data: Data(body.serialized())))
    }
}
