import Crypto
import Foundation
import JWTKit
import Vapor

/// HS256, HS384 and HS512 with swift-crypto's HMAC.
struct HMACAlgorithm: JWTKit.JWTAlgorithm {
    let algorithm: JWTAlgorithm
    let key: SymmetricKey
    /// Earlier keys (`SECRET_KEY_FALLBACKS`) that still verify, never sign.
    let fallbacks: [SymmetricKey]

    init(algorithm: JWTAlgorithm, key: String, fallbacks: [String] = []) {
        self.algorithm = algorithm
        self.key = SymmetricKey(data: Array(key.utf8))
        self.fallbacks = fallbacks.map { SymmetricKey(data: Array($0.utf8)) }
    }

    var name: String { algorithm.rawValue }

    /// The key length RFC 7518 asks for (the digest's); shorter keys work, with a warning at start-up.
    var recommendedKeyBytes: Int {
        switch algorithm {
        case .hs384: 48
        case .hs512: 64
        default: 32
        }
    }

    func sign(_ plaintext: some DataProtocol) throws -> [UInt8] {
        switch algorithm {
        case .hs384: Array(HMAC<SHA384>.authenticationCode(for: plaintext, using: key))
        case .hs512: Array(HMAC<SHA512>.authenticationCode(for: plaintext, using: key))
        default: Array(HMAC<SHA256>.authenticationCode(for: plaintext, using: key))
        }
    }

    func verify(_ signature: some DataProtocol, signs plaintext: some DataProtocol) throws -> Bool {
        let signature = Array(signature)
        let plaintext = Array(plaintext)
        for key in [key] + fallbacks where Self.verify(signature, plaintext, key: key, algorithm: algorithm) {
            return true
        }
        return false
    }

    private static func verify(_ signature: [UInt8], _ plaintext: [UInt8], key: SymmetricKey, algorithm: JWTAlgorithm)
        -> Bool
    {
        switch algorithm {
        case .hs384: return HMAC<SHA384>.isValidAuthenticationCode(signature, authenticating: plaintext, using: key)
        case .hs512: return HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: plaintext, using: key)
        default: return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: plaintext, using: key)
        }
    }
}

/// Writes and reads compact JWTs (`header.payload.signature`) as PyJWT does for
/// simplejwt: header `{"alg": ..., "typ": "JWT"}`, the claims as a JSON object. The keys
/// and signatures are jwt-kit's; reading and writing the token is done here, on the
/// calling thread, so checking a token costs no task or actor hop (unless its key must
/// first be fetched from `JWK_URL`).
struct JWTCodec: Sendable {
    let algorithm: JWTAlgorithm
    /// Signs new tokens (from `SIGNING_KEY`).
    let signer: any JWTKit.JWTAlgorithm
    /// Checks tokens (from `VERIFYING_KEY`; the signing key for HMAC, and with `JWK_URL`
    /// when `VERIFYING_KEY` is unset). With `JWK_URL`, only tokens that name no `kid`.
    let verifier: any JWTKit.JWTAlgorithm
    /// With `JWK_URL`: the keys that check tokens whose header names a `kid`.
    let jwks: JWKSKeys?

    /// Loads the keys the settings name; a key that does not fit the algorithm is a
    /// ``ConfigurationError`` naming its setting. `application` fetches `JWK_URL`'s keys.
    static func make(_ configuration: RestAuthConfiguration, application: Application? = nil) async throws
        -> JWTCodec
    {
        let algorithm = configuration.jwtAlgorithm
        let signingKey = configuration.jwtSigningKey ?? configuration.secretKey
        if algorithm.isSymmetric {
            // HMAC is done here rather than by jwt-kit, whose debug builds trap on keys
            // shorter than the digest; Django's 50-character SECRET_KEY is shorter than
            // HS512's 64 bytes, and PyJWT accepts it with a warning, as this does.
            // Tokens signed with SECRET_KEY outlive its rotation (simplejwt's die with it):
            // with no SIGNING_KEY of its own, the fallbacks verify until the tokens expire.
            let hmac = HMACAlgorithm(
                algorithm: algorithm, key: signingKey,
                fallbacks: configuration.jwtSigningKey == nil ? configuration.secretKeyFallbacks : [])
            // simplejwt verifies HMAC tokens with the signing key; VERIFYING_KEY and
            // JWK_URL are for the public-key algorithms only.
            return JWTCodec(algorithm: algorithm, signer: hmac, verifier: hmac, jwks: nil)
        }
        let signer = try await JWTKeys.signer(algorithm, pem: signingKey)
        // With JWK_URL and no VERIFYING_KEY, the tokens signed here (which name no kid)
        // are checked with the signing key's public half; simplejwt refuses them.
        var verifier = signer
        if let verifyingKey = configuration.jwtVerifyingKey {
            verifier = try await JWTKeys.verifier(algorithm, pem: verifyingKey)
        }
        var jwks: JWKSKeys?
        if let url = configuration.jwtJWKURL {
            jwks =
                if let application {
                    JWKSKeys(url: url, algorithm: algorithm, application: application)
                } else {
                    JWKSKeys(url: url, algorithm: algorithm, logger: Logger(label: "RestAuth.JWKS")) {
                        throw JWKSKeys.JWKSError("no HTTP client")
                    }
                }
        }
        return JWTCodec(algorithm: algorithm, signer: signer, verifier: verifier, jwks: jwks)
    }

