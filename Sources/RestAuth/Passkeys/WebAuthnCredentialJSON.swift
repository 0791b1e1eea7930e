import Foundation

/// `PublicKeyCredential.toJSON()` as a client posts it (RegistrationResponseJSON,
/// AuthenticationResponseJSON), read as py_webauthn's `parse_*_credential_json` reads it and
/// refused with its words: binary members in base64url (read strictly here, where Python's
/// decoder skips stray characters), `id` the base64url of `rawId`.
enum WebAuthnCredentialJSON {
    /// A credential refused before any WebAuthn check, with py_webauthn's message.
    struct Refusal: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    struct Registration {
        var rawID: [UInt8]
        var clientDataJSON: [UInt8]
        var attestationObject: [UInt8]
    }

    struct Assertion {
        var rawID: [UInt8]
        var clientDataJSON: [UInt8]
        var authenticatorData: [UInt8]
        var signature: [UInt8]
        var userHandle: [UInt8]?
    }

    /// The largest member read (a client data or attestation object is a few hundred bytes;
    /// the body limit bounds the rest).
    static let maximumMemberLength = 64 * 1024

    static func registration(_ value: JSONValue) throws -> Registration {
        let (object, response, rawID) = try common(value)
        let clientData = try member(response, "clientDataJSON")
        let attestation = try member(response, "attestationObject")
        try checkTypeAndAttachment(object)
        let cause = "Could not parse registration credential from JSON data. See __cause__ for more info"
        guard let raw = decode(rawID), let clientDataBytes = decode(clientData),
            let attestationBytes = decode(attestation)
        else { throw Refusal(cause) }
        try checkID(object, raw)
        return Registration(rawID: raw, clientDataJSON: clientDataBytes, attestationObject: attestationBytes)
    }

    static func assertion(_ value: JSONValue) throws -> Assertion {
        let (object, response, rawID) = try common(value)
        let clientData = try member(response, "clientDataJSON")
        let authenticatorData = try member(response, "authenticatorData")
        let signature = try member(response, "signature")
        try checkTypeAndAttachment(object)
        let cause = "Could not parse authentication credential from JSON data. See __cause__ for more info"
        var userHandle: [UInt8]?
        switch response["userHandle"] {
        case nil, .null?: userHandle = nil
        case .string(let text)?:
            guard let bytes = decode(text) else { throw Refusal(cause) }
            userHandle = bytes
        default: throw Refusal("Credential response had unexpected userHandle")
        }
        guard let raw = decode(rawID), let clientDataBytes = decode(clientData),
            let authenticatorBytes = decode(authenticatorData), let signatureBytes = decode(signature)
        else { throw Refusal(cause) }
        try checkID(object, raw)
        return Assertion(
            rawID: raw, clientDataJSON: clientDataBytes, authenticatorData: authenticatorBytes,
            signature: signatureBytes, userHandle: userHandle)
    }

    private static func common(_ value: JSONValue) throws -> (JSONObject, JSONObject, String) {
        var value = value
        if case .string(let text) = value {
            // py_webauthn reads a credential sent as a JSON text too.
            guard text.utf8.count <= maximumMemberLength * 4, let parsed = try? JSONValue.parse(Array(text.utf8))
            else { throw Refusal("Unable to decode credential as JSON") }
            value = parsed
        }
        guard case .object(let object) = value else { throw Refusal("Credential was not a JSON object") }
        guard object["id"]?.stringValue != nil else { throw Refusal("Credential missing required id") }
        guard let rawID = object["rawId"]?.stringValue else { throw Refusal("Credential missing required rawId") }
        guard case .object(let response)? = object["response"] else {
            throw Refusal("Credential missing required response")
        }
        return (object, response, rawID)
    }

    /// A string member of `response`, in py_webauthn's order and words when it is missing.
    private static func member(_ response: JSONObject, _ name: String) throws -> String {
        guard let text = response[name]?.stringValue else {
            throw Refusal("Credential response missing required \(name)")
        }
        return text
    }

    private static func checkTypeAndAttachment(_ object: JSONObject) throws {
        guard object["type"]?.stringValue == "public-key" else { throw Refusal("Credential had unexpected type") }
        if let attachment = object["authenticatorAttachment"]?.stringValue,
            attachment != "platform" && attachment != "cross-platform"
        {
            throw Refusal("Credential had unexpected authenticatorAttachment")
        }
    }

    /// FIDO's check, first of py_webauthn's: `id` is `rawId` in base64url.
    private static func checkID(_ object: JSONObject, _ raw: [UInt8]) throws {
        guard object["id"]?.stringValue == DjangoSigner.b64Encode(raw) else {
            throw Refusal("id and raw_id were not equivalent")
        }
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count <= maximumMemberLength else { return nil }
        return DjangoSigner.b64Decode(Substring(text))
    }
}
