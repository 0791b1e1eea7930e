/// simplejwt's `ALGORITHM` values that this package signs and verifies.
public enum JWTAlgorithm: String, Sendable, CaseIterable {
    case hs256 = "HS256"
    case hs384 = "HS384"
    case hs512 = "HS512"
    case rs256 = "RS256"
    case es256 = "ES256"
    case eddsa = "EdDSA"

    /// Whether the algorithm signs with a shared secret (`SIGNING_KEY` alone) rather than a key pair.
    public var isSymmetric: Bool {
        switch self {
        case .hs256, .hs384, .hs512: true
        default: false
        }
    }
}
