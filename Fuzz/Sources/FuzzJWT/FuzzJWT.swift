import Foundation

// The reading half of JWTCodec.decode (CompactJWT: split, base64url, JSON; the signature
// check is jwt-kit's and not reached here). Any text gets an answer quickly; a token that
// splits is its signing input, a dot and its signature segment; and claims written the
// way JWTCodec.encode writes them read back equal.
private let ourHeader = Substring(DjangoSigner.b64Encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    if let token = CompactJWT(text) {
        let signatureSegment = text.split(separator: ".", omittingEmptySubsequences: false)[2]
        guard token.signingInput + [UInt8(ascii: ".")] + Array(signatureSegment.utf8) == Array(text.utf8) else {
            fatalError("signing input is not the token's first two segments")
        }
        if token.headerSegment != ourHeader { _ = token.header?["alg"] == .string("HS256") }
        _ = token.claims
    }
    // The text's bytes as claims: when they are a JSON object, a token made of them
    // (with a fuzzer-chosen signature) reads them back.
    if case .object(let claims)? = try? JSONParser.parse(bytes) {
        let made =
            ourHeader + "." + DjangoSigner.b64Encode(JSONValue.object(claims).serialized()) + "."
            + DjangoSigner.b64Encode(Array(bytes.prefix(64)))
        if made.utf8.count <= CompactJWT.maximumLength {
            guard let token = CompactJWT(String(made)), token.claims == claims, token.header?["alg"] == "HS256" else {
                fatalError("a well-formed token did not read back")
            }
        }
    }
    return 0
}
