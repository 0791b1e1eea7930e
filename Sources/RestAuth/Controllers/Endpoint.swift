import Vapor

/// One dj-rest-auth view: a path, who may call it, and a handler per method. Every other
/// method answers 405 after authentication and permission, as DRF's dispatch does, and
/// every response carries DRF's `Allow` header.
struct Endpoint: Sendable {
    enum Permission: Sendable {
        case allowAny
        case isAuthenticated
    }

    typealias Handler = @Sendable (Request) async throws -> Response

    let path: [PathComponent]
    let name: String
    let permission: Permission
    let handlers: [(method: HTTPMethod, handler: Handler)]

    init(
        _ path: [PathComponent], name: String, permission: Permission,
        handlers: [(method: HTTPMethod, handler: Handler)]
    ) {
        self.path = path
        self.name = name
        self.permission = permission
        self.handlers = handlers
    }

    static let dispatchedMethods: [HTTPMethod] = [.GET, .POST, .PUT, .PATCH, .DELETE, .OPTIONS]

    func handler(for method: HTTPMethod) -> Handler? {
        handlers.first(where: { $0.method == method })?.handler
    }

    /// DRF's `allowed_methods`, in its order.
    var allowedMethods: [HTTPMethod] {
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
            routes.on(method, path, body: .collect(maxSize: ByteCount(value: state.configuration.maxBodySize))) {
                request async throws -> Response in
                var response: Response
                do {
                    response = try await endpoint.dispatch(request, state: state)
                } catch {
                    response = APIErrorMiddleware.response(for: error, request: request)
                }
                response.headers.replaceOrAdd(name: .allow, value: allow)
                return response
            }
        }
    }

    private func dispatch(_ request: Request, state: RestAuthState) async throws -> Response {
        // Vapor collects a body that arrives in one read without looking at the limit.
        if let body = request.body.data, body.readableBytes > state.configuration.maxBodySize {
            throw APIError.payloadTooLarge(limit: state.configuration.maxBodySize)
        }
        if case .isAuthenticated = permission, request.auth.get(AuthUser.self) == nil {
            throw state.notAuthenticated()
        }
        let method = request.method == .HEAD ? HTTPMethod.GET : request.method
        if let handler = handler(for: method) { return try await handler(request) }
        if method == .OPTIONS { return metadata() }
        throw APIError.methodNotAllowed(request.method, allowed: allowedMethods)
    }

    /// DRF's `SimpleMetadata` answer to OPTIONS.
    private func metadata() -> Response {
        let body: JSONValue = [
            "name": .string(name),
            "description": "",
            "renders": ["application/json"],
            "parses": ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
        ]
        return Response.json(body)
    }
}

extension Response {
    /// A JSON response from a ``JSONValue``.
    static func json(_ body: JSONValue, status: HTTPResponseStatus = .ok) -> Response {
        Response(
            status: status, headers: ["Content-Type": "application/json"],
            body: .init(data: Data(body.serialized())))
    }
}
