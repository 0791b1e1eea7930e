import Foundation
import Testing

@testable import RestAuth

/// Vectors computed by Django 5.2's own hashers (`manage.py shell`), so a Django database's
/// passwords verify here and ours verify there.
@Suite("Password hashers")
struct PasswordHasherTests {
    let secret = "Sturdy-Lantern-8412"

    @Test("PBKDF2-SHA256 writes Django's exact format")
    func pbkdf2SHA256MatchesDjango() throws {
        let hasher = PBKDF2PasswordHasher(iterations: 1000)
        let encoded = try hasher.encode(secret, salt: "seasalt1234567890abcd", iterations: 1000)
        #expect(encoded == "pbkdf2_sha256$1000$seasalt1234567890abcd$4rTEKiJPWnHTJ7ksdfZmeJIpzYcKOXc43lf2FtJ0AHA=")
        #expect(hasher.verify(secret, encoded: encoded))
        #expect(!hasher.verify(secret + "x", encoded: encoded))
    }

    @Test("PBKDF2-SHA1 verifies Django's hash")
    func pbkdf2SHA1() {
        let hasher = PBKDF2PasswordHasher(algorithm: .sha1, iterations: 1000)
        #expect(hasher.verify(secret, encoded: "pbkdf2_sha1$1000$seasalt1234567890abcd$vIaJvwLeTiY6bR9/sA5T4C1f/Wc="))
        #expect(!hasher.verify("other", encoded: "pbkdf2_sha1$1000$seasalt1234567890abcd$vIaJvwLeTiY6bR9/sA5T4C1f/Wc="))
    }

    @Test("A new PBKDF2 hash has a 22-character salt and the configured iterations")
    func pbkdf2NewHash() throws {
        let encoded = try PBKDF2PasswordHasher(iterations: 1200).encode(secret)
        let parts = encoded.split(separator: "$")
        #expect(parts.count == 4)
        #expect(parts[0] == "pbkdf2_sha256" && parts[1] == "1200" && parts[2].count == 22)
        #expect(try PBKDF2PasswordHasher(iterations: 1200).encode(secret) != encoded, "salts differ")
    }

