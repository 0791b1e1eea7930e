import Foundation
import RestAuth
import Testing

@Suite("Authenticator data and COSE keys, read strictly")
struct AuthenticatorDataTests {
    static func ec2(alg: Int64 = -7, crv: Int64 = 1, size: Int = 32, kty: Int64 = 2) -> CBORValue {
        .map([
            CBORMapEntry(key: .int(1), value: .int(kty)), CBORMapEntry(key: .int(3), value: .int(alg)),
            CBORMapEntry(key: .int(-1), value: .int(crv)),
            CBORMapEntry(key: .int(-2), value: .bytes([UInt8](repeating: 1, count: size))),
            CBORMapEntry(key: .int(-3), value: .bytes([UInt8](repeating: 2, count: size))),
        ])
    }

    static func rsa(bits: Int = 2048, exponent: [UInt8] = [1, 0, 1]) -> CBORValue {
        .map([
            CBORMapEntry(key: .int(1), value: .int(3)), CBORMapEntry(key: .int(3), value: .int(-257)),
            CBORMapEntry(key: .int(-1), value: .bytes([0x80] + [UInt8](repeating: 7, count: bits / 8 - 1))),
            CBORMapEntry(key: .int(-2), value: .bytes(exponent)),
        ])
    }

    static func data(
        flags: UInt8 = 0x45, count: UInt32 = 7, credentialID: [UInt8] = [9, 9, 9, 9], key: CBORValue? = ec2(),
        extensions: CBORValue? = nil, trailing: [UInt8] = []
    ) -> [UInt8] {
        var out = [UInt8](repeating: 0xaa, count: 32) + [flags]
        out += [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
        if flags & 0x40 != 0 {
            out +=
                [UInt8](repeating: 0, count: 16) + [UInt8(credentialID.count >> 8), UInt8(credentialID.count & 0xff)]
            out += credentialID
            if let key { out += CBOREncoder.encode(key) }
        }
        if let extensions { out += CBOREncoder.encode(extensions) }
        return out + trailing
    }

    @Test("A registration's data: flags, counter, credential id and an ES256 key")
    func registration() throws {
        let parsed = try AuthenticatorData(Self.data(flags: 0x5d, count: 0x0102_0304))
        #expect(parsed.rpIDHash == [UInt8](repeating: 0xaa, count: 32))
        #expect(parsed.userPresent && parsed.userVerified && parsed.backupEligible && parsed.backedUp)
        #expect(parsed.signCount == 0x0102_0304)
        let credential = try #require(parsed.attestedCredential)
        #expect(credential.credentialID == [9, 9, 9, 9])
        #expect(credential.publicKey.algorithm == .es256)
        #expect(credential.publicKey.encoded == CBOREncoder.encode(Self.ec2()))
        let assertion = try AuthenticatorData(Self.data(flags: 0x01))
        #expect(assertion.attestedCredential == nil && assertion.userPresent && !assertion.userVerified)
        let withExtensions = try AuthenticatorData(
            Self.data(flags: 0xc5, extensions: .map([CBORMapEntry(key: .text("credProtect"), value: .int(2))])))
        #expect(withExtensions.extensions?["credProtect"]?.intValue == 2)
    }

    @Test("Refused: short, trailing bytes, bad lengths, extensions that are not a map")
    func refused() {
        let cases: [[UInt8]] = [
            [], [UInt8](repeating: 0, count: 36), Self.data(flags: 0x01, trailing: [0]),
            Self.data(trailing: [0xa0]), Self.data(credentialID: []),
            Self.data(credentialID: [UInt8](repeating: 1, count: 1024)),
            Array(Self.data().dropLast()), Array(Self.data().prefix(37 + 18 + 2)),
            Self.data(flags: 0x81, extensions: .int(1)), Self.data(flags: 0x81),
            Self.data(key: .array([])), Self.data(flags: 0x41, key: nil),
        ]
        for bytes in cases {
            #expect(throws: WebAuthnDataError.self, "\(bytes.count) bytes") { try AuthenticatorData(bytes) }
        }
    }

    @Test("A key must match its algorithm: curve, sizes, Ed25519, RSA's modulus and exponent")
    func keys() throws {
        #expect(try COSEKey(Self.ec2()).algorithm == .es256)
        #expect(try COSEKey(Self.ec2(alg: -35, crv: 2, size: 48)).algorithm == .es384)
        #expect(try COSEKey(Self.ec2(alg: -36, crv: 3, size: 66)).algorithm == .es512)
        #expect(try COSEKey(Self.rsa()).algorithm == .rs256)
        let ed: CBORValue = .map([
            CBORMapEntry(key: .int(1), value: .int(1)), CBORMapEntry(key: .int(3), value: .int(-8)),
            CBORMapEntry(key: .int(-1), value: .int(6)),
            CBORMapEntry(key: .int(-2), value: .bytes(.init(repeating: 3, count: 32))),
        ])
        #expect(try COSEKey(ed).algorithm == .eddsa)
        let bad: [CBORValue] = [
            Self.ec2(crv: 2), Self.ec2(size: 31), Self.ec2(size: 33), Self.ec2(kty: 3), Self.ec2(alg: -35),
            Self.ec2(alg: -9), Self.rsa(bits: 1024), Self.rsa(exponent: [1, 0, 0]), Self.rsa(exponent: []),
            .map([
                CBORMapEntry(key: .int(1), value: .int(1)), CBORMapEntry(key: .int(3), value: .int(-8)),
                CBORMapEntry(key: .int(-1), value: .int(5)),
                CBORMapEntry(key: .int(-2), value: .bytes(.init(repeating: 3, count: 32))),
            ]),
            .int(1), .map([]),
        ]
        for key in bad {
            #expect(throws: WebAuthnDataError.self, "\(key)") { try COSEKey(key) }
        }
    }
}
