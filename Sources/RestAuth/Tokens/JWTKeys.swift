import Crypto
import Foundation
import JWTKit
import _CryptoExtras

/// The keys of the asymmetric algorithms, from PEM (`SIGNING_KEY`, `VERIFYING_KEY`) or from
/// a JWK (`JWK_URL`), as jwt-kit signers. A key that does not fit the algorithm (another
/// type, another curve, an RSA key under 2048 bits) is refused with what it is instead.
enum JWTKeys {
    /// The private key in `pem`, for signing (and verifying) with `algorithm`.
    static func signer(_ algorithm: JWTAlgorithm, pem: String) async throws(ConfigurationError)
        -> any JWTKit.JWTAlgorithm
    {
        let collection = JWTKeyCollection()
        do {
            switch algorithm.family {
            case .hmac:
                preconditionFailure("HMAC keys are not PEM")
            case .rsa:
                await collection.add(rsa: try Insecure.RSA.PrivateKey(pem: pem), digestAlgorithm: digest(algorithm))
            case .rsaPSS:
                await collection.add(pss: try Insecure.RSA.PrivateKey(pem: pem), digestAlgorithm: digest(algorithm))
            case .ecdsa:
                switch algorithm.curve {
                case "P-256": await collection.add(ecdsa: try ES256PrivateKey(pem: pem))
                case "P-384": await collection.add(ecdsa: try ES384PrivateKey(pem: pem))
                default: await collection.add(ecdsa: try ES512PrivateKey(pem: pem))
                }
            case .eddsa:
                await collection.add(eddsa: try EdDSA.PrivateKey(pem: pem))
            }
            return try await collection.getKey()
        } catch {
            throw ConfigurationError(
                setting: "SIMPLE_JWT_SIGNING_KEY",
                message:
                    "\(algorithm.rawValue) signs with \(algorithm.keyRequirement), its private half in PEM form; this is \(describe(pem))"
            )
        }
    }

    /// The public key in `pem`, for verifying with `algorithm`.
    static func verifier(_ algorithm: JWTAlgorithm, pem: String) async throws(ConfigurationError)
        -> any JWTKit.JWTAlgorithm
    {
        let collection = JWTKeyCollection()
        do {
            switch algorithm.family {
            case .hmac:
                preconditionFailure("HMAC keys are not PEM")
            case .rsa:
                await collection.add(rsa: try Insecure.RSA.PublicKey(pem: pem), digestAlgorithm: digest(algorithm))
            case .rsaPSS:
                await collection.add(pss: try Insecure.RSA.PublicKey(pem: pem), digestAlgorithm: digest(algorithm))
            case .ecdsa:
                switch algorithm.curve {
                case "P-256": await collection.add(ecdsa: try ES256PublicKey(pem: pem))
                case "P-384": await collection.add(ecdsa: try ES384PublicKey(pem: pem))
                default: await collection.add(ecdsa: try ES512PublicKey(pem: pem))
                }
            case .eddsa:
                await collection.add(eddsa: try EdDSA.PublicKey(pem: pem))
            }
            return try await collection.getKey()
        } catch {
            throw ConfigurationError(
                setting: "SIMPLE_JWT_VERIFYING_KEY",
                message:
                    "\(algorithm.rawValue) verifies with \(algorithm.keyRequirement), its public half in PEM form; this is \(describe(pem))"
            )
        }
    }

    /// A verifier for the public key a JWK describes, when it is a signing key that fits
    /// `algorithm` (its `kty`, its `crv`, its `alg` if it names one, `use` absent or `sig`,
    /// RSA of at least 2048 bits); nil for any other key of the set.
    static func verifier(_ algorithm: JWTAlgorithm, jwk: JSONObject) async -> (any JWTKit.JWTAlgorithm)? {
        if let use = jwk["use"], use != .string("sig") { return nil }
        if let alg = jwk["alg"], alg != .string(algorithm.rawValue) { return nil }
        let kty = jwk["kty"]?.stringValue
        let collection = JWTKeyCollection()
        do {
            switch algorithm.family {
            case .hmac:
                return nil
            case .rsa, .rsaPSS:
                guard kty == "RSA", let n = jwk["n"]?.stringValue, let e = jwk["e"]?.stringValue else { return nil }
                let key = try Insecure.RSA.PublicKey(modulus: n, exponent: e)
                if algorithm.family == .rsa {
                    await collection.add(rsa: key, digestAlgorithm: digest(algorithm))
                } else {
                    await collection.add(pss: key, digestAlgorithm: digest(algorithm))
                }
            case .ecdsa:
                guard kty == "EC", jwk["crv"]?.stringValue == algorithm.curve,
                    let x = jwk["x"]?.stringValue, let y = jwk["y"]?.stringValue
                else { return nil }
                switch algorithm.curve {
                case "P-256": await collection.add(ecdsa: try ES256PublicKey(parameters: (x, y)))
                case "P-384": await collection.add(ecdsa: try ES384PublicKey(parameters: (x, y)))
                default: await collection.add(ecdsa: try ES512PublicKey(parameters: (x, y)))
                }
            case .eddsa:
                guard kty == "OKP", jwk["crv"]?.stringValue == "Ed25519", let x = jwk["x"]?.stringValue else {
                    return nil
                }
                await collection.add(eddsa: try EdDSA.PublicKey(x: x, curve: .ed25519))
            }
            return try await collection.getKey()
        } catch {
            return nil
        }
    }

    private static func digest(_ algorithm: JWTAlgorithm) -> DigestAlgorithm {
        switch algorithm.digestBits {
        case 384: .sha384
        case 512: .sha512
        default: .sha256
        }
    }

    /// What a PEM text holds, for the message that refuses it: "an EC P-256 private key",
    /// "a 1024-bit RSA public key", "not a key in PEM form".
    static func describe(_ pem: String) -> String {
        if let key = try? _RSA.Signing.PrivateKey(unsafePEMRepresentation: pem) {
            return "a \(key.keySizeInBits)-bit RSA private key"
        }
        if let key = try? _RSA.Signing.PublicKey(unsafePEMRepresentation: pem) {
            return "a \(key.keySizeInBits)-bit RSA public key"
        }
        if (try? P256.Signing.PrivateKey(pemRepresentation: pem)) != nil { return "an EC P-256 private key" }
        if (try? P256.Signing.PublicKey(pemRepresentation: pem)) != nil { return "an EC P-256 public key" }
        if (try? P384.Signing.PrivateKey(pemRepresentation: pem)) != nil { return "an EC P-384 private key" }
        if (try? P384.Signing.PublicKey(pemRepresentation: pem)) != nil { return "an EC P-384 public key" }
        if (try? P521.Signing.PrivateKey(pemRepresentation: pem)) != nil { return "an EC P-521 private key" }
        if (try? P521.Signing.PublicKey(pemRepresentation: pem)) != nil { return "an EC P-521 public key" }
        if (try? EdDSA.PrivateKey(pem: pem)) != nil { return "an Ed25519 private key" }
        if (try? EdDSA.PublicKey(pem: pem)) != nil { return "an Ed25519 public key" }
        if pem.contains("-----BEGIN ") {
            return
                "a PEM block that is none of RSA, EC P-256/P-384/P-521 or Ed25519 (an encrypted key, a certificate, another curve?)"
        }
        return "not a key in PEM form"
    }
}
