/// simplejwt's `ALGORITHM` values that this package signs and verifies: every one PyJWT
/// offers simplejwt but `ES256K` (secp256k1, which swift-crypto lacks).
public enum JWTAlgorithm: String, Sendable, CaseIterable {
    case hs256 = "HS256"
    case hs384 = "HS384"
    case hs512 = "HS512"
    case rs256 = "RS256"
    case rs384 = "RS384"
    case rs512 = "RS512"
    case es256 = "ES256"
    case es384 = "ES384"
    case es512 = "ES512"
    /// PyJWT's other name for ES512 (P-521 with SHA-512); tokens say `ES521`.
    case es521 = "ES521"
    case ps256 = "PS256"
    case ps384 = "PS384"
    case ps512 = "PS512"
    /// Ed25519 (PyJWT's EdDSA also takes Ed448 keys; swift-crypto has no Ed448).
    case eddsa = "EdDSA"

    /// The kind of key an algorithm signs with.
    public enum Family: Sendable {
        /// A shared secret (`SIGNING_KEY` alone).
        case hmac
        /// An RSA key pair, PKCS #1 v1.5 signatures (RS).
        case rsa
        /// An RSA key pair, PSS signatures with a salt as long as the hash (PS).
        case rsaPSS
        /// An elliptic-curve key pair on ``curve`` (ES).
        case ecdsa
        /// An Ed25519 key pair.
        case eddsa
    }

    public var family: Family {
        switch self {
        case .hs256, .hs384, .hs512: .hmac
        case .rs256, .rs384, .rs512: .rsa
        case .ps256, .ps384, .ps512: .rsaPSS
        case .es256, .es384, .es512, .es521: .ecdsa
        case .eddsa: .eddsa
        }
    }

    /// Whether the algorithm signs with a shared secret (`SIGNING_KEY` alone) rather than a key pair.
    public var isSymmetric: Bool { family == .hmac }

    /// The bits of the SHA-2 digest the signature is made over (EdDSA: 512, Ed25519's own).
    public var digestBits: Int {
        switch self {
        case .hs256, .rs256, .es256, .ps256: 256
        case .hs384, .rs384, .es384, .ps384: 384
        case .hs512, .rs512, .es512, .es521, .ps512, .eddsa: 512
        }
    }

    /// The JWK and PEM name of the curve an ES algorithm signs on (`P-256`, `P-384`, `P-521`).
    public var curve: String? {
        switch self {
        case .es256: "P-256"
        case .es384: "P-384"
        case .es512, .es521: "P-521"
        case .eddsa: "Ed25519"
        default: nil
        }
    }

    /// What the keys must be, for messages: "an RSA key of at least 2048 bits", "an EC P-384 key".
    var keyRequirement: String {
        switch family {
        case .hmac: "a secret"
        case .rsa, .rsaPSS: "an RSA key of at least 2048 bits"
        case .ecdsa: "an EC \(curve ?? "") key"
        case .eddsa: "an Ed25519 key"
        }
    }
}
