import Crypto
import Foundation

/// Django's `MD5PasswordHasher` (`md5$<salt>$<hex>`). Insecure: it exists to read databases
/// and test suites that used it (dj-rest-auth's own reference server does, for speed). It is
/// never in the default list.
public struct MD5PasswordHasher: PasswordHasher {
    public let algorithm = "md5"

    public init() {}

    public func encode(_ password: String) throws -> String {
        encode(password, salt: SaltGenerator.djangoSalt())
    }

    func encode(_ password: String, salt: String) -> String {
        let digest = Insecure.MD5.hash(data: Array((salt + password).utf8)).map { String(format: "%02x", $0) }.joined()
        return "\(algorithm)$\(salt)$\(digest)"
    }

    public func verify(_ password: String, encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == algorithm else { return false }
        return ConstantTime.equals(Array(encode(password, salt: String(parts[1])).utf8), Array(encoded.utf8))
    }

    public func mustUpdate(_ encoded: String) -> Bool { false }
}
