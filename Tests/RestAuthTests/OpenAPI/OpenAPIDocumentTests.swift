import Foundation
import Testing
import Vapor
import VaporTesting

@testable import RestAuth

/// The operations the app really serves under the prefix, found by asking: every path in
/// the route table (catch-alls aside), every method, as a signed-in user; a method that
/// is not an operation answers 405. Logout goes last, as it ends the credential.
private func servedOperations(_ app: Application, client: TestClient, prefix: String = "dj-rest-auth") async throws
    -> Set<String>
{
    var paths = Set<[PathComponent]>()
    // The confirmation link's two placeholder routes are plain Django views that answer HTML
    // (and CSRF's 403 before their 405): not API operations, and not in the document.
    let placeholders: Set<String> = ["account-confirm-email", "account-email-verification-sent"]
    for route in app.routes.all
    where route.path.first?.description == prefix && !route.path.contains(where: { $0 == .catchall })
        && !route.path.contains(where: { placeholders.contains($0.description) })
    {
        paths.insert(route.path)
    }
    let user = try await client.register()
    let login = try await TestClient(app: app).post(
        "login/", ["username": .string(user.username), "password": .string(password)])
    if let key = login.string("key") { client.authorization = "Token \(key)" }
    if let access = login.string("access") { client.authorization = "Bearer \(access)" }
    var operations = Set<String>()
    for path in paths.sorted(by: { ($0.last == "logout" ? 1 : 0, "\($0)") < ($1.last == "logout" ? 1 : 0, "\($1)") }) {
        let documented = path.map { component -> String in
            if case .parameter(let name) = component { return "{\(name)}" }
            return component.description
        }.joined(separator: "/")
        let concrete = path.map { component -> String in
            if case .parameter = component { return "1" }
            return component.description
        }.joined(separator: "/")
        for method in [HTTPMethod.GET, .PUT, .PATCH, .DELETE, .POST] {
            let reply = try await client.request(
                method, "/\(concrete)/", method == .GET || method == .DELETE ? .none : .json([:]))
            // (simplejwt's token views, and JWT logout, answer 401 to a body without a token.)
            if !concrete.contains("/token/") && !concrete.hasSuffix("/logout") {
                #expect(reply.status != .unauthorized, "\(method) /\(concrete)/ was not authenticated")
            }
            if reply.status != .methodNotAllowed { operations.insert("\(method.rawValue) /\(documented)/") }
        }
    }
    return operations
}

private func documentedOperations(_ document: JSONValue) -> Set<String> {
    guard case .object(let root) = document, case .object(let paths)? = root["paths"] else { return [] }
    var operations = Set<String>()
    for (path, item) in paths.pairs {
        guard case .object(let methods) = item else { continue }
        for (method, _) in methods.pairs { operations.insert("\(method.uppercased()) \(path)") }
    }
    return operations
}

private func value(_ document: JSONValue, _ keys: String...) -> JSONValue? {
    var current: JSONValue? = document
    for key in keys {
        guard case .object(let object)? = current else { return nil }
        current = object[key]
    }
    return current
}

