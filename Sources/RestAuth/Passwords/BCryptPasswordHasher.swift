import Crypto
import Foundation
import Vapor

/// Django's `BCryptSHA256PasswordHasher` (`bcrypt_sha256$$2b$12$...`, the password
/// pre-hashed with SHA-256 so that bcrypt's 72-byte limit does not bite) and
/// `BCryptPasswordHasher` (`bcrypt$$2b$12$...`). The plain variant also reads bare
/// `$2a$`/`$2b$`/`$2y$` hashes, as other systems store them.
public struct BCryptPasswordHasher: PasswordHasher {
    public enum Variant: Sendable {
        case sha256
        case plain
    }

    public let variant: Variant
    /// bcrypt's cost (log2 of the rounds); Django's default is 12.
    public let cost: Int

    public var algorithm: String {
        switch variant {
        case .sha256: "bcrypt_sha256"
        case .plain: "bcrypt"
        }
    }

    public init(variant: Variant = .sha256, cost: Int = 12) {
        self.variant = variant
        self.cost = cost
    }

    private func prepared(_ password: String) -> String {
        switch variant {
        case .sha256: SHA256.hash(data: Array(password.utf8)).map { String(format: "%02x", $0) }.joined()
        case .plain: password
        }
    }

    public func encode(_ password: String) throws -> String {
        "\(algorithm)$" + (try Bcrypt.hash(prepared(password), cost: cost))
    }

    public func recognizes(_ encoded: String) -> Bool {
        if encoded.hasPrefix(algorithm + "$") { return true }
        return variant == .plain && Self.isBareBcrypt(encoded)
    }

    static func isBareBcrypt(_ encoded: String) -> Bool {
        encoded.hasPrefix("$2a$") || encoded.hasPrefix("$2b$") || encoded.hasPrefix("$2y$")
    }

    private func bcryptPart(_ encoded: String) -> String? {
        if encoded.hasPrefix(algorithm + "$") { return String(encoded.dropFirst(algorithm.count + 1)) }
        if variant == .plain && Self.isBareBcrypt(encoded) { return encoded }
        return nil
    }

    public func verify(_ password: String, encoded: String) -> Bool {
        guard let hash = bcryptPart(encoded), hash.utf8.count == 60 else { return false }
        return (try? Bcrypt.verify(prepared(password), created: hash)) ?? false
    }

    public func mustUpdate(_ encoded: String) -> Bool {
        guard let hash = bcryptPart(encoded) else { return true }
        let fields = hash.split(separator: "$")
        guard fields.count >= 2, let rounds = Int(fields[1]) else { return true }
        return rounds != cost || Self.isBareBcrypt(encoded)
    }
}
