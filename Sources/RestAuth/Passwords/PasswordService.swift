/// Django's `make_password` and `check_password` over a list of hashers, on the hashing
/// threads.
public struct PasswordService: Sendable {
    /// Django's prefix of an unusable password (`set_unusable_password`).
    public static let unusablePrefix = "!"

    public let hashers: [any PasswordHasher]
    let pool: HashingThreadPool

    public init(hashers: [any PasswordHasher], pool: HashingThreadPool) {
        precondition(!hashers.isEmpty, "PASSWORD_HASHERS needs at least one hasher")
        self.hashers = hashers
        self.pool = pool
    }

    /// The outcome of checking a password.
    public enum Check: Sendable, Equatable {
        case wrong
        /// Right; `upgraded` holds a new hash (preferred hasher, current parameters) to store.
        case right(upgraded: String?)

        public var isRight: Bool {
            if case .right = self { return true }
            return false
        }
    }

    /// Hashes a new password with the preferred (first) hasher.
    public func hash(_ password: String) async throws -> String {
        let hasher = hashers[0]
        return try await pool.run { try hasher.encode(password) }
    }

    /// An unusable password, as Django's `set_unusable_password` writes it.
    public static func unusable() -> String {
        unusablePrefix + SaltGenerator.randomString(length: 40)
    }

    public static func isUsable(_ encoded: String) -> Bool {
        !encoded.isEmpty && !encoded.hasPrefix(unusablePrefix)
    }

    /// Checks `password` against a stored value. A right password stored by another hasher,
    /// or with other parameters, comes back with the new hash to save (Django's setter).
    /// A stored value that no hasher reads still costs one hash, so that the answer's
    /// timing tells nothing.
    public func check(_ password: String, against encoded: String) async -> Check {
        let preferred = hashers[0]
        guard Self.isUsable(encoded), let hasher = hashers.first(where: { $0.recognizes(encoded) }) else {
            await burnOneHash(password)
            return .wrong
        }
        let result: (Bool, String?)? = try? await pool.run {
            guard hasher.verify(password, encoded: encoded) else { return (false, nil) }
            let stale = hasher.algorithm != preferred.algorithm || hasher.mustUpdate(encoded)
            guard stale else { return (true, nil) }
            return (true, try? preferred.encode(password))
        }
        guard let (right, upgraded) = result, right else { return .wrong }
        return .right(upgraded: upgraded)
    }

    /// Does the work of one hash with the preferred hasher and throws the result away:
    /// a login for an unknown user costs what a wrong password costs (Django's
    /// `ModelBackend` does the same).
    public func burnOneHash(_ password: String) async {
        let hasher = hashers[0]
        _ = try? await pool.run { _ = try? hasher.encode(password) }
    }
}
