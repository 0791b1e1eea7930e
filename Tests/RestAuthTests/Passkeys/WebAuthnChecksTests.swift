import Crypto
import Foundation
import RestAuth
import Testing
import _CryptoExtras

/// An authenticator of the tests' own: an ES256 (or Ed25519, or RS256) key, and assertions it
/// signs, with a keyword to forge each field a relying party must check.
struct SoftAuthenticator {
    enum Key {
        case p256(P256.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
    }

    var key: Key
    let rpID = "example.com"
    let origin = "https://example.com"

    static func p256() -> SoftAuthenticator { .init(key: .p256(.init())) }

    var publicKey: COSEKey {
        get throws {
            switch key {
            case .p256(let key):
                let raw = Array(key.publicKey.x963Representation.dropFirst())
                return try COSEKey(
                    .map([
                        CBORMapEntry(key: .int(1), value: .int(2)), CBORMapEntry(key: .int(3), value: .int(-7)),
                        CBORMapEntry(key: .int(-1), value: .int(1)),
                        CBORMapEntry(key: .int(-2), value: .bytes(Array(raw[0..<32]))),
                        CBORMapEntry(key: .int(-3), value: .bytes(Array(raw[32...]))),
                    ]))
            case .ed25519(let key):
                return try COSEKey(
                    .map([
                        CBORMapEntry(key: .int(1), value: .int(1)), CBORMapEntry(key: .int(3), value: .int(-8)),
                        CBORMapEntry(key: .int(-1), value: .int(6)),
                        CBORMapEntry(key: .int(-2), value: .bytes(Array(key.publicKey.rawRepresentation))),
                    ]))
            case .rsa(let key):
                let (n, e) = try Self.components(key.publicKey)
                return try COSEKey(
                    .map([
                        CBORMapEntry(key: .int(1), value: .int(3)), CBORMapEntry(key: .int(3), value: .int(-257)),
                        CBORMapEntry(key: .int(-1), value: .bytes(n)), CBORMapEntry(key: .int(-2), value: .bytes(e)),
                    ]))
            }
        }
    }

    /// n and e from a PKCS#1 `RSAPublicKey` (SEQUENCE { INTEGER n, INTEGER e }).
    static func components(_ key: _RSA.Signing.PublicKey) throws -> ([UInt8], [UInt8]) {
        let der = Array(key.pkcs1DERRepresentation)
        var i = 0
        func length() -> Int {
            let first = Int(der[i])
            i += 1
            guard first & 0x80 != 0 else { return first }
            var value = 0
            for _ in 0..<(first & 0x7f) {
                value = value << 8 | Int(der[i])
                i += 1
            }
            return value
        }
        func integer() -> [UInt8] {
            i += 1  // 0x02
            let count = length()
            defer { i += count }
            return Array(der[i..<i + count])
        }
        i += 1  // 0x30
        _ = length()
        return (integer(), integer())
    }

    func sign(_ data: [UInt8]) throws -> [UInt8] {
        switch key {
        case .p256(let key): Array(try key.signature(for: data).derRepresentation)
        case .ed25519(let key): Array(try key.signature(for: data))
        case .rsa(let key): Array(try key.signature(for: data, padding: .insecurePKCS1v1_5).rawRepresentation)
        }
    }

    struct Assertion {
        var clientDataJSON: [UInt8]
        var authenticatorData: [UInt8]
        var signature: [UInt8]
    }

    func assertion(
        challenge: [UInt8], type: String = "webauthn.get", origin: String? = nil, extraClientData: String = "",
        rpID: String? = nil, flags: UInt8 = 0x05, count: UInt32 = 1, signWith: SoftAuthenticator? = nil,
        tamper: Bool = false
    ) throws -> Assertion {
        let encoded = Data(challenge).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let json =
            #"{"type":"\#(type)","challenge":"\#(encoded)","origin":"\#(origin ?? self.origin)"\#(extraClientData)}"#
        let clientData = Array(json.utf8)
        var data = Array(SHA256.hash(data: Array((rpID ?? self.rpID).utf8))) + [flags]
        data += [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
        var signature = try (signWith ?? self).sign(data + Array(SHA256.hash(data: clientData)))
        if tamper { signature[signature.count / 2] ^= 1 }
        return Assertion(clientDataJSON: clientData, authenticatorData: data, signature: signature)
    }
}

@Suite("WebAuthn §7.2: an assertion, checked as a relying party must")
struct WebAuthnChecksTests {
    static let challenge = [UInt8](repeating: 0x5a, count: 32)

