import Crypto
import Foundation
import _CryptoExtras

/// Django's `PBKDF2PasswordHasher` (`pbkdf2_sha256$<iterations>$<salt>$<base64>`) and
/// `PBKDF2SHA1PasswordHasher` (`pbkdf2_sha1$...`), byte for byte.
public struct PBKDF2PasswordHasher: PasswordHasher {
    public enum Digest: String, Sendable {
        case sha256
        case sha1

        var function: KDF.Insecure.PBKDF2.HashFunction {
            switch self {
            case .sha256: .sha256
            case .sha1: .insecureSHA1
            }
        }

        var length: Int {
            switch self {
            case .sha256: 32
            case .sha1: 20
            }
        }
    }

    /// Django 5.2's iteration count for PBKDF2-SHA256.
    public static let defaultIterations = 1_000_000

    public let digest: Digest
    public let iterations: Int
    public var algorithm: String { "pbkdf2_\(digest.rawValue)" }

    public init(algorithm digest: Digest = .sha256, iterations: Int = PBKDF2PasswordHasher.defaultIterations) {
        self.digest = digest
        self.iterations = max(1, iterations)
    }

    public func encode(_ password: String) throws -> String {
        try encode(password, salt: SaltGenerator.djangoSalt(), iterations: iterations)
    }

    func encode(_ password: String, salt: String, iterations: Int) throws -> String {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: Array(salt.utf8), using: digest.function,
            outputByteCount: digest.length, unsafeUncheckedRounds: iterations)
        let hash = key.withUnsafeBytes { Data($0).base64EncodedString() }
        return "\(algorithm)$\(iterations)$\(salt)$\(hash)"
    }

    public func verify(_ password: String, encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == algorithm, let iterations = Int(parts[1]), iterations > 0,
            iterations <= 100_000_000, !parts[2].contains("$")
        else { return false }
        guard let candidate = try? encode(password, salt: String(parts[2]), iterations: iterations) else {
            return false
        }
        return ConstantTime.equals(Array(candidate.utf8), Array(encoded.utf8))
    }

    public func mustUpdate(_ encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, let stored = Int(parts[1]) else { return true }
        return stored != iterations || SaltGenerator.entropyBits(ofSaltLength: parts[2].count) < 128
    }
}
