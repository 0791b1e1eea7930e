/// A compact JWT (`header.payload.signature`) taken apart before any signature check: the
/// two encoded segments as written, the signature's bytes and the signing input. Reading
/// the header or the claims is left to the caller, who decides when to trust them.
///
/// Plain Swift with no cryptography, so the fuzz targets (Fuzz/) read tokens exactly as
/// ``JWTCodec/decode(_:)`` does.
struct CompactJWT: Sendable {
    /// Longer tokens are refused before they are split.
    static let maximumLength = 8192

    let headerSegment: Substring
    let payloadSegment: Substring
    let signature: [UInt8]
    /// `header.payload`, the bytes the signature signs.
    let signingInput: [UInt8]

    /// Nil for a token longer than ``maximumLength``, not of three segments, or whose
    /// signature segment is not base64url.
    init?(_ token: String) {
        guard token.utf8.count <= Self.maximumLength else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = DjangoSigner.b64Decode(parts[2]) else { return nil }
        self.headerSegment = parts[0]
        self.payloadSegment = parts[1]
        self.signature = signature
        self.signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
    }

    /// The header, when it is a base64url JSON object.
    var header: JSONObject? { Self.object(headerSegment) }

    /// The claims, when the payload is a base64url JSON object.
    var claims: JSONObject? { Self.object(payloadSegment) }

    private static func object(_ segment: Substring) -> JSONObject? {
        guard let bytes = DjangoSigner.b64Decode(segment), case .object(let object)? = try? JSONParser.parse(bytes)
        else { return nil }
        return object
    }
}
