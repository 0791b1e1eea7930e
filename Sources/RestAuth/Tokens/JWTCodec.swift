import Crypto
import Foundation
import JWTKit

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
/// calling thread, so checking a token costs no task or actor hop.
struct JWTCodec: Sendable {
    let algorithm: JWTAlgorithm
    /// Signs new tokens (from `SIGNING_KEY`).
    let signer: any JWTKit.JWTAlgorithm
    /// Checks tokens (from `VERIFYING_KEY`, or the signing key for HMAC).
    let verifier: any JWTKit.JWTAlgorithm

    /// Loads the keys the settings name; a key that does not fit the algorithm is a
    /// ``ConfigurationError`` naming its setting.
    static func make(_ configuration: RestAuthConfiguration) async throws -> JWTCodec {
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
            // simplejwt verifies HMAC tokens with the signing key; VERIFYING_KEY is for
            // the public-key algorithms only.
            return JWTCodec(algorithm: algorithm, signer: hmac, verifier: hmac)
        }
        let signer = try await JWTKeys.signer(algorithm, pem: signingKey)
        let verifier = try await JWTKeys.verifier(algorithm, pem: configuration.jwtVerifyingKey ?? "")
        return JWTCodec(algorithm: algorithm, signer: signer, verifier: verifier)
    }

    /// The encoded header of every token this codec writes.
    let headerSegment: Substring

    init(algorithm: JWTAlgorithm, signer: any JWTKit.JWTAlgorithm, verifier: any JWTKit.JWTAlgorithm) {
        self.algorithm = algorithm
        self.signer = signer
        self.verifier = verifier
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

    /// The claims of a token whose header names the configured algorithm and whose
    /// signature is right; nil for anything else (another algorithm, `none`, a forged or
    /// malformed token). Expiry and the other claims are the caller's to check.
    func decode(_ token: String) -> JSONObject? {
        guard let token = CompactJWT(token) else { return nil }
        // Our own header needs no parsing; any other must name the configured algorithm.
        if token.headerSegment != headerSegment {
            guard token.header?["alg"] == .string(algorithm.rawValue) else { return nil }
        }
        guard (try? verifier.verify(token.signature, signs: token.signingInput)) == true else { return nil }
        return token.claims
    }
}
