import Foundation
import Testing

@testable import RestAuth

/// Base64 of the salt "seasalt1234567890abcde", and of the tag Django made with it for
/// `Argon2Tests.secret` at `m=64,t=1,p=2`.
private let salt64 = "c2Vhc2FsdDEyMzQ1Njc4OTBhYmNkZQ"
private let hash64 = "ju4b1AX9xC1/JmSKDa1FKYCM3UNYeM/8wH7J9Irx7gE"

/// BLAKE2b (RFC 7693), Argon2 (RFC 9106) and Django's `Argon2PasswordHasher`. The hashes were
/// made by Django 5.2's `make_password` with `PASSWORD_HASHERS = [Argon2PasswordHasher]`, or by
/// argon2-cffi 25.1 (libargon2) for the variants and versions Django only reads.
@Suite("Argon2 and BLAKE2b")
struct Argon2Tests {
    let secret = "Sturdy-Lantern-8412"
    let salt = "seasalt1234567890abcde"
    /// Django, `time_cost = 1, memory_cost = 64, parallelism = 2`, the salt above.
    let smallDjangoHash = "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)$\(hash64)"

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: BLAKE2b

    @Test(
        "BLAKE2b: RFC 7693 Appendix A, the reference KAT and hashlib's digests",
        arguments: [
            // RFC 7693 Appendix A: BLAKE2b-512("abc").
            (
                "abc", 64, [UInt8](),
                "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                    + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
            ),
            (
                "", 64, [],
                "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
                    + "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce"
            ),
            (
                "The quick brown fox jumps over the lazy dog", 64, [],
                "a8add4bdddfd93e4877d2746e62817b116364a1fa7bc148d95090bc7333b3673"
                    + "f82401cf7aa2e4cb1ecd90296e3f14cb5413f8ed77be73045b13914cdcd6a918"
            ),
            // Exactly one block: it is compressed last, with the final flag.
            (
                String(repeating: "a", count: 128), 64, [],
                "fc6c71f688f43ea7d60817478808f3cac753e61571865c95adbc2d9122c943a7"
                    + "6b92c2cb1047ef3fe7bf6e436ec1d0a99a9e5b216780bf7fed9d7ca91d3a8f3b"
            ),
            ("abc", 32, [], "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"),
            ("", 1, [], "2e"),
            ("message", 20, Array("k".utf8), "f4f93f5c4a024086967ee25fe5385c9500625ef7"),
            // blake2b-kat.txt, key 00..3f, empty message.
            (
                "", 64, Array(0..<64),
                "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
                    + "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568"
            ),
        ] as [(String, Int, [UInt8], String)])
    func blake2bVectors(input: String, length: Int, key: [UInt8], expected: String) {
        #expect(Self.hex(BLAKE2b.hash(Array(input.utf8), outputLength: length, key: key)) == expected)
    }

    @Test("BLAKE2b: the reference KAT's last keyed vector, whole and in pieces of every size")
    func blake2bIncremental() {
        // blake2b-kat.txt: key 00..3f, message 00..fe.
        let expected =
            "142709d62e28fcccd0af97fad0f8465b971e82201dc51070faa0372aa43e9248"
            + "4be1c1e73ba10906d5d1853db6a4106e0a7bf9800d373d6dee2d46d62ef2a461"
        let message = [UInt8](0..<255)
        let key = [UInt8](0..<64)
        #expect(Self.hex(BLAKE2b.hash(message, key: key)) == expected)
        for piece in [1, 7, 64, 127, 128, 129, 254] {
            var state = BLAKE2b(key: key)
            var offset = 0
            while offset < message.count {
                let end = min(message.count, offset + piece)
                state.update(Array(message[offset..<end]))
                offset = end
            }
            #expect(Self.hex(state.finalize()) == expected, "pieces of \(piece)")
        }
    }

    // MARK: Argon2

    @Test(
        "Argon2: RFC 9106 §5 test vectors, on one thread and on four",
        arguments: [
            (Argon2.Variant.d, "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb"),
            (Argon2.Variant.i, "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8"),
            (Argon2.Variant.id, "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"),
        ])
    func rfc9106(variant: Argon2.Variant, expected: String) throws {
        for threads in [1, 4] {
            let tag = try Argon2.hash(
                password: [UInt8](repeating: 1, count: 32), salt: [UInt8](repeating: 2, count: 16),
                secret: [UInt8](repeating: 3, count: 8), associatedData: [UInt8](repeating: 4, count: 12),
                timeCost: 3, memoryCost: 32, parallelism: 4, hashLength: 32, variant: variant, version: .v13,
                threads: threads)
            #expect(Self.hex(tag) == expected, "\(variant) on \(threads) threads")
        }
    }

