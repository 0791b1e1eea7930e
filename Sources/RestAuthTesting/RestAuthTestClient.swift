import Foundation
import NIOHTTP1
import RestAuth
import Vapor
import VaporTesting

/// A small HTTP client over an application in tests, with a cookie jar like a browser's:
/// what an app's own tests of the account API need.
///
/// ```swift
/// let client = RestAuthTestClient(app: app)
/// let reply = try await client.post("login/", ["username": "ada", "password": "..."])
/// client.authorization = "Token \(reply.string("key")!)"
/// #expect(try await client.get("user/").status == .ok)
/// ```
public final class RestAuthTestClient: @unchecked Sendable {
    public let app: Application
    /// Where the API is mounted; paths without a leading `/` are relative to it.
    public var prefix: String
    /// The cookies the server set and has not deleted, sent with every request.
    public var cookies: [String: String] = [:]
    /// The `Authorization` header sent with every request.
    public var authorization: String?
    /// In memory (the default: no socket, no client address), or over a real socket on a
    /// port of the loopback interface (`.running(hostname: "127.0.0.1", port: 0)`).
    public var method: Application.Method

    public init(app: Application, prefix: String = "/dj-rest-auth/", method: Application.Method = .inMemory) {
        self.app = app
        self.prefix = prefix
        self.method = method
    }

    /// A response: status, headers, body, and the body as JSON.
    public struct Reply: Sendable {
        public let status: HTTPResponseStatus
        public let headers: HTTPHeaders
        public let body: String

        public var json: JSONValue? {
            try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))
        }

        /// The value of a top-level field of a JSON object body.
        public subscript(_ key: String) -> JSONValue? {
            guard case .object(let object)? = json else { return nil }
            return object[key]
        }

        public func string(_ key: String) -> String? {
            if case .string(let value)? = self[key] { return value }
            return nil
        }

        /// The cookies the response sets, by name (deleted ones as "").
        public func setCookies() -> [String: String] {
            var result: [String: String] = [:]
            for line in headers[.setCookie] {
                let pair = line.split(separator: ";", maxSplits: 1)[0]
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            return result
        }

        /// The whole `Set-Cookie` line of one cookie.
        public func setCookieLine(_ name: String) -> String? {
            headers[.setCookie].first { $0.hasPrefix(name + "=") }
        }
    }

    public enum Body: Sendable {
        case none
        case json(JSONValue)
        case raw(String, contentType: String?)
        case form([(String, String)])
    }

    @discardableResult
    public func request(_ method: HTTPMethod, _ path: String, _ body: Body = .none, headers extra: HTTPHeaders = [:])
        async throws -> Reply
    {
        var headers: HTTPHeaders = ["Host": "localhost"]
        var buffer = ByteBuffer()
        switch body {
        case .none: break
        case .json(let value):
            headers.contentType = .json
            buffer.writeBytes(value.serialized())
        case .raw(let text, let contentType):
            if let contentType { headers.replaceOrAdd(name: .contentType, value: contentType) }
            buffer.writeString(text)
        case .form(let pairs):
            headers.contentType = .urlEncodedForm
            let allowed = CharacterSet.alphanumerics
            buffer.writeString(
                pairs.map {
                    "\($0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
                }.joined(separator: "&"))
        }
        if let authorization { headers.replaceOrAdd(name: .authorization, value: authorization) }
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0)=\($1)" }.joined(separator: "; "))
        }
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        let url = path.hasPrefix("/") ? path : prefix + path
        let response = try await app.testing(method: self.method).performTest(
            request: TestingHTTPRequest(method: method, url: URI(path: url), headers: headers, body: buffer))
        let reply = Reply(status: response.status, headers: response.headers, body: response.body.string)
        for (name, value) in reply.setCookies() {
            if value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
        return reply
    }

    public func post(_ path: String, _ json: JSONValue = [:], headers: HTTPHeaders = [:]) async throws -> Reply {
        try await request(.POST, path, .json(json), headers: headers)
    }

    public func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> Reply {
        try await request(.GET, path, headers: headers)
    }
}
