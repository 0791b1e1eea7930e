import Foundation
import _CryptoExtras

/// Django's `ScryptPasswordHasher`: `scrypt$<n>$<salt>$<r>$<p>$<base64 of 64 bytes>`.
public struct ScryptPasswordHasher: PasswordHasher {
    public let algorithm = "scrypt"
    public let workFactor: Int
    public let blockSize: Int
    public let parallelism: Int

    public init(workFactor: Int = 1 << 14, blockSize: Int = 8, parallelism: Int = 5) {
        self.workFactor = workFactor
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    public func encode(_ password: String) throws -> String {
        try encode(password, salt: SaltGenerator.djangoSalt(), n: workFactor, r: blockSize, p: parallelism)
    }

    func encode(_ password: String, salt: String, n: Int, r: Int, p: Int) throws -> String {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: Array(salt.utf8), outputByteCount: 64, rounds: n, blockSize: r,
            parallelism: p)
        let hash = key.withUnsafeBytes { Data($0).base64EncodedString() }
        return "\(algorithm)$\(n)$\(salt)$\(r)$\(p)$\(hash)"
    }

    public func verify(_ password: String, encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        // Bounds keep a forged row from asking for gigabytes of memory.
        guard parts.count == 6, parts[0] == algorithm, let n = Int(parts[1]), let r = Int(parts[3]),
            let p = Int(parts[4]), n > 1, n <= 1 << 20, n & (n - 1) == 0, (1...32).contains(r), (1...16).contains(p)
        else { return false }
        guard let candidate = try? encode(password, salt: String(parts[2]), n: n, r: r, p: p) else { return false }
        return ConstantTime.equals(Array(candidate.utf8), Array(encoded.utf8))
    }

    public func mustUpdate(_ encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return true }
        return Int(parts[1]) != workFactor || Int(parts[3]) != blockSize || Int(parts[4]) != parallelism
    }
}