    @Test(
        "Argon2: libargon2's tags for version 0x10, memory not a multiple of 4p, odd lanes and long tags",
        arguments: [
            (
                1, 64, 2, 32, Argon2.Variant.id, Argon2.Version.v10,
                "a6aa01cd07c7d22df88e70d2da4409584c470d7c0068d90e2962a40213484279"
            ),
            (
                2, 70, 3, 100, .d, .v13,
                "148eff7269ec53f903203f3f8ff7536999277402920050b889cd73b4e429236b723c0c0b811b040171eda6168d44bac3"
                    + "cc9f3c419d9bc6a57b82c4e471109dadd08ba230c257adc557040df7ef1e1e799776678ce8cc0f83dd703b3e263a"
                    + "100f0a5c3a64"
            ),
            (
                1, 50, 1, 65, .i, .v13,
                "08698bf82c0e4552a0b99892a62b41713fc67abf681749269155b9d6767d623b38ee12bce33eeab64ae7ae07d241f1a9"
                    + "41b212551d265fd1aa9b8f4ec71345304d"
            ),
            (
                3, 96, 4, 64, .id, .v13,
                "3ae739332d5ab569be6fec20f415e0298896f501630b302445fbf135458e1bdbd2d47ad0077dc485f24a54482e39c1bc"
                    + "ba71145e09eae27945e58907f1d8cfe9"
            ),
            (1, 8, 1, 4, .d, .v10, "4b697947"),
        ] as [(Int, Int, Int, Int, Argon2.Variant, Argon2.Version, String)])
    func libargon2(
        timeCost: Int, memoryCost: Int, parallelism: Int, length: Int, variant: Argon2.Variant,
        version: Argon2.Version, expected: String
    ) throws {
        for threads in [1, 3] {
            let tag = try Argon2.hash(
                password: Array(secret.utf8), salt: Array(salt.utf8), timeCost: timeCost, memoryCost: memoryCost,
                parallelism: parallelism, hashLength: length, variant: variant, version: version, threads: threads)
            #expect(Self.hex(tag) == expected)
        }
    }

