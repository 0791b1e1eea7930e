import AsyncHTTPClient
import Foundation
import JWTKit
import RestAuth

/// An id_token's claims, whatever they are; jwt-kit checks the signature and `exp`.
struct IDTokenClaims: JWTPayload {
    let claims: JSONObject

    init(from decoder: any Decoder) throws {
        guard case .object(let object) = try JSONValue(from: decoder) else {
            throw SocialLoginError("the id_token's claims are not an object")
        }
        claims = object
    }

    func encode(to encoder: any Encoder) throws {
        try JSONValue.object(claims).encode(to: encoder)
    }

    func verify(using algorithm: some JWTKit.JWTAlgorithm) async throws {
        guard let exp = OAuth2.number(claims["exp"]) else { throw SocialLoginError("the id_token has no exp") }
        guard exp > Date().timeIntervalSince1970 else { throw SocialLoginError("the id_token has expired") }
    }
}

/// Providers' signing keys (JWKS), fetched once and kept for an hour; fetched again when a
/// token names a key the cache has not seen (keys rotate), but not more than once a minute
/// per provider, so tokens with made-up key ids cannot make the server flood the provider.
actor JWKSCache {
    private struct Entry {
        var keys: JWTKeyCollection
        var kids: Set<String>
        var fetched: Date
    }
    private var entries: [String: Entry] = [:]
    /// When a token last made the cache fetch keys again, per URL.
    private var forced: [String: Date] = [:]
    private var documents: [String: (document: JSONObject, fetched: Date)] = [:]
    /// The shortest time between two fetches a token forced.
    static let refreshInterval: TimeInterval = 60

    /// A JSON document (an OpenID discovery document), kept for an hour.
    func document(_ url: String, context: SocialContext) async throws -> JSONObject {
        if let entry = documents[url], Date().timeIntervalSince(entry.fetched) < 3600 { return entry.document }
        let document = try await OAuth2.getJSON(url, context: context)
        documents[url] = (document, Date())
        return document
    }

    /// The keys at `url`: cached for an hour.
    func keys(_ url: String, context: SocialContext) async throws -> JWTKeyCollection {
        if let entry = entries[url], Date().timeIntervalSince(entry.fetched) < 3600 { return entry.keys }
        return try await fetch(url, context: context)
    }

    /// Fresh keys, when a token failed with the cached ones and fetching again may help: it
    /// names a key id the cache does not hold (or none), and no token forced a fetch in the
    /// last ``refreshInterval``. Nil when it would not help.
    func refreshedKeys(_ url: String, forKeyID kid: String?, context: SocialContext) async throws
        -> JWTKeyCollection?
    {
        if let kid, let entry = entries[url], entry.kids.contains(kid) { return nil }
        if let last = forced[url], Date().timeIntervalSince(last) < Self.refreshInterval { return nil }
        forced[url] = Date()
        return try await fetch(url, context: context)
    }

    private func fetch(_ url: String, context: SocialContext) async throws -> JWTKeyCollection {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await context.http.execute(request, timeout: context.timeout)
        guard response.status == .ok else { throw SocialLoginError("the provider's keys could not be fetched") }
        let body = try await response.body.collect(upTo: OAuth2.maximumBody)
        let collection = JWTKeyCollection()
        let kids: Set<String>
        do {
            // Decoded once: the keys for the collection, their ids for the refetch rule.
            let jwks = try JSONDecoder().decode(JWKS.self, from: Data(body.readableBytesView))
            try await collection.add(jwks: jwks)
            kids = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
        } catch {
            throw SocialLoginError("the provider's keys are not a JWKS document")
        }
        entries[url] = Entry(keys: collection, kids: kids, fetched: Date())
        return collection
    }

    /// Moves the cache's memory of `url` back in time (tests pass the refresh interval).
    func age(_ url: String, by seconds: TimeInterval) {
        entries[url]?.fetched.addTimeInterval(-seconds)
        forced[url]?.addTimeInterval(-seconds)
    }
}

/// Checks an OpenID Connect id_token: the signature against the provider's JWKS (never
/// `alg: none` or a shared secret), `exp`, the issuer, and the audience (the client id,
/// or one of the app's ``SocialAppCredentials/audiences``).
public enum IDTokenVerifier {
    public static func verify(
        _ token: String, jwksURL: String, issuers: [String], audiences accepted: [String], context: SocialContext
    ) async throws -> JSONObject {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = base64URL(parts[0]),
            case .object(let fields)? = try? JSONValue.parse(header),
            let alg = fields["alg"]?.stringValue,
            alg.hasPrefix("RS") || alg.hasPrefix("ES") || alg.hasPrefix("PS") || alg == "EdDSA"
        else {
            throw SocialLoginError("the id_token is not signed with a public-key algorithm")
        }
        let payload: IDTokenClaims
        do {
            payload = try await context.keys.keys(jwksURL, context: context).verify(token, as: IDTokenClaims.self)
        } catch let error as SocialLoginError {
            throw error
        } catch {
            // The key may have rotated since the cache was filled: one more try with fresh keys.
            guard
                let fresh = try await context.keys.refreshedKeys(
                    jwksURL, forKeyID: fields["kid"]?.stringValue, context: context)
            else {
                throw SocialLoginError("the id_token's signature is not the provider's")
            }
            do {
                payload = try await fresh.verify(token, as: IDTokenClaims.self)
            } catch let error as SocialLoginError {
                throw error
            } catch {
                throw SocialLoginError("the id_token's signature is not the provider's")
            }
        }
        let claims = payload.claims
        guard let issuer = claims["iss"]?.stringValue, issuers.contains(issuer) else {
            throw SocialLoginError("the id_token was issued by someone else")
        }
        let audiences: [String]
        switch claims["aud"] {
        case .string(let value)?: audiences = [value]
        case .array(let values)?: audiences = values.compactMap(\.stringValue)
        default: audiences = []
        }
        guard audiences.contains(where: accepted.contains) else {
            throw SocialLoginError("the id_token is for another application")
        }
        guard claims["sub"]?.stringValue?.isEmpty == false else {
            throw SocialLoginError("the id_token names no subject")
        }
        return claims
    }

    static func base64URL(_ text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }

    /// `email_verified` as providers write it: a boolean, or Apple's `"true"`.
    public static func isTrue(_ value: JSONValue?) -> Bool {
        switch value {
        case .bool(true)?: true
        case .string(let text)?: text.lowercased() == "true"
        default: false
        }
    }
}