    /// The encoded header of every token this codec writes.
    let headerSegment: Substring

    init(
        algorithm: JWTAlgorithm, signer: any JWTKit.JWTAlgorithm, verifier: any JWTKit.JWTAlgorithm,
        jwks: JWKSKeys? = nil
    ) {
        self.algorithm = algorithm
        self.signer = signer
        self.verifier = verifier
        self.jwks = jwks
        self.headerSegment = Substring(
            DjangoSigner.b64Encode(Array(#"{"alg":"\#(algorithm.rawValue)","typ":"JWT"}"#.utf8)))
    }

    /// Whether the verifying key is the signing key's public half: a token signed here
    /// verifies here. Asked once at start-up.
    var verifiesOwnTokens: Bool {
        guard let signature = try? signer.sign(Array("restauth".utf8)) else { return false }
        return (try? verifier.verify(signature, signs: Array("restauth".utf8))) == true
    }

    func encode(_ claims: JSONObject) throws -> String {
        let input = headerSegment + "." + DjangoSigner.b64Encode(JSONValue.object(claims).serialized())
        let signature = try signer.sign(Array(input.utf8))
        return input + "." + DjangoSigner.b64Encode(signature)
    }

    /// What a token's signature check came to without waiting for a key.
    enum Decoded {
        case valid(JSONObject)
        case invalid
        /// The header names a `kid` whose key must first be fetched from `JWK_URL`.
        case needsKey(CompactJWT, kid: String)
    }

    /// The claims of a token whose header names the configured algorithm and whose
    /// signature is right, if its key is at hand; `.invalid` for anything else (another
    /// algorithm, `none`, a forged or malformed token). Expiry and the other claims are the
    /// caller's to check.
    ///
    /// With `JWK_URL`, a token whose header names a `kid` is checked with that key of the
    /// set (PyJWKClient's rule); one that names none, as this package's own tokens, with
    /// ``verifier``. Without `JWK_URL`, `kid` is not read.
    func decodeCached(_ token: String) -> Decoded {
        guard let token = CompactJWT(token) else { return .invalid }
        // Our own header needs no parsing; any other must name the configured algorithm.
        if token.headerSegment != headerSegment {
            guard let header = token.header, header["alg"] == .string(algorithm.rawValue) else { return .invalid }
            if let jwks {
                switch header["kid"] {
                case nil, .null?: break
                case .string(let kid)?:
                    switch jwks.cached(kid) {
                    case .key(let key): return Self.check(token, with: key)
                    case .missing: return .invalid
                    case .fetch: return .needsKey(token, kid: kid)
                    }
                default: return .invalid
                }
            }
        }
        return Self.check(token, with: verifier)
    }

    /// ``decodeCached(_:)``, fetching `JWK_URL`'s keys when the token needs them.
    func decode(_ token: String) async -> JSONObject? {
        switch decodeCached(token) {
        case .valid(let claims): return claims
        case .invalid: return nil
        case .needsKey(let token, let kid):
            guard let key = await jwks?.key(kid), case .valid(let claims) = Self.check(token, with: key) else {
                return nil
            }
            return claims
        }
    }

    private static func check(_ token: CompactJWT, with key: any JWTKit.JWTAlgorithm) -> Decoded {
        guard (try? key.verify(token.signature, signs: token.signingInput)) == true, let claims = token.claims else {
            return .invalid
        }
        return .valid(claims)
    }
}
