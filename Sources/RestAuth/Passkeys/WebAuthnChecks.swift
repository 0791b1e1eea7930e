import Crypto
import Foundation
import _CryptoExtras

/// What a registration leaves to store (§7.1 step 27).
public struct RegisteredCredential: Sendable, Equatable {
    public var credentialID: [UInt8]
    public var publicKey: COSEKey
    public var signCount: UInt32
    public var aaguid: [UInt8]
    public var backupEligible: Bool
    public var backedUp: Bool
    public var userVerified: Bool
    /// The attestation format as sent (`none`, `packed`, ...). Only `none` and `packed`
    /// self-attestation are verified; any other format is accepted as `none` is: the
    /// credential is trusted as the user's, its make and model are not.
    public var attestationFormat: String
}

extension COSEKey {
    /// Whether `signature` signs `data` under this key, by its algorithm: ECDSA signatures in
    /// DER (§6.5.5), Ed25519's 64 bytes, RSASSA-PKCS1-v1_5 with SHA-256.
    public func verifies(_ signature: [UInt8], for data: [UInt8]) -> Bool {
        switch (algorithm, parameters) {
        case (.es256, .ec2(let x, let y)):
            guard let key = try? P256.Signing.PublicKey(x963Representation: [0x04] + x + y),
                let signature = try? P256.Signing.ECDSASignature(derRepresentation: signature)
            else { return false }
            return key.isValidSignature(signature, for: data)
        case (.es384, .ec2(let x, let y)):
            guard let key = try? P384.Signing.PublicKey(x963Representation: [0x04] + x + y),
                let signature = try? P384.Signing.ECDSASignature(derRepresentation: signature)
            else { return false }
            return key.isValidSignature(signature, for: data)
        case (.es512, .ec2(let x, let y)):
            guard let key = try? P521.Signing.PublicKey(x963Representation: [0x04] + x + y),
                let signature = try? P521.Signing.ECDSASignature(derRepresentation: signature)
            else { return false }
            return key.isValidSignature(signature, for: data)
        case (.eddsa, .okp(let x)):
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: x) else { return false }
            return key.isValidSignature(signature, for: data)
        case (.rs256, .rsa(let n, let e)):
            guard let key = try? _RSA.Signing.PublicKey(n: n, e: e) else { return false }
            return key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: data, padding: .insecurePKCS1v1_5)
        default:
            return false
        }
    }
}

/// What a relying party expects of one ceremony (the options it sent, and its settings).
public struct WebAuthnExpectation: Sendable {
    /// The challenge it issued (once: the caller consumes it atomically before calling).
    public var challenge: [UInt8]
    /// `PASSKEY_RP_ID`.
    public var rpID: String
    /// `PASSKEY_RP_ORIGINS`: compared exactly.
    public var origins: [String]
    /// Whether the options asked for user verification (`required`).
    public var userVerificationRequired: Bool
    /// Whether a ceremony inside a cross-origin iframe is accepted (off by default).
    public var allowCrossOrigin: Bool

    public init(
        challenge: [UInt8], rpID: String, origins: [String], userVerificationRequired: Bool,
        allowCrossOrigin: Bool = false
    ) {
        self.challenge = challenge
        self.rpID = rpID
        self.origins = origins
        self.userVerificationRequired = userVerificationRequired
        self.allowCrossOrigin = allowCrossOrigin
    }
}

/// The relying party's checks of §7.1 and §7.2 that need no storage: the caller finds the
/// challenge and the credential, and stores the outcome.
public enum WebAuthnChecks {
    /// §7.1 steps 7-12 and §7.2 steps 11-16: the client data's type, challenge (compared in
    /// constant time), origin (one of the configured, exactly) and cross-origin flag.
    public static func checkClientData(
        _ clientData: CollectedClientData, type: String, expectation: WebAuthnExpectation
    ) throws(WebAuthnFailure) {
        guard clientData.type == type else { throw .wrongType(received: clientData.type) }
        guard ConstantTime.equals(clientData.challenge, expectation.challenge) else { throw .wrongChallenge }
        guard expectation.origins.contains(clientData.origin) else { throw .wrongOrigin(received: clientData.origin) }
        if (clientData.crossOrigin || clientData.topOrigin != nil) && !expectation.allowCrossOrigin {
            throw .crossOrigin
        }
    }

    /// §7.1 steps 13-16 and §7.2 steps 15-18: the RP ID hash, user presence, and user
    /// verification when the options required it.
    public static func checkAuthenticatorData(
        _ data: AuthenticatorData, expectation: WebAuthnExpectation
    ) throws(WebAuthnFailure) {
        let expected = Array(SHA256.hash(data: Array(expectation.rpID.utf8)))
        guard ConstantTime.equals(data.rpIDHash, expected) else { throw .wrongRPID }
        guard data.userPresent else { throw .userNotPresent }
        if expectation.userVerificationRequired && !data.userVerified { throw .userNotVerified }
    }