    @Test("PBKDF2 asks for an upgrade when the iteration count changed")
    func pbkdf2MustUpdate() {
        // Django also wants a new hash when the salt carries less than 128 bits (21 characters).
        #expect(
            PBKDF2PasswordHasher(iterations: 1000).mustUpdate(
                "pbkdf2_sha256$1000$seasalt1234567890abcd$4rTEKiJPWnHTJ7ksdfZmeJIpzYcKOXc43lf2FtJ0AHA="))
        let encoded = "pbkdf2_sha256$1000$seasalt1234567890abcde$x"
        #expect(!PBKDF2PasswordHasher(iterations: 1000).mustUpdate(encoded))
        #expect(PBKDF2PasswordHasher(iterations: 2000).mustUpdate(encoded))
        #expect(PBKDF2PasswordHasher(iterations: 1000).mustUpdate("pbkdf2_sha256$1000$short$abc"))
    }

    @Test(
        "Malformed PBKDF2 values never verify",
        arguments: [
            "", "pbkdf2_sha256", "pbkdf2_sha256$$$", "pbkdf2_sha256$abc$salt$hash", "pbkdf2_sha256$0$salt$hash",
            "pbkdf2_sha256$999999999999$salt$hash",
            "pbkdf2_sha1$1000$seasalt1234567890abcd$vIaJvwLeTiY6bR9/sA5T4C1f/Wc=",
        ])
    func pbkdf2Malformed(encoded: String) {
        #expect(!PBKDF2PasswordHasher(iterations: 1000).verify(secret, encoded: encoded))
    }

    @Test("bcrypt-SHA256, bcrypt and bare $2a$ hashes from Python's bcrypt verify")
    func bcrypt() {
        let sha = BCryptPasswordHasher(variant: .sha256)
        let plain = BCryptPasswordHasher(variant: .plain)
        let shaHash = "bcrypt_sha256$$2b$04$7uecCXWVZcd500NOWWmsJOlm6JwysusneOs86HDCaPEmhfEWXZy.u"
        let plainHash = "bcrypt$$2b$04$.wf/oPFR56SDdsXzDKBqIu/RL8hOC14NwQ4guz./jhuz42RL6bdvq"
        let bare = "$2a$04$KbfJHf.SuANF5zmWz7Q/GuBDU4WsRU5TPGtGpfjKV0jcmiMb3iAny"
        #expect(sha.recognizes(shaHash) && sha.verify(secret, encoded: shaHash))
        #expect(!sha.verify("wrong", encoded: shaHash))
        #expect(plain.recognizes(plainHash) && plain.verify(secret, encoded: plainHash))
        #expect(plain.recognizes(bare) && plain.verify(secret, encoded: bare))
        #expect(!sha.recognizes(bare))
        #expect(sha.mustUpdate(shaHash), "cost 4 is below the default 12")
        #expect(!BCryptPasswordHasher(variant: .sha256, cost: 4).mustUpdate(shaHash))
    }

    @Test("bcrypt-SHA256 round-trips")
    func bcryptRoundTrip() throws {
        let hasher = BCryptPasswordHasher(variant: .sha256, cost: 4)
        let encoded = try hasher.encode(secret)
        #expect(encoded.hasPrefix("bcrypt_sha256$$2b$04$"))
        #expect(hasher.verify(secret, encoded: encoded))
    }

    @Test("scrypt verifies Django's hash")
    func scrypt() {
        let encoded =
            "scrypt$1024$seasalt1234567890abcd$8$1$jVW0l1deosolrPkAxrlfHqC2LaLtRnSyloW70mdE3UK8iU6Iwd8g+6BaP9e5rC4aHzWm/rVdknsmyAo6yGMu0g=="
        let hasher = ScryptPasswordHasher()
        #expect(hasher.verify(secret, encoded: encoded))
        #expect(!hasher.verify("nope", encoded: encoded))
        #expect(hasher.mustUpdate(encoded))
        #expect(!hasher.verify(secret, encoded: "scrypt$1073741824$salt$8$1$abc"), "absurd work factors are refused")
    }

    @Test("MD5 verifies Django's hash")
    func md5() {
        #expect(MD5PasswordHasher().verify(secret, encoded: "md5$seasalt$c68c1b34fd78fe7c715429b1092a4804"))
        #expect(!MD5PasswordHasher().verify("x", encoded: "md5$seasalt$c68c1b34fd78fe7c715429b1092a4804"))
    }
}

@Suite("Password service")
struct PasswordServiceTests {
    let pool = HashingThreadPool(threads: 2)

    @Test("A right password stored by an older hasher comes back with an upgraded hash")
    func upgradeOnCheck() async throws {
        let service = PasswordService(
            hashers: [PBKDF2PasswordHasher(iterations: 1000), MD5PasswordHasher()], pool: pool)
        let check = await service.check("Sturdy-Lantern-8412", against: "md5$seasalt$c68c1b34fd78fe7c715429b1092a4804")
        guard case .right(let upgraded?) = check else {
            Issue.record("expected an upgrade, got \(check)")
            return
        }
        #expect(upgraded.hasPrefix("pbkdf2_sha256$1000$"))
        #expect(await service.check("Sturdy-Lantern-8412", against: upgraded) == .right(upgraded: nil))
        pool.shutdown()
    }

    @Test("Unusable, empty and unknown-format passwords never match")
    func unusable() async {
        let service = PasswordService(hashers: [PBKDF2PasswordHasher(iterations: 1000)], pool: pool)
        #expect(await service.check("x", against: PasswordService.unusable()) == .wrong)
        #expect(await service.check("", against: "") == .wrong)
        #expect(await service.check("x", against: "argon2$whatever") == .wrong)
        #expect(PasswordService.unusable().hasPrefix("!") && PasswordService.unusable().count == 41)
        pool.shutdown()
    }

    @Test("Hashing runs on the pool's threads, at a lower priority")
    func runsOnPool() async throws {
        let niceness = try await pool.run { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
        #expect(niceness == 10)
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == 0, "the caller's thread is not lowered")
        pool.shutdown()
    }

    @Test("A shut-down pool refuses work instead of hanging")
    func shutdownRefuses() async {
        let pool = HashingThreadPool(threads: 1)
        pool.shutdown()
        await #expect(throws: CancellationError.self) { try await pool.run { 1 } }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
