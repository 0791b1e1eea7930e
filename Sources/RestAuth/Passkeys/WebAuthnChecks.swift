import Crypto
import Foundation
import _CryptoExtras

/// A check of WebAuthn Level 3 §7.1 or §7.2 that a ceremony failed: what the relying party
/// refuses, named so a log line (and a test) can tell one attack from another.
public enum WebAuthnFailure: Error, Sendable, Equatable {
    /// Which bytes did not parse.
    public enum Part: String, Sendable {
        case clientData = "clientDataJSON"
        case attestationObject
        case authenticatorData
    }
    case malformed(Part, String)
    case noAttestedCredential
    case wrongType(received: String)
    case wrongChallenge
    case wrongOrigin(received: String)
    case crossOrigin
    case wrongRPID
    case userNotPresent
    case userNotVerified
    /// `BS` without `BE` (§6.1): a single-device credential cannot be backed up.
    case backedUpWithoutEligibility
    case backupEligibilityChanged
    case badSignature
    case clonedAuthenticator(stored: UInt32, received: UInt32)
    /// The credential's key uses an algorithm the options did not offer.
    case algorithmNotAllowed(Int64)
    /// An attestation statement that does not hold (`none` with members, `packed` without its
    /// signature or algorithm, or one that does not verify): py_webauthn's words for it.
    case badAttestation(String)

    /// What py_webauthn 2's `verify_registration_response` / `verify_authentication_response`
    /// say of the same failure, word for word where it has one (dj-rest-auth's passkeys pass
    /// them on after "Registration verification failed: "), so a client that matches the
    /// reference's answers matches these. `origins` are the configured ones.
    public func message(registration: Bool, origins: [String]) -> String {
        let ceremony = registration ? "attestation" : "authentication"
        switch self {
        case .malformed(let part, _): return "\(part.rawValue) was malformed. See __cause__ for more info"
        case .noAttestedCredential: return "Authenticator did not provide attested credential data"
        case .wrongType(let received):
            return
                "Unexpected client data type \"\(received)\", expected \"\(registration ? "webauthn.create" : "webauthn.get")\""
        case .wrongChallenge: return "Client data challenge was not expected challenge"
        case .wrongOrigin(let received):
            return "Unexpected client data origin \"\(received)\", expected one of \(PythonRepr.list(origins))"
        case .crossOrigin: return "Client data indicated a cross-origin ceremony, which is not accepted"
        case .wrongRPID: return "Unexpected RP ID hash"
        case .userNotPresent:
            return registration
                ? "User presence was required, but was not present during attestation"
                : "User was not present during authentication"
        case .userNotVerified: return "User verification is required but user was not verified during \(ceremony)"
        case .backedUpWithoutEligibility:
            return "Single-device credential indicated that it was backed up, which should be impossible."
        case .backupEligibilityChanged:
            return "Credential changed its backup eligibility, which should be impossible."
        case .badSignature: return "Could not verify authentication signature"
        case .clonedAuthenticator(let stored, let received):
            return "Response sign count of \(received) was not greater than current count of \(stored)"
        case .algorithmNotAllowed(let alg):
            return "Unsupported credential public key alg \"\(alg)\", expected one of: [-8, -7, -257]"
        case .badAttestation(let message): return message
        }
    }
}

/// Python's `repr` of a list of strings (py_webauthn prints the expected origins so).
enum PythonRepr {
    static func string(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where Character(scalar) == quote: out += "\\" + String(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append(quote)
        return out
    }

    static func list(_ items: [String]) -> String {
        "[" + items.map(string).joined(separator: ", ") + "]"
    }
}

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

/// `clientDataJSON` (§5.8.1), parsed: what the browser says of the ceremony.
public struct CollectedClientData: Sendable, Equatable {
    public var type: String
    public var challenge: [UInt8]
    public var origin: String
    public var crossOrigin: Bool
    public var topOrigin: String?

    public init(_ bytes: [UInt8]) throws(WebAuthnFailure) {
        guard case .object(let object)? = try? JSONValue.parse(bytes) else {
            throw .malformed(.clientData, "clientDataJSON is not a JSON object")
        }
        guard let type = object["type"]?.stringValue, let challenge = object["challenge"]?.stringValue,
            let origin = object["origin"]?.stringValue
        else { throw .malformed(.clientData, "clientDataJSON lacks type, challenge or origin") }
        guard let decoded = DjangoSigner.b64Decode(Substring(challenge)) else {
            throw .malformed(.clientData, "the challenge is not base64url")
        }
        self.type = type
        self.challenge = decoded
        self.origin = origin
        switch object["crossOrigin"] {
        case nil, .null?: crossOrigin = false
        case .bool(let flag)?: crossOrigin = flag
        default: throw .malformed(.clientData, "crossOrigin is not a boolean")
        }
        switch object["topOrigin"] {
        case nil, .null?: topOrigin = nil
        case .string(let value)?: topOrigin = value
        default: throw .malformed(.clientData, "topOrigin is not a string")
        }
    }
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