    @Test(
        "Argon2: parameters outside the bounds are refused before any memory is allocated",
        arguments: [
            (1, 1 << 32, 8, 32, Argon2.Error.memoryCostOutOfRange),
            (1, Argon2.maximumMemoryCost + 1, 1, 32, .memoryCostOutOfRange),
            (5, Argon2.maximumMemoryCost, 4, 32, .timeCostOutOfRange),
            (Int(UInt32.max), 1024, 1, 32, .timeCostOutOfRange),
            (0, 64, 1, 32, .timeCostOutOfRange),
            (1, 15, 2, 32, .memoryCostOutOfRange),
            (1, 64, 0, 32, .parallelismOutOfRange),
            (1, 1 << 30, 1 << 24, 32, .parallelismOutOfRange),
            (1, 64, 1, 3, .hashLengthOutOfRange),
            (1, 64, 1, Argon2.maximumHashLength + 1, .hashLengthOutOfRange),
        ] as [(Int, Int, Int, Int, Argon2.Error)])
    func bounds(timeCost: Int, memoryCost: Int, parallelism: Int, length: Int, error: Argon2.Error) {
        #expect(throws: error) {
            try Argon2.hash(
                password: [], salt: Array(salt.utf8), timeCost: timeCost, memoryCost: memoryCost,
                parallelism: parallelism, hashLength: length)
        }
    }

    @Test("Argon2: a salt under 8 bytes is refused, as RFC 9106 §3.1 and libargon2 require")
    func shortSalt() {
        #expect(throws: Argon2.Error.saltTooShort) {
            try Argon2.hash(
                password: [], salt: Array("1234567".utf8), timeCost: 1, memoryCost: 8, parallelism: 1,
                hashLength: 32)
        }
    }

    // MARK: Django's hasher

    @Test("The hasher writes Django's exact format")
    func matchesDjango() throws {
        let hasher = Argon2PasswordHasher(timeCost: 1, memoryCost: 64, parallelism: 2)
        #expect(try hasher.encode(secret, salt: salt) == smallDjangoHash)
        #expect(hasher.recognizes(smallDjangoHash))
        #expect(hasher.verify(secret, encoded: smallDjangoHash))
        #expect(!hasher.verify(secret + "x", encoded: smallDjangoHash))
        #expect(!hasher.mustUpdate(smallDjangoHash))
    }

    @Test("Django's hash at its default parameters (t=2, 100 MiB, p=8) verifies")
    func djangoDefaults() throws {
        let hasher = Argon2PasswordHasher()
        let encoded =
            "argon2$argon2id$v=19$m=102400,t=2,p=8$c2Vhc2FsdDEyMzQ1Njc4OTBhYmNkZQ"
            + "$zm3jnrjcRqwf4bGKileoNF+PwmIi+Tf5IERWue+cf4k"
        #expect(hasher.verify(secret, encoded: encoded))
        #expect(!hasher.mustUpdate(encoded))
        #expect(Argon2PasswordHasher(timeCost: 3).mustUpdate(encoded))
    }

    @Test(
        "Hashes of other parameters, types and versions from Django and argon2-cffi verify",
        arguments: [
            // Django, time_cost = 3, memory_cost = 256, parallelism = 4.
            (
                "pässwörd-日本", true,
                "argon2$argon2id$v=19$m=256,t=3,p=4$c2Vhc2FsdDEyMzQ1Njc4OTBhYmNkZQ"
                    + "$ZmvRHgr6ET9f+4wJiPzs+tYYT70Vtr+JCc99/Ku3na4"
            ),
            (
                "", false,
                "argon2$argon2id$v=19$m=64,t=1,p=2$c2Vhc2FsdDEyMzQ1Njc4OTBhYmNkZQ"
                    + "$O7+DcfdW1GuViQumyxSVlfD9epCmaFnQGKeN7mme5F4"
            ),
            // Django, a 9-character salt.
            (
                "Sturdy-Lantern-8412", true,
                "argon2$argon2id$v=19$m=64,t=1,p=2$c2hvcnRzYWx0"
                    + "$o2ZdcLRS63O5w4pFrVnU+KcTHuttbB3NHDhItcPvXik"
            ),
            // argon2-cffi: Argon2i and Argon2d.
            (
                "Sturdy-Lantern-8412", true,
                "argon2$argon2i$v=19$m=32,t=2,p=1$c2Vhc2FsdDEyMzQ1Njc4OTBhYmNkZQ"
                    + "$vCiMsnIiJCmM4jsCtnFNjGbmXwqxM135p0rHBUfW5Jo"
            ),
            (
                "Sturdy-Lantern-8412", true,
                "argon2$argon2d$v=19$m=32,t=2,p=1$c2Vhc2FsdDEyMzQ1Njc4OTBhYmNkZQ"
                    + "$Pv0ntNGYTfsWsUc582YKD/oZvF5mEn9rdIGdiooHjfw"
            ),
            // argon2-cffi: version 0x10, with its number and without (libargon2 reads no number as 0x10).
            (
                "Sturdy-Lantern-8412", true,
                "argon2$argon2id$v=16$m=64,t=1,p=2$c2Vhc2FsdDEyMzQ1Njc4OTBhYmNkZQ"
                    + "$pqoBzQfH0i34jnDS2kQJWExHDXwAaNkOKWKkAhNIQnk"
            ),
            (
                "Sturdy-Lantern-8412", true,
                "argon2$argon2id$m=64,t=1,p=2$c2Vhc2FsdDEyMzQ1Njc4OTBhYmNkZQ"
                    + "$pqoBzQfH0i34jnDS2kQJWExHDXwAaNkOKWKkAhNIQnk"
            ),
            // argon2-cffi: a 16-byte tag and a binary salt.
            (
                "Sturdy-Lantern-8412", true,
                "argon2$argon2id$v=19$m=64,t=1,p=2$AP8A/wD/AP8A/wD/AP8A/w$rS+kciS6S86dZzjUhxxDuQ"
            ),
        ] as [(String, Bool, String)])
    func otherHashes(password: String, stale: Bool, encoded: String) {
        // Stale: not Argon2id version 19 at t=1, m=64, p=2 with a 32-byte hash and a 22-byte salt.
        let hasher = Argon2PasswordHasher(timeCost: 1, memoryCost: 64, parallelism: 2)
        #expect(hasher.verify(password, encoded: encoded))
        #expect(!hasher.verify(password + "!", encoded: encoded))
        #expect(hasher.mustUpdate(encoded) == stale)
    }

    @Test("A new hash round-trips, with a fresh 22-character alphanumeric salt")
    func roundTrip() throws {
        let hasher = Argon2PasswordHasher(timeCost: 1, memoryCost: 128, parallelism: 2)
        let encoded = try hasher.encode(secret)
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        #expect(parts.count == 6)
        #expect(parts[0] == "argon2" && parts[1] == "argon2id" && parts[2] == "v=19" && parts[3] == "m=128,t=1,p=2")
        let saltBytes = try #require(Data(base64Encoded: String(parts[4]) + "=="))
        #expect(saltBytes.count == 22 && saltBytes.allSatisfy { SaltGenerator.alphanumerics.contains($0) })
        #expect(parts[5].count == 43, "32 bytes, unpadded")
        #expect(hasher.verify(secret, encoded: encoded))
        #expect(!hasher.verify("sturdy-Lantern-8412", encoded: encoded))
        #expect(!hasher.mustUpdate(encoded))
        #expect(try hasher.encode(secret) != encoded, "salts differ")
        // The number of threads never changes the hash.
        #expect(
            Argon2PasswordHasher(timeCost: 1, memoryCost: 128, parallelism: 2, threads: 1)
                .verify(secret, encoded: encoded))
    }

    @Test("mustUpdate is true for other parameters, false for the current ones")
    func mustUpdate() {
        #expect(!Argon2PasswordHasher(timeCost: 1, memoryCost: 64, parallelism: 2).mustUpdate(smallDjangoHash))
        #expect(Argon2PasswordHasher(timeCost: 2, memoryCost: 64, parallelism: 2).mustUpdate(smallDjangoHash))
        #expect(Argon2PasswordHasher(timeCost: 1, memoryCost: 128, parallelism: 2).mustUpdate(smallDjangoHash))
        #expect(Argon2PasswordHasher(timeCost: 1, memoryCost: 64, parallelism: 1).mustUpdate(smallDjangoHash))
        #expect(Argon2PasswordHasher().mustUpdate(smallDjangoHash))
        #expect(Argon2PasswordHasher().mustUpdate("argon2$garbage"))
    }

    @Test(
        "Forged rows with huge parameters are refused at once, without allocating",
        arguments: [
            "m=4294967295,t=2,p=8", "m=4194305,t=1,p=1", "m=4194304,t=64,p=8", "m=65536,t=4294967295,p=8",
            "m=4294967295,t=1,p=16777215",
        ])
    func forged(parameters: String) throws {
        let encoded = "argon2$argon2id$v=19$\(parameters)$\(salt64)$\(hash64)"
        try #require(Argon2PasswordHasher.Stored(encoded) != nil, "well-formed: refused for its parameters")
        let start = ContinuousClock.now
        #expect(!Argon2PasswordHasher().verify(secret, encoded: encoded))
        #expect(ContinuousClock.now - start < .seconds(1))
        // A tag of 1026 bytes.
        let longTag = "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)$" + String(repeating: "A", count: 1368)
        #expect(!Argon2PasswordHasher().verify(secret, encoded: longTag))
    }

    @Test(
        "Malformed values never verify (Django refuses each as well)",
        arguments: [
            "", "argon2", "argon2$", "argon2$argon2id", "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)",
            "Argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)$\(hash64)",
            "argon2$$argon2id$v=19$m=64,t=1,p=2$\(salt64)$\(hash64)",
            "argon2$argon2ID$v=19$m=64,t=1,p=2$\(salt64)$\(hash64)",
            "argon2$argon2x$v=19$m=64,t=1,p=2$\(salt64)$\(hash64)",
            // The type is part of the hash.
            "argon2$argon2i$v=19$m=64,t=1,p=2$\(salt64)$\(hash64)",
            // Trailing characters, padding, a length of 1 modulo 4, non-zero unused bits, URL-safe base64.
            "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)$\(hash64)=",
            "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)$\(hash64)$",
            "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)=$\(hash64)",
            "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64.dropLast())$\(hash64)",
            "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)$\(hash64.dropLast())F",
            "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)$\(hash64.replacingOccurrences(of: "/", with: "_"))",
            // Numbers: leading zeros, signs, order, spaces, overflow, other versions.
            "argon2$argon2id$v=19$m=064,t=1,p=2$\(salt64)$\(hash64)",
            "argon2$argon2id$v=19$m=+64,t=1,p=2$\(salt64)$\(hash64)",
            "argon2$argon2id$v=019$m=64,t=1,p=2$\(salt64)$\(hash64)",
            "argon2$argon2id$v=19$t=1,m=64,p=2$\(salt64)$\(hash64)",
            "argon2$argon2id$v=19$m=64, t=1, p=2$\(salt64)$\(hash64)",
            "argon2$argon2id$v=19$m=18446744073709551616,t=1,p=2$\(salt64)$\(hash64)",
            "argon2$argon2id$v=20$m=64,t=1,p=2$\(salt64)$\(hash64)",
            // Below the minimums: time, lanes, memory per lane, salt, tag.
            "argon2$argon2id$v=19$m=64,t=0,p=2$\(salt64)$\(hash64)",
            "argon2$argon2id$v=19$m=64,t=1,p=0$\(salt64)$\(hash64)",
            "argon2$argon2id$v=19$m=15,t=1,p=2$\(salt64)$\(hash64)",
            "argon2$argon2id$v=19$m=64,t=1,p=2$c2hvcnQ$\(hash64)",
            "argon2$argon2id$v=19$m=64,t=1,p=2$$\(hash64)",
            "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)$ju4b1",
            "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)$",
            // A shorter tag is another tag, not a prefix that matches.
            "argon2$argon2id$v=19$m=64,t=1,p=2$\(salt64)$\(hash64.dropLast())",
        ])
    func malformed(encoded: String) {
        #expect(!Argon2PasswordHasher(timeCost: 1, memoryCost: 64, parallelism: 2).verify(secret, encoded: encoded))
    }
}
