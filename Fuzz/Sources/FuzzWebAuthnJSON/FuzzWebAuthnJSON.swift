import Foundation

// What a client posts to the passkey routes: the bytes as a JSON body read as a registration and
// as an assertion (PublicKeyCredential.toJSON()), and as clientDataJSON. Every input gets an
// answer quickly; a credential that is read has `id` equal to the base64url of `rawId` and
// members within their bound; client data that is read has a challenge that encodes back to
// the same bytes (base64 with stray low bits in its last character reads as the canonical form
// does: the bytes, not the text, are compared with the challenge issued).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebAuthnJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let value = try? JSONValue.parse(bytes) {
        check(value)
        // A credential sent as a JSON text, as py_webauthn also accepts.
        check(.string(String(decoding: bytes, as: UTF8.self)))
    }
    if let clientData = try? CollectedClientData(bytes) {
        guard case .object(let object)? = try? JSONValue.parse(bytes),
            let sent = object["challenge"]?.stringValue,
            DjangoSigner.b64Decode(Substring(sent)) == clientData.challenge,
            DjangoSigner.b64Decode(Substring(DjangoSigner.b64Encode(clientData.challenge))) == clientData.challenge
        else { fatalError("the challenge read is not the one sent") }
    }
    return 0
}

private func check(_ value: JSONValue) {
    let limit = WebAuthnCredentialJSON.maximumMemberLength
    if let registration = try? WebAuthnCredentialJSON.registration(value) {
        guard registration.rawID.count <= limit, registration.clientDataJSON.count <= limit,
            registration.attestationObject.count <= limit
        else { fatalError("a member over its bound was read") }
        guard case .object(let object) = resolved(value), object["id"]?.stringValue == DjangoSigner.b64Encode(registration.rawID)
        else { fatalError("a registration whose id is not its rawId was read") }
    }
    if let assertion = try? WebAuthnCredentialJSON.assertion(value) {
        guard assertion.signature.count <= limit, assertion.authenticatorData.count <= limit else {
            fatalError("a member over its bound was read")
        }
        guard case .object(let object) = resolved(value), object["id"]?.stringValue == DjangoSigner.b64Encode(assertion.rawID)
        else { fatalError("an assertion whose id is not its rawId was read") }
    }
}

private func resolved(_ value: JSONValue) -> JSONValue {
    if case .string(let text) = value, let parsed = try? JSONValue.parse(Array(text.utf8)) { return parsed }
    return value
}
