import Foundation

// The CBOR decoder of passkeys (attestation objects, COSE keys): every input gets an answer
// quickly; what decodes encodes back (shortest form) to bytes that decode to the same value, no
// longer than the input; and a prefix decode takes exactly the bytes the whole decode does.
// The same bytes as authenticator data (WebAuthn §6.1): what parses agrees with its flags, and its
// credential key's bytes read back as the same key.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCBOR(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let whole = try? CBORDecoder.decode(bytes)
    let prefix = try? CBORDecoder.decodePrefix(bytes[...])
    if let whole {
        let encoded = CBOREncoder.encode(whole)
        guard encoded.count <= bytes.count else { fatalError("encoding grew: \(encoded.count) > \(bytes.count)") }
        guard (try? CBORDecoder.decode(encoded)) == whole else { fatalError("round trip changed the value") }
        guard let prefix, prefix.0 == whole, prefix.1 == bytes.count else {
            fatalError("prefix decode disagrees with the whole decode")
        }
    }
    if let (value, used) = prefix {
        guard used > 0, used <= bytes.count else { fatalError("prefix took \(used) of \(bytes.count) bytes") }
        guard (try? CBORDecoder.decode(Array(bytes[..<used]))) == value else {
            fatalError("the prefix's bytes do not decode alone to the same value")
        }
        if used < bytes.count, whole != nil { fatalError("whole decode accepted trailing bytes") }
    }
    if let parsed = try? AuthenticatorData(bytes) {
        guard parsed.rpIDHash.count == 32 else {
            fatalError("authenticator data with inconsistent fields")
        }
        guard (parsed.attestedCredential != nil) == (bytes[32] & 0x40 != 0),
            (parsed.extensions != nil) == (bytes[32] & 0x80 != 0)
        else { fatalError("AT or ED disagrees with what was read") }
        if let credential = parsed.attestedCredential {
            guard (1...AuthenticatorData.maximumCredentialIDLength).contains(credential.credentialID.count),
                let again = try? COSEKey(CBORDecoder.decode(credential.publicKey.encoded)),
                again.algorithm == credential.publicKey.algorithm, again.parameters == credential.publicKey.parameters
            else { fatalError("the credential key does not read back") }
        }
    }
    return 0
}