    static func expectation(uv: Bool = false, crossOrigin: Bool = false) -> WebAuthnExpectation {
        WebAuthnExpectation(
            challenge: challenge, rpID: "example.com", origins: ["https://example.com"],
            userVerificationRequired: uv, allowCrossOrigin: crossOrigin)
    }

    static func verify(
        _ authenticator: SoftAuthenticator, _ assertion: SoftAuthenticator.Assertion, stored: UInt32 = 0,
        backupEligible: Bool? = nil, expectation: WebAuthnExpectation = expectation()
    ) throws -> UInt32 {
        try WebAuthnChecks.verifyAssertion(
            clientDataJSON: assertion.clientDataJSON, authenticatorData: assertion.authenticatorData,
            signature: assertion.signature, publicKey: try authenticator.publicKey, storedSignCount: stored,
            storedBackupEligible: backupEligible, expectation: expectation
        ).signCount
    }

    @Test("A genuine assertion passes, with ES256, Ed25519 and RS256 keys")
    func genuine() throws {
        for authenticator in [
            SoftAuthenticator.p256(), SoftAuthenticator(key: .ed25519(.init())),
            SoftAuthenticator(key: .rsa(try .init(keySize: .bits2048))),
        ] {
            let assertion = try authenticator.assertion(challenge: Self.challenge, count: 8)
            #expect(try Self.verify(authenticator, assertion, stored: 7) == 8)
            // Both counters zero: an authenticator without a counter.
            #expect(
                try Self.verify(authenticator, try authenticator.assertion(challenge: Self.challenge, count: 0)) == 0)
        }
    }

    @Test("Forged client data, authenticator data and signatures are each refused for what they are")
    func forged() throws {
        let device = SoftAuthenticator.p256()
        let other = SoftAuthenticator.p256()
        let cases: [(SoftAuthenticator.Assertion, WebAuthnFailure, WebAuthnExpectation)] = [
            (
                try device.assertion(challenge: Self.challenge, type: "webauthn.create"),
                .wrongType(received: "webauthn.create"), Self.expectation()
            ),
            (try device.assertion(challenge: [1, 2, 3]), .wrongChallenge, Self.expectation()),
            (
                try device.assertion(challenge: Self.challenge, origin: "https://evil.example"),
                .wrongOrigin(received: "https://evil.example"),
                Self.expectation()
            ),
            (
                try device.assertion(challenge: Self.challenge, origin: "https://example.com:443"),
                .wrongOrigin(received: "https://example.com:443"),
                Self.expectation()
            ),
            (
                try device.assertion(challenge: Self.challenge, extraClientData: #","crossOrigin":true"#), .crossOrigin,
                Self.expectation()
            ),
            (
                try device.assertion(
                    challenge: Self.challenge, extraClientData: #","topOrigin":"https://evil.example""#), .crossOrigin,
                Self.expectation()
            ),
            (try device.assertion(challenge: Self.challenge, rpID: "evil.example"), .wrongRPID, Self.expectation()),
            (try device.assertion(challenge: Self.challenge, flags: 0x04), .userNotPresent, Self.expectation()),
            (
                try device.assertion(challenge: Self.challenge, flags: 0x01), .userNotVerified,
                Self.expectation(uv: true)
            ),
            (try device.assertion(challenge: Self.challenge, signWith: other), .badSignature, Self.expectation()),
            (try device.assertion(challenge: Self.challenge, tamper: true), .badSignature, Self.expectation()),
        ]
        for (assertion, failure, expectation) in cases {
            #expect(throws: failure) { try Self.verify(device, assertion, expectation: expectation) }
        }
        let crossOrigin = try device.assertion(challenge: Self.challenge, extraClientData: #","crossOrigin":true"#)
        #expect(try Self.verify(device, crossOrigin, expectation: Self.expectation(crossOrigin: true)) == 1)
        #expect(throws: WebAuthnFailure.self) {
            try Self.verify(
                device, try device.assertion(challenge: Self.challenge, extraClientData: #","crossOrigin":"yes""#))
        }
    }

    @Test("The counter and the backup flag are trusted only after the signature: a forger moves nothing")
    func counterAfterSignature() throws {
        let device = SoftAuthenticator.p256()
        let forger = SoftAuthenticator.p256()
        // A forged assertion with a huge counter is a bad signature, not a clone: it tells the
        // forger nothing of the stored count and the caller stores nothing.
        let forged = try device.assertion(challenge: Self.challenge, count: .max, signWith: forger)
        #expect(throws: WebAuthnFailure.badSignature) { try Self.verify(device, forged, stored: 41) }
        let stale = try device.assertion(challenge: Self.challenge, count: 41)
        #expect(throws: WebAuthnFailure.clonedAuthenticator(stored: 41, received: 41)) {
            try Self.verify(device, stale, stored: 41)
        }
        let zero = try device.assertion(challenge: Self.challenge, count: 0)
        #expect(throws: WebAuthnFailure.clonedAuthenticator(stored: 41, received: 0)) {
            try Self.verify(device, zero, stored: 41)
        }
        let eligible = try device.assertion(challenge: Self.challenge, flags: 0x0d, count: 42)
        #expect(throws: WebAuthnFailure.backupEligibilityChanged) {
            try Self.verify(device, eligible, stored: 41, backupEligible: false)
        }
        #expect(try Self.verify(device, eligible, stored: 41, backupEligible: true) == 42)
        // BS without BE (§6.1) is refused, and also only once the signature holds.
        let backedUp = try device.assertion(challenge: Self.challenge, flags: 0x15, count: 43)
        #expect(throws: WebAuthnFailure.backedUpWithoutEligibility) { try Self.verify(device, backedUp, stored: 41) }
        let forgedBackup = try device.assertion(challenge: Self.challenge, flags: 0x15, count: 43, signWith: forger)
        #expect(throws: WebAuthnFailure.badSignature) { try Self.verify(device, forgedBackup, stored: 41) }
    }

    @Test("Failures read as py_webauthn words them, origins listed as Python prints a list")
    func messages() {
        let origins = ["http://localhost:3000", "http://localhost:8000"]
        #expect(
            WebAuthnFailure.wrongOrigin(received: "http://x").message(registration: true, origins: origins)
                == #"Unexpected client data origin "http://x", expected one of ['http://localhost:3000', 'http://localhost:8000']"#
        )
        #expect(
            WebAuthnFailure.wrongType(received: "webauthn.get").message(registration: true, origins: [])
                == #"Unexpected client data type "webauthn.get", expected "webauthn.create""#)
        #expect(
            WebAuthnFailure.userNotPresent.message(registration: false, origins: [])
                == "User was not present during authentication")
        #expect(
            WebAuthnFailure.clonedAuthenticator(stored: 7, received: 3).message(registration: false, origins: [])
                == "Response sign count of 3 was not greater than current count of 7")
        #expect(
            WebAuthnFailure.malformed(.attestationObject, "x").message(registration: true, origins: [])
                == "attestationObject was malformed. See __cause__ for more info")
        #expect(
            WebAuthnFailure.wrongOrigin(received: "o").message(registration: false, origins: ["it's", "a\\b\n"])
                == #"Unexpected client data origin "o", expected one of ["it's", 'a\\b\n']"#)
    }
}

