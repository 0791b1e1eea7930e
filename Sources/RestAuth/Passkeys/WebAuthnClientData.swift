import Foundation

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
