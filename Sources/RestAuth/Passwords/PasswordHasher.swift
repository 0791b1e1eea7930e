/// One of Django's password hashers: it writes and reads one format of the `password`
/// column (`algorithm$...`).
///
/// Hashing is CPU-bound; the package always calls these methods on its hashing threads,
/// never on an event loop. A custom hasher needs only the four requirements:
///
/// ```swift
/// struct LegacySHA1Hasher: PasswordHasher {
///     let algorithm = "sha1"
///     func encode(_ password: String) throws -> String { ... }
///     func verify(_ password: String, encoded: String) -> Bool { ... }
///     func mustUpdate(_ encoded: String) -> Bool { false }
/// }
/// ```
public protocol PasswordHasher: Sendable {
    /// Django's algorithm name, the part of the stored value before the first `$`.
    var algorithm: String { get }
    /// Hashes a new password with a fresh salt and the current parameters.
    func encode(_ password: String) throws -> String
    /// Checks a password against a stored value of this hasher's format, in constant time.
    func verify(_ password: String, encoded: String) -> Bool
    /// Whether a stored value should be rewritten with the current parameters.
    func mustUpdate(_ encoded: String) -> Bool
    /// Whether a stored value is of this hasher's format. Default: it starts with `algorithm$`.
    func recognizes(_ encoded: String) -> Bool
}

extension PasswordHasher {
    public func recognizes(_ encoded: String) -> Bool {
        encoded.hasPrefix(algorithm + "$")
    }
}
