import Foundation

/// Why an authenticator's bytes are refused.
public enum WebAuthnDataError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated(String)
    case trailingBytes
    case invalid(String)
    case cbor(CBORError)

    public var description: String {
        switch self {
        case .truncated(let what): "authenticator data cut short: \(what)"
        case .trailingBytes: "bytes after the authenticator data"
        case .invalid(let what): what
        case .cbor(let error): error.description
        }
    }
}

/// The authenticator data of WebAuthn Level 3 §6.1, read strictly: the RP ID hash, the flags,
/// the signature counter, the attested credential data (§6.5.1) when `AT` says it is there, and
/// the extension outputs when `ED` says so; nothing before, between or after.
public struct AuthenticatorData: Sendable, Equatable {
    /// SHA-256 of the RP ID the authenticator scoped the credential to.
    public var rpIDHash: [UInt8]
    public var flags: UInt8
    public var signCount: UInt32
    public var attestedCredential: AttestedCredentialData?
    public var extensions: CBORValue?

    /// User present (`UP`, bit 0).
    public var userPresent: Bool { flags & 0x01 != 0 }
    /// User verified (`UV`, bit 2).
    public var userVerified: Bool { flags & 0x04 != 0 }
    /// Backup eligible (`BE`, bit 3): may the credential be synced? Fixed for a credential's life.
    public var backupEligible: Bool { flags & 0x08 != 0 }
    /// Backed up (`BS`, bit 4).
    public var backedUp: Bool { flags & 0x10 != 0 }

    /// The largest credential id WebAuthn allows (§5.8.3, `credentialIdLength`).
    public static let maximumCredentialIDLength = 1023

    public init(_ bytes: [UInt8]) throws(WebAuthnDataError) {
        guard bytes.count >= 37 else { throw .truncated("the 37 fixed bytes") }
        rpIDHash = Array(bytes[0..<32])
        flags = bytes[32]
        signCount = bytes[33..<37].reduce(0) { $0 << 8 | UInt32($1) }
        // §6.1 allows BS only with BE: the relying party's checks refuse it (after the
        // signature, where the reference refuses it too), so the bytes still parse here.
        var position = 37
        if flags & 0x40 != 0 {
            guard bytes.count >= position + 18 else { throw .truncated("the attested credential data") }
            let aaguid = Array(bytes[position..<position + 16])
            let length = Int(bytes[position + 16]) << 8 | Int(bytes[position + 17])
            position += 18
            guard length > 0, length <= Self.maximumCredentialIDLength else {
                throw .invalid("credential id length \(length)")
            }
            guard bytes.count >= position + length else { throw .truncated("the credential id") }
            let credentialID = Array(bytes[position..<position + length])
            position += length
            let key: CBORValue
            let used: Int
            do {
                (key, used) = try CBORDecoder.decodePrefix(bytes[position...])
            } catch {
                throw .cbor(error)
            }
            let keyBytes = Array(bytes[position..<position + used])
            position += used
            attestedCredential = AttestedCredentialData(
                aaguid: aaguid, credentialID: credentialID, publicKey: try COSEKey(key, encoded: keyBytes))
        } else {
            attestedCredential = nil
        }
        if flags & 0x80 != 0 {
            let value: CBORValue
            let used: Int
            do {
                (value, used) = try CBORDecoder.decodePrefix(bytes[position...])
            } catch {
                throw .cbor(error)
            }
            guard case .map = value else { throw .invalid("extension outputs are not a map") }
            extensions = value
            position += used
        } else {
            extensions = nil
        }
        guard position == bytes.count else { throw .trailingBytes }
    }
}

/// §6.5.1: the authenticator's model, the credential's id and its public key.
public struct AttestedCredentialData: Sendable, Equatable {
    public var aaguid: [UInt8]
    public var credentialID: [UInt8]
    public var publicKey: COSEKey
}

/// A credential public key (COSE, RFC 9052/9053 as WebAuthn §5.8.5 uses it), checked against
/// its algorithm: the curve and coordinate sizes of EC2 keys, Ed25519 for EdDSA, a modulus of
/// 2048 bits or more for RSA.
public struct COSEKey: Sendable, Equatable {
    /// COSE algorithm identifiers WebAuthn relying parties use.
    public enum Algorithm: Int64, Sendable, CaseIterable {
        case es256 = -7
        case eddsa = -8
        case es384 = -35
        case es512 = -36
        case rs256 = -257
    }

    public enum Parameters: Sendable, Equatable {
        /// An uncompressed point on the algorithm's curve.
        case ec2(x: [UInt8], y: [UInt8])
        case okp(x: [UInt8])
        /// Modulus and exponent, big-endian without leading zeros.
        case rsa(n: [UInt8], e: [UInt8])
    }

    public var algorithm: Algorithm
    public var parameters: Parameters
    /// The key as the authenticator wrote it (what the `public_key` column keeps).
    public var encoded: [UInt8]

    /// - Parameter encoded: the bytes `value` was read from (else it is encoded again).
    public init(_ value: CBORValue, encoded: [UInt8]? = nil) throws(WebAuthnDataError) {
        guard case .map = value else { throw .invalid("the credential public key is not a map") }
        guard let kty = value[1]?.intValue else { throw .invalid("the credential public key has no kty") }
        guard let alg = value[3]?.intValue, let algorithm = Algorithm(rawValue: alg) else {
            throw .invalid("unsupported public key algorithm")
        }
        self.algorithm = algorithm
        self.encoded = encoded ?? CBOREncoder.encode(value)
        switch algorithm {
        case .es256, .es384, .es512:
            let (curve, size): (Int64, Int) =
                switch algorithm {
                case .es256: (1, 32)
                case .es384: (2, 48)
                default: (3, 66)
                }
            guard kty == 2, value[-1]?.intValue == curve, let x = value[-2]?.bytesValue,
                let y = value[-3]?.bytesValue, x.count == size, y.count == size
            else { throw .invalid("the EC2 key does not match its algorithm") }
            parameters = .ec2(x: x, y: y)
        case .eddsa:
            guard kty == 1, value[-1]?.intValue == 6, let x = value[-2]?.bytesValue, x.count == 32 else {
                throw .invalid("the OKP key is not Ed25519")
            }
            parameters = .okp(x: x)
        case .rs256:
            guard kty == 3, let n = value[-1]?.bytesValue, let e = value[-2]?.bytesValue else {
                throw .invalid("the RSA key lacks its modulus or exponent")
            }
            let modulus = Array(n.drop(while: { $0 == 0 }))
            let exponent = Array(e.drop(while: { $0 == 0 }))
            guard modulus.count >= 256, modulus.count <= 1024, !exponent.isEmpty, exponent.count <= 8,
                exponent.last! & 1 == 1
            else { throw .invalid("the RSA key's size or exponent is not acceptable") }
            parameters = .rsa(n: modulus, e: exponent)
        }
    }
}
