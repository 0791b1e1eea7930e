import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RestAuth

/// The OAuth 2 exchanges every provider shares, over async-http-client.
public enum OAuth2 {
    /// The largest answer read from a provider.
    static let maximumBody = 1 << 20

    /// RFC 6749 §4.1.3: `grant_type=authorization_code` at the token endpoint, with the
    /// app's credentials in the body (or as HTTP basic authentication).
    public static func exchange(
        code: String, tokenURL: String, context: SocialContext, basicAuth: Bool = false, extra: [(String, String)] = [],
        clientSecret: String? = nil
    ) async throws -> SocialTokens {
        guard let callback = context.app.callbackURL else {
            throw SocialLoginError("Define callback_url in view")
        }
        var form: [(String, String)] = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", callback),
        ]
        let secret = clientSecret ?? context.app.secret
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if basicAuth {
            let credentials = Data("\(context.app.clientID):\(secret)".utf8).base64EncodedString()
            headers.add(name: "Authorization", value: "Basic \(credentials)")
        } else {
            form += [("client_id", context.app.clientID), ("client_secret", secret)]
        }
        form += extra
        let answer = try await postForm(tokenURL, form: form, headers: headers, context: context)
        return try tokens(from: answer, now: context.now)
    }

    /// The tokens of a token endpoint's JSON answer.
    public static func tokens(from answer: JSONObject, now: Date) throws -> SocialTokens {
        guard let access = answer["access_token"]?.stringValue, !access.isEmpty else {
            throw SocialLoginError("the token endpoint returned no access_token")
        }
        var expiresAt: Date?
        if let seconds = number(answer["expires_in"]) { expiresAt = now.addingTimeInterval(seconds) }
        return SocialTokens(
            accessToken: access, refreshToken: answer["refresh_token"]?.stringValue,
            idToken: answer["id_token"]?.stringValue,
            expiresAt: expiresAt, issuedToThisApp: true)
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let n)?: Double(n)
        case .double(let n)?: n
        case .string(let s)?: Double(s)
        default: nil
        }
    }

    /// A JSON value as a string: providers send ids as numbers or strings.
    public static func string(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): s
        case .int(let n): String(n)
        case .double(let n): String(Int(n))
        default: nil
        }
    }

    /// GET a JSON object, with a bearer token.
    public static func getJSON(
        _ url: String, bearer: String? = nil, headers extra: HTTPHeaders = [:], context: SocialContext
    ) async throws -> JSONObject {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "swift-rest-auth")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        request.headers.add(contentsOf: extra)
        return try object(try await send(request, context: context))
    }

    /// GET a JSON value (an array, for GitHub's e-mails). With `notFound`, a 404 answers
    /// that value instead of failing (GitHub answers 404 when the token may not read them).
    public static func getJSONValue(
        _ url: String, bearer: String? = nil, notFound: JSONValue? = nil, context: SocialContext
    ) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "swift-rest-auth")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        return try await send(request, notFound: notFound, context: context)
    }

    /// POST a form, read a JSON object.
    public static func postForm(
        _ url: String, form: [(String, String)], headers: HTTPHeaders = [:], context: SocialContext
    ) async throws -> JSONObject {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(contentsOf: headers)
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.replaceOrAdd(name: "User-Agent", value: "swift-rest-auth")
        request.body = .bytes(ByteBuffer(string: formEncode(form)))
        return try object(try await send(request, context: context))
    }

    /// POST a JSON body, read a JSON object.
    public static func postJSON(
        _ url: String, body: JSONValue, headers: HTTPHeaders = [:], context: SocialContext
    ) async throws -> JSONObject {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(contentsOf: headers)
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.headers.replaceOrAdd(name: "User-Agent", value: "swift-rest-auth")
        request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        return try object(try await send(request, context: context))
    }

    public static func formEncode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(percentEncode($0))=\(percentEncode($1))" }.joined(separator: "&")
    }

    /// RFC 3986 unreserved characters pass; everything else is %XX (also what OAuth 1.0a needs).
    public static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Sends a request with the context's timeout; a non-2xx answer or a body that is not
    /// JSON is a ``SocialLoginError``.
    static func send(_ request: HTTPClientRequest, notFound: JSONValue? = nil, context: SocialContext) async throws
        -> JSONValue
    {
        let response: HTTPClientResponse
        do {
            response = try await context.http.execute(request, timeout: context.timeout)
        } catch {
            throw SocialLoginError("the provider could not be reached: \(error)")
        }
        let body = try await response.body.collect(upTo: maximumBody)
        if response.status == .notFound, let notFound { return notFound }
        guard (200..<300).contains(Int(response.status.code)) else {
            throw SocialLoginError("the provider answered \(response.status.code)")
        }
        do {
            return try JSONValue.parse(Array(body.readableBytesView))
        } catch {
            throw SocialLoginError("the provider's answer is not JSON")
        }
    }

    static func object(_ value: JSONValue) throws -> JSONObject {
        guard case .object(let object) = value else {
            throw SocialLoginError("the provider's answer is not a JSON object")
        }
        return object
    }
}