    /// §7.1 a registration: client data, the attestation object (`fmt`, `attStmt`, `authData`),
    /// authenticator data with attested credential data, the key's algorithm among those
    /// offered, and the attestation statement: `none` must be empty, `packed` without `x5c` is a
    /// self-attestation whose signature over `authData || SHA-256(clientDataJSON)` must verify
    /// with the credential's own key and algorithm. The backup flags last, as py_webauthn
    /// reads them.
    public static func verifyRegistration(
        clientDataJSON: [UInt8], attestationObject: [UInt8], expectation: WebAuthnExpectation,
        allowedAlgorithms: [COSEKey.Algorithm]
    ) throws(WebAuthnFailure) -> RegisteredCredential {
        let clientData = try CollectedClientData(clientDataJSON)
        try checkClientData(clientData, type: "webauthn.create", expectation: expectation)
        let object: CBORValue
        do {
            object = try CBORDecoder.decode(attestationObject)
        } catch {
            throw .malformed(.attestationObject, "\(error)")
        }
        guard case .map = object, let format = object["fmt"]?.textValue, let statement = object["attStmt"],
            case .map(let statementEntries) = statement, let rawData = object["authData"]?.bytesValue
        else { throw .malformed(.attestationObject, "attestationObject lacks fmt, attStmt or authData") }
        let data: AuthenticatorData
        do {
            data = try AuthenticatorData(rawData)
        } catch {
            throw .malformed(.attestationObject, error.description)
        }
        try checkAuthenticatorData(data, expectation: expectation)
        guard let credential = data.attestedCredential else { throw .noAttestedCredential }
        guard allowedAlgorithms.contains(credential.publicKey.algorithm) else {
            throw .algorithmNotAllowed(credential.publicKey.algorithm.rawValue)
        }
        switch format {
        case "none":
            guard statementEntries.isEmpty else {
                throw .badAttestation("None attestation had unexpected attestation statement")
            }
        case "packed" where statement["x5c"] == nil:
            guard let signature = statement["sig"]?.bytesValue, !signature.isEmpty else {
                throw .badAttestation("Attestation statement was missing signature (Packed)")
            }
            guard let alg = statement["alg"]?.intValue else {
                throw .badAttestation("Attestation statement was missing algorithm (Packed)")
            }
            guard alg == credential.publicKey.algorithm.rawValue else {
                throw .badAttestation(
                    "Credential public key alg \(credential.publicKey.algorithm.rawValue) did not equal attestation statement alg \(alg)"
                )
            }
            guard credential.publicKey.verifies(signature, for: rawData + Array(SHA256.hash(data: clientDataJSON)))
            else { throw .badAttestation("Could not verify attestation statement signature (Packed|Self)") }
        default:
            break
        }
        if data.backedUp && !data.backupEligible { throw .backedUpWithoutEligibility }
        return RegisteredCredential(
            credentialID: credential.credentialID, publicKey: credential.publicKey, signCount: data.signCount,
            aaguid: credential.aaguid, backupEligible: data.backupEligible, backedUp: data.backedUp,
            userVerified: data.userVerified, attestationFormat: format)
    }

    /// §7.2 an assertion: client data, then authenticator data, then the signature over
    /// `authenticatorData || SHA-256(clientDataJSON)` — and only once the signature holds, the
    /// backup flags (against each other and the stored eligibility) and the sign counter (so
    /// nobody who lacks the key can read or move a counter). Answers the new counter to store.
    public static func verifyAssertion(
        clientDataJSON: [UInt8], authenticatorData: [UInt8], signature: [UInt8], publicKey: COSEKey,
        storedSignCount: UInt32, storedBackupEligible: Bool?, expectation: WebAuthnExpectation
    ) throws(WebAuthnFailure) -> (signCount: UInt32, data: AuthenticatorData) {
        let clientData = try CollectedClientData(clientDataJSON)
        try checkClientData(clientData, type: "webauthn.get", expectation: expectation)
        let data: AuthenticatorData
        do {
            data = try AuthenticatorData(authenticatorData)
        } catch {
            throw .malformed(.authenticatorData, error.description)
        }
        // An assertion carries no attested credential data (§6.1: AT is for registrations).
        guard data.attestedCredential == nil else {
            throw .malformed(.authenticatorData, "attested credential data in an assertion")
        }
        try checkAuthenticatorData(data, expectation: expectation)
        let signed = authenticatorData + Array(SHA256.hash(data: clientDataJSON))
        guard publicKey.verifies(signature, for: signed) else { throw .badSignature }
        if data.backedUp && !data.backupEligible { throw .backedUpWithoutEligibility }
        if let storedBackupEligible, storedBackupEligible != data.backupEligible { throw .backupEligibilityChanged }
        // §7.2 step 22: a counter that does not grow, where either is non-zero, is a clone.
        if (data.signCount != 0 || storedSignCount != 0) && data.signCount <= storedSignCount {
            throw .clonedAuthenticator(stored: storedSignCount, received: data.signCount)
        }
        return (data.signCount, data)
    }
}
