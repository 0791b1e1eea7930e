import Foundation
import Vapor

/// The OpenAPI 3.1 document of the API as it is served: made from the mounted route table
/// (with the endpoints packages added), the configuration (which routes, which
/// credentials, which bodies) and the serializers in use.
struct OpenAPIDocument {
    let state: RestAuthState
    let endpoints: [RestAuthEndpoint]
    /// Where the API is mounted, with slashes on both sides (`/dj-rest-auth/`).
    let prefix: String

    func make(title: String, version: String) -> JSONValue {
        var paths = JSONObject()
        for endpoint in endpoints {
            let (path, parameters) = Self.path(endpoint.path)
            var item = JSONObject()
            // A method whose handler only refuses (logout's GET without ACCOUNT_LOGOUT_ON_GET)
            // has no operation beside ones that do: it is not listed.
            for (method, _) in endpoint.handlers
            where endpoint.operations.isEmpty || endpoint.operation(for: method) != nil {
                let operation =
                    endpoint.operation(for: method) ?? RestAuthOperation(summary: endpoint.name, response: nil)
                item[method.rawValue.lowercased()] = self.operation(
                    operation, endpoint: endpoint, method: method, parameters: parameters)
            }
            paths[prefix + path] = .object(item)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": .string(title), "version": .string(version),
                "description":
                    "dj-rest-auth's account API. Errors are Django REST framework's: {\"detail\": \"...\"} or {\"field\": [\"message\"]} with non_field_errors.",
            ],
            "paths": .object(paths),
            "components": ["schemas": .object(schemas), "securitySchemes": .object(securitySchemes)],
        ]
    }

    private func operation(
        _ operation: RestAuthOperation, endpoint: RestAuthEndpoint, method: HTTPMethod, parameters: [String]
    ) -> JSONValue {
        var object: JSONObject = [
            "summary": .string(operation.summary),
            "operationId": .string(Self.operationID(endpoint.name, method: method)),
        ]
        if !parameters.isEmpty {
            object["parameters"] = .array(
                parameters.map {
                    ["name": .string($0), "in": "path", "required": true, "schema": OpenAPISchema.string]
                })
        }
        if let request = operation.request {
            object["requestBody"] = [
                "required": true,
                "content": [
                    "application/json": ["schema": request],
                    "application/x-www-form-urlencoded": ["schema": request],
                ],
            ]
        }
        var success: JSONObject = ["description": .string(operation.summary)]
        if let response = operation.response {
            success["content"] = ["application/json": ["schema": response]]
        }
        func error(_ description: String, _ schema: String = "Error", headers: JSONObject? = nil) -> JSONValue {
            var response: JSONObject = [
                "description": .string(description),
                "content": ["application/json": ["schema": OpenAPISchema.ref(schema)]],
            ]
            if let headers { response["headers"] = .object(headers) }
            return .object(response)
        }
        var responses: JSONObject = [.init(stringLiteral: String(operation.status)): .object(success)]
        if operation.request != nil || operation.refusesByState {
            responses["400"] = error("Field errors, non_field_errors, or a body that is not JSON or a form")
        }
        if case .isAuthenticated = endpoint.permission {
            responses["401"] = error(
                "No valid credential (with WWW-Authenticate), or an invalid or revoked token", "Detail",
                headers: ["WWW-Authenticate": ["schema": OpenAPISchema.string]])
            responses["403"] = error("CSRF failed, for a session or JWT cookie without the CSRF header", "Detail")
        }
        let limits = state.configuration.rateLimits ?? [:]
        if operation.rateLimits.contains(where: { limits[$0] != nil }) {
            responses["429"] = error(
                "Request was throttled (django-allauth's rate limits)", "Detail",
                headers: [
                    "Retry-After": [
                        "description": "Seconds until the request would be accepted", "schema": OpenAPISchema.integer,
                    ]
                ])
        }
        if method != .GET || operation.request != nil {
            responses["413"] = error("The body is over DATA_UPLOAD_MAX_MEMORY_SIZE", "Detail")
            responses["415"] = error("A body that is neither JSON nor a form", "Detail")
        }
        responses["default"] = error("Any other error, in Django REST framework's shape")
        object["responses"] = .object(responses)
        if case .isAuthenticated = endpoint.permission {
            object["security"] = .array(requirements)
        }
        return .object(object)
    }

    /// `socialaccounts/:pk/disconnect` → `socialaccounts/{pk}/disconnect/` and its parameters.
    static func path(_ components: [PathComponent]) -> (String, [String]) {
        var parameters: [String] = []
        let text = components.map { component -> String in
            switch component {
            case .parameter(let name):
                parameters.append(name)
                return "{\(name)}"
            default: return component.description
            }
        }.joined(separator: "/")
        return (text + "/", parameters)
    }

    static func operationID(_ name: String, method: HTTPMethod) -> String {
        let words = name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.lowercased() }
        return method.rawValue.lowercased() + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    // MARK: Credentials

    private var securitySchemes: JSONObject {
        let c = state.configuration
        var schemes = JSONObject()
        if c.tokenModel && !c.useJWT {
            schemes["tokenAuth"] = [
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": "DRF's TokenAuthentication: `Token <key>`, the key login returns",
            ]
        }
        if c.useJWT {
            schemes["jwtBearer"] = ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]
            if let cookie = c.jwtAuthCookie {
                schemes["jwtCookie"] = [
                    "type": "apiKey", "in": "cookie", "name": .string(cookie),
                    "description": "The access token in its cookie (with CSRF when JWT_AUTH_COOKIE_USE_CSRF)",
                ]
            }
        }
        if c.sessionLogin {
            schemes["sessionCookie"] = [
                "type": "apiKey", "in": "cookie", "name": .string(c.sessionCookieName),
                "description": "Django's session; unsafe methods need the CSRF header",
            ]
        }
        if c.sessionLogin || (c.useJWT && c.jwtAuthCookieUseCSRF) {
            schemes["csrfHeader"] = [
                "type": "apiKey", "in": "header", "name": "X-CSRFToken",
                "description": "The csrftoken cookie's value, with a Referer or Origin of a trusted origin over HTTPS",
            ]
        }
        return schemes
    }

    private var requirements: [JSONValue] {
        let c = state.configuration
        var alternatives: [JSONValue] = []
        if c.tokenModel && !c.useJWT { alternatives.append(["tokenAuth": []]) }
        if c.useJWT {
            alternatives.append(["jwtBearer": []])
            if c.jwtAuthCookie != nil {
                alternatives.append(c.jwtAuthCookieUseCSRF ? ["jwtCookie": [], "csrfHeader": []] : ["jwtCookie": []])
            }
        }
        if c.sessionLogin { alternatives.append(["sessionCookie": [], "csrfHeader": []]) }
        return alternatives
    }

    // MARK: Bodies

    private var schemas: JSONObject {
        let c = state.configuration
        var schemas: JSONObject = [
            "Detail": OpenAPISchema.object(
                ["detail": OpenAPISchema.string, "code": OpenAPISchema.string], required: ["detail"]),
            "Error": [
                "description":
                    "{\"detail\": message} (with \"code\" and \"messages\" for JWT errors), or field errors: {\"field\": [messages]} with non_field_errors for the body as a whole",
                "anyOf": [
                    OpenAPISchema.ref("Detail"),
                    [
                        "type": "object",
                        "properties": ["non_field_errors": ["type": "array", "items": OpenAPISchema.string]],
                        "additionalProperties": [
                            "anyOf": [["type": "array", "items": OpenAPISchema.string], ["type": "object"]]
                        ],
                    ],
                ],
            ],
            "User": c.userDetailsSerializer.responseSchema(configuration: c),
            "Token": OpenAPISchema.object(["key": OpenAPISchema.string], required: ["key"]),
        ]
        var jwt: [String: JSONValue] = [
            "access": OpenAPISchema.string, "refresh": OpenAPISchema.string, "user": OpenAPISchema.ref("User"),
        ]
        var required = ["access", "refresh", "user"]
        if c.jwtAuthReturnExpiration {
            jwt["access_expiration"] = OpenAPISchema.dateTime
            jwt["refresh_expiration"] = OpenAPISchema.dateTime
            required += ["access_expiration", "refresh_expiration"]
        }
        schemas["JWT"] = OpenAPISchema.object(jwt, required: required)
        if c.mfa.enabled {
            schemas["MFARequired"] = OpenAPISchema.object(
                ["ephemeral_token": OpenAPISchema.string, "mfa_required": ["type": "boolean", "const": true]],
                required: ["ephemeral_token", "mfa_required"])
        }
        return schemas
    }
}

extension RestAuthState {
    var loginResponseSchema: JSONValue? { OpenAPISchema.loginResponse(configuration) }
    var loginStatus: Int { OpenAPISchema.loginStatus(configuration) }
    /// `login/`'s answer: with MFA on, the second step's challenge too.
    var firstLoginStepResponseSchema: JSONValue? { OpenAPISchema.firstLoginStepResponse(configuration) }
}