@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("Token mode: exactly the served operations, token and session credentials, login's token body")
    func tokenMode() async throws {
        try await withRestAuthApp { app, client in
            let document = app.restAuth.openAPIDocument()
            #expect(value(document, "openapi") == "3.1.0")
            let documented = documentedOperations(document)
            let served = try await servedOperations(app, client: client)
            #expect(documented == served)
            #expect(
                documented.contains("POST /dj-rest-auth/login/") && documented.contains("PATCH /dj-rest-auth/user/"))
            #expect(!documented.contains { $0.contains("token/refresh") })
            #expect(
                value(
                    document, "paths", "/dj-rest-auth/login/", "post", "responses", "200", "content",
                    "application/json", "schema")
                    == ["$ref": "#/components/schemas/Token"])
            #expect(value(document, "components", "securitySchemes", "tokenAuth") != nil)
            #expect(value(document, "components", "securitySchemes", "sessionCookie") != nil)
            #expect(value(document, "components", "securitySchemes", "jwtBearer") == nil)
            #expect(value(document, "paths", "/dj-rest-auth/user/", "get", "security") != nil)
            #expect(value(document, "paths", "/dj-rest-auth/login/", "post", "security") == nil)
            // The request body comes from the serializer's own fields.
            let change = value(
                document, "paths", "/dj-rest-auth/password/change/", "post", "requestBody", "content",
                "application/x-www-form-urlencoded", "schema", "required")
            #expect(change == ["new_password1", "new_password2"])
        }
    }

    @Test("Errors by status: 400 for bodies, 401 and 403 for signed-in routes, 429 with Retry-After where limits count")
    func errorResponses() async throws {
        try await withRestAuthApp({ $0.rateLimits = RestAuthConfiguration.defaultRateLimits }) { app, _ in
            let document = app.restAuth.openAPIDocument()
            let login = value(document, "paths", "/dj-rest-auth/login/", "post", "responses")
            #expect(
                value(login!, "400", "content", "application/json", "schema") == ["$ref": "#/components/schemas/Error"])
            #expect(value(login!, "429", "headers", "Retry-After", "schema") == ["type": "integer"])
            #expect(value(login!, "401") == nil)
            let me = value(document, "paths", "/dj-rest-auth/user/", "get", "responses")
            #expect(value(me!, "401", "headers", "WWW-Authenticate") != nil && value(me!, "403") != nil)
            #expect(value(me!, "429") == nil && value(me!, "400") == nil)
            for path in ["registration/", "password/reset/", "password/reset/confirm/", "password/change/"] {
                #expect(value(document, "paths", "/dj-rest-auth/\(path)", "post", "responses", "429") != nil, "\(path)")
            }
        }
        // Without limits, no 429 is promised.
        try await withRestAuthApp({ $0.rateLimits = nil }) { app, _ in
            let document = app.restAuth.openAPIDocument()
            #expect(value(document, "paths", "/dj-rest-auth/login/", "post", "responses", "429") == nil)
        }
    }

    @Test("An API mounted inside the app's own group: the document takes the full prefix")
    func groupedMount() async throws {
        try await withApp(configure: { app in
            try await configureTestDatabase(app)
            try await app.restAuth.configure(testConfiguration { _ in })
            try await app.autoMigrate()
            try app.restAuth.mount(on: app.grouped("api"), at: ["auth"])
        }) { app in
            let document = app.restAuth.openAPIDocument(prefix: "/api/auth")
            let documented = documentedOperations(document)
            #expect(documented.contains("POST /api/auth/login/") && documented.contains("GET /api/auth/user/"))
            #expect(!documented.contains { $0.contains(" /auth/") })
            let client = TestClient(app: app, prefix: "/api/auth/")
            let reply = try await client.post("login/", ["username": "nobody", "password": "x"])
            #expect(reply.status == .badRequest)
            try await dropTestSchema(app)
        }
    }

    @Test("JWT mode: the token routes appear, Bearer and cookie credentials, the JWT body")
    func jwtMode() async throws {
        try await withRestAuthApp(jwtProfile) { app, client in
            let document = app.restAuth.openAPIDocument()
            let documented = documentedOperations(document)
            let served = try await servedOperations(app, client: client)
            #expect(documented == served)
            #expect(documented.contains("POST /dj-rest-auth/token/refresh/"))
            #expect(documented.contains("POST /dj-rest-auth/token/verify/"))
            #expect(value(document, "components", "securitySchemes", "jwtBearer") != nil)
            #expect(value(document, "components", "securitySchemes", "jwtCookie", "name") == "jwt-auth")
            #expect(value(document, "components", "securitySchemes", "tokenAuth") == nil)
            #expect(
                value(document, "components", "schemas", "JWT", "required")
                    == ["access", "refresh", "user", "access_expiration", "refresh_expiration"])
        }
    }

    @Test("Settings change bodies: mandatory verification, e-mail-only login, the old password")
    func settings() async throws {
        try await withRestAuthApp({
            $0.emailVerification = .mandatory
            $0.loginMethods = [.email]
            $0.oldPasswordFieldEnabled = true
        }) { app, _ in
            let document = app.restAuth.openAPIDocument()
            #expect(
                value(
                    document, "paths", "/dj-rest-auth/registration/", "post", "responses", "201", "content",
                    "application/json", "schema")
                    == ["$ref": "#/components/schemas/Detail"])
            let login = value(
                document, "paths", "/dj-rest-auth/login/", "post", "requestBody", "content", "application/json",
                "schema",
                "properties")
            #expect(value(login ?? .null, "email") != nil && value(login ?? .null, "username") == nil)
            let change = value(
                document, "paths", "/dj-rest-auth/password/change/", "post", "requestBody", "content",
                "application/json", "schema", "required")
            #expect(change == ["old_password", "new_password1", "new_password2"])
        }
    }

    @Test("Operation ids and paths: parameters in braces, one id per operation")
    func naming() {
        #expect(OpenAPIDocument.path(["socialaccounts", ":pk", "disconnect"]).0 == "socialaccounts/{pk}/disconnect/")
        #expect(OpenAPIDocument.path(["socialaccounts", ":pk", "disconnect"]).1 == ["pk"])
        #expect(OpenAPIDocument.operationID("Password Reset Confirm", method: .POST) == "postPasswordResetConfirm")
    }
}
