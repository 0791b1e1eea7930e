import Foundation
import Testing

@testable import RestAuth

/// The formats a Django database and an authenticator app agree on, checked against
/// values computed by RFC 6238, pyotp and Django's signing (secret key
/// `test-secret-key-0123456789`).
@Suite("TOTP, recovery codes and the MFA tokens in the reference's formats")
struct TOTPTests {
    @Test("RFC 6238's SHA-1 vectors (8 digits, 30 s)")
    func rfc6238() throws {
        // The RFC's key is the ASCII "12345678901234567890".
        let totp = try #require(TOTP(base32Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", digits: 8, period: 30))
        let vectors: [(TimeInterval, String)] = [
            (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
        ]
        for (time, code) in vectors {
            #expect(totp.code(step: totp.step(at: Date(timeIntervalSince1970: time))) == code)
        }
    }

    @Test("pyotp's code, secret format and provisioning URI")
    func pyotp() throws {
        let totp = try #require(TOTP(base32Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", digits: 6, period: 30))
        #expect(totp.code(step: totp.step(at: Date(timeIntervalSince1970: 1_700_000_000))) == "406058")
        // Lower case and padding are read as b32decode(casefold=True) reads them.
        #expect(TOTP(base32Secret: "jbswy3dpehpk3pxp", digits: 6, period: 30)?.key == Base32.decode("JBSWY3DPEHPK3PXP"))
        #expect(Base32.decode("JBSWY3DP====") != nil)
        #expect(Base32.decode("JBSW1") == nil)
        #expect(Base32.decode("JB=SW") == nil)
        let secret = TOTP.randomSecret()
        #expect(secret.count == 32 && secret.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) })
        #expect(
            TOTP.provisioningURI(
                secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", name: "alice+x@example.com", issuer: "Example Co",
                digits: 6, period: 30)
                == "otpauth://totp/Example%20Co:alice%2Bx%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example%20Co"
        )
        #expect(
            TOTP.provisioningURI(
                secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", name: "bob", issuer: nil, digits: 8, period: 60)
                == "otpauth://totp/bob?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&digits=8&period=60")
    }

    @Test("Recovery codes derived from a seed as dj-rest-auth derives them, with the used mask")
    func recoveryCodes() throws {
        let codes = try #require(
            RecoveryCodes(
                seedHex: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", usedMask: 0b101))
        #expect(
            codes.all(count: 10) == [
                "d282-9cb6", "93ae-4ee8", "2b05-5d17", "3e22-ddfd", "ac93-0c70", "6db7-4317", "9f69-7315",
                "e30d-77fc", "3a3b-4aa7", "bf74-5c1f",
            ])
        #expect(codes.unused(count: 4) == ["93ae-4ee8", "3e22-ddfd"])
        #expect(codes.unusedIndex(of: "d282-9cb6", count: 10) == nil)  // used
        #expect(codes.unusedIndex(of: "3e22-ddfd", count: 10) == 3)
        #expect(codes.unusedIndex(of: "bf74-5c1f", count: 9) == nil)  // beyond the count
        #expect(RecoveryCodes.normalize(" 3E22-DDFD ") == "3e22-ddfd")
        #expect(RecoveryCodes.normalize("３e２２-ddfd") == "3e22-ddfd")  // full width
        #expect(RecoveryCodes.normalize("3e22ddfd") == nil)
        #expect(RecoveryCodes.normalize("é") == nil)
        #expect(RecoveryCodes(seedHex: "xyz", usedMask: 0) == nil)
        // The stored form: a mask this server cannot read offers nothing (never "all unused").
        let seed: JSONValue = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
        #expect(MFAService.recoveryCodes(["seed": seed])?.usedMask == 0)
        #expect(MFAService.recoveryCodes(["seed": seed, "used_mask": 5])?.usedMask == 5)
        #expect(MFAService.recoveryCodes(["seed": seed, "used_mask": .double(1e20)]) == nil)
        #expect(MFAService.recoveryCodes(["seed": seed, "used_mask": -1]) == nil)
        #expect(MFAService.recoveryCodes(["seed": seed, "used_mask": "3"]) == nil)
        #expect(MFAService.recoveryCodes(["used_mask": 0]) == nil)
        #expect(RecoveryCodes.newSeed().count == 64)
    }

    @Test("The stored secret, the ephemeral token and the activation token are Django's")
    func djangoSigning() throws {
        let configuration = testConfiguration { $0.mfa.enabled = true }
        let mfa = MFAService(configuration: configuration)
        // Signer(salt='dj-rest-auth-mfa-totp-secret').sign(...)
        #expect(
            mfa.secretSigner.sign("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
                == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP:dz6iCFDm14GQY-BBw_N_oAi1uC83r7nYZi6Q2QiVEB0")
        let at = Date(timeIntervalSince1970: 1_700_000_000)
        // TimestampSigner(salt='dj-rest-auth-mfa').sign("7") at that moment
        #expect(
            mfa.ephemeralSigner.timestampSign("7", at: at) == "7:1r31eq:pG6uol1CKY_hOJ9mfFA7W4O9UZj6blDN3DsNHnVo03M")
        // signing.dumps({'uid': 7, 'secret': ...}, salt='dj-rest-auth-mfa-activation')
        let django =
            "eyJ1aWQiOjcsInNlY3JldCI6IkpCU1dZM0RQRUhQSzNQWFBKQlNXWTNEUEVIUEszUFhQIn0:1r31eq:snE21R9hm49Lsn5N1ZeHgPG1KkSA21uLb3z3A-6AFO4"
        let payload: JSONValue = ["uid": 7, "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"]
        #expect(mfa.activationSigner.signObject(json: payload.serialized(), compress: false, at: at) == django)
        #expect(mfa.activationSigner.unsignObject(django).flatMap { try? JSONValue.parse($0) } == payload)
    }

    @Test("Codes are read after NFKC: full-width digits count, anything else is no code")
    func normalization() {
        let mfa = MFAService(configuration: testConfiguration { $0.mfa.enabled = true })
        #expect(mfa.normalizeTOTP("９７５９３９") == "975939")
        #expect(mfa.normalizeTOTP(" 975939\n") == "975939")
        #expect(mfa.normalizeTOTP("１２３４５") == nil)
        #expect(mfa.normalizeTOTP("é") == nil)
        #expect(mfa.normalizeTOTP("97593９9") == nil)
        #expect(mfa.normalizeTOTP("٩٧٥٩٣٩") == nil)  // Arabic-Indic digits are not ASCII after NFKC
    }
}