extension SoftAuthenticator {
    struct Registration {
        var clientDataJSON: [UInt8]
        var attestationObject: [UInt8]
    }

    /// A `navigator.credentials.create()` answer: `none` or `packed` self-attestation, forgeable.
    func registration(
        challenge: [UInt8], credentialID: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8], format: String = "none",
        statement: CBORValue? = nil, selfAttest: Bool = false, attestationAlg: Int64? = nil, flags: UInt8 = 0x45,
        type: String = "webauthn.create", signWith: SoftAuthenticator? = nil, trailing: [UInt8] = [],
        count: UInt32 = 0
    ) throws -> Registration {
        let encoded = Data(challenge).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let clientData = Array(#"{"type":"\#(type)","challenge":"\#(encoded)","origin":"\#(origin)"}"#.utf8)
        var data = Array(SHA256.hash(data: Array(rpID.utf8))) + [flags]
        data += [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
        if flags & 0x40 != 0 {
            data += [UInt8](repeating: 0, count: 16) + [0, UInt8(credentialID.count)] + credentialID
            data += try publicKey.encoded
        }
        data += trailing
        var attStmt = statement ?? .map([])
        if selfAttest {
            let signature = try (signWith ?? self).sign(data + Array(SHA256.hash(data: clientData)))
            let ownAlgorithm = try publicKey.algorithm.rawValue
            attStmt = .map([
                CBORMapEntry(key: .text("alg"), value: .int(attestationAlg ?? ownAlgorithm)),
                CBORMapEntry(key: .text("sig"), value: .bytes(signature)),
            ])
        }
        let object: CBORValue = .map([
            CBORMapEntry(key: .text("fmt"), value: .text(format)), CBORMapEntry(key: .text("attStmt"), value: attStmt),
            CBORMapEntry(key: .text("authData"), value: .bytes(data)),
        ])
        return Registration(clientDataJSON: clientData, attestationObject: CBOREncoder.encode(object))
    }
}

@Suite("WebAuthn §7.1: a registration, checked as a relying party must")
struct WebAuthnRegistrationTests {
    static let challenge = [UInt8](repeating: 0x33, count: 32)
    static let expectation = WebAuthnExpectation(
        challenge: challenge, rpID: "example.com", origins: ["https://example.com"], userVerificationRequired: false)

    static func verify(
        _ registration: SoftAuthenticator.Registration, allowed: [COSEKey.Algorithm] = [.eddsa, .es256, .rs256]
    ) throws -> RegisteredCredential {
        try WebAuthnChecks.verifyRegistration(
            clientDataJSON: registration.clientDataJSON, attestationObject: registration.attestationObject,
            expectation: expectation, allowedAlgorithms: allowed)
    }

    @Test("`none` and `packed` self-attestation register the credential; other formats count as `none`")
    func genuine() throws {
        let device = SoftAuthenticator.p256()
        let none = try Self.verify(try device.registration(challenge: Self.challenge))
        #expect(none.credentialID == [1, 2, 3, 4, 5, 6, 7, 8] && none.attestationFormat == "none")
        #expect(none.publicKey == (try device.publicKey) && none.signCount == 0 && !none.backupEligible)
        let packed = try Self.verify(
            try device.registration(challenge: Self.challenge, format: "packed", selfAttest: true))
        #expect(packed.attestationFormat == "packed" && packed.userVerified)
        let u2f = try Self.verify(
            try device.registration(
                challenge: Self.challenge, format: "fido-u2f",
                statement: .map([CBORMapEntry(key: .text("sig"), value: .bytes([1]))])))
        #expect(u2f.attestationFormat == "fido-u2f")
        let synced = try Self.verify(try device.registration(challenge: Self.challenge, flags: 0x5d))
        #expect(synced.backupEligible && synced.backedUp)
    }

    @Test("Forged registrations are refused for what they are")
    func forged() throws {
        let device = SoftAuthenticator.p256()
        let other = SoftAuthenticator.p256()
        let cases: [(SoftAuthenticator.Registration, WebAuthnFailure?)] = [
            (
                try device.registration(challenge: Self.challenge, type: "webauthn.get"),
                .wrongType(received: "webauthn.get")
            ),
            (try device.registration(challenge: [9]), .wrongChallenge),
            (
                try device.registration(challenge: Self.challenge, format: "packed", selfAttest: true, signWith: other),
                .badAttestation("Could not verify attestation statement signature (Packed|Self)")
            ),
            (
                try device.registration(
                    challenge: Self.challenge, format: "packed", selfAttest: true, attestationAlg: -257),
                .badAttestation("Credential public key alg -7 did not equal attestation statement alg -257")
            ),
            (
                try device.registration(challenge: Self.challenge, format: "packed"),
                .badAttestation("Attestation statement was missing signature (Packed)")
            ),
            (
                try device.registration(
                    challenge: Self.challenge, statement: .map([CBORMapEntry(key: .text("sig"), value: .bytes([1]))])),
                .badAttestation("None attestation had unexpected attestation statement")
            ),
            (try device.registration(challenge: Self.challenge, flags: 0x05), .noAttestedCredential),
            (try device.registration(challenge: Self.challenge, flags: 0x51), .backedUpWithoutEligibility),
            (try device.registration(challenge: Self.challenge, flags: 0x44), .userNotPresent),
            (try device.registration(challenge: Self.challenge, trailing: [0]), nil),
            (try device.registration(challenge: Self.challenge, credentialID: []), nil),
        ]
        for (registration, failure) in cases {
            if let failure {
                #expect(throws: failure) { try Self.verify(registration) }
            } else {
                #expect(throws: WebAuthnFailure.self) { try Self.verify(registration) }
            }
        }
        #expect(throws: WebAuthnFailure.algorithmNotAllowed(-7)) {
            try Self.verify(try device.registration(challenge: Self.challenge), allowed: [.eddsa, .rs256])
        }
        for object in [
            [0x80], [0xa0], CBOREncoder.encode(.map([CBORMapEntry(key: .text("fmt"), value: .text("none"))])),
        ] {
            let forged = SoftAuthenticator.Registration(
                clientDataJSON: try device.registration(challenge: Self.challenge).clientDataJSON,
                attestationObject: object)
            #expect(throws: WebAuthnFailure.self) { try Self.verify(forged) }
        }
    }
}
