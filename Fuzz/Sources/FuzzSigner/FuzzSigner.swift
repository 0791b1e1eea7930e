import Crypto
import Foundation

// Django's signing as sessions, confirmation keys and reset tokens use it. The first byte
// picks what the rest feeds:
//   0  DjangoSigner.b64Decode, checked against b64Encode
//   1  DjangoSigner.b62Decode, checked against b62Encode
//   2  Zlib.decompress (bounded output), and compress/decompress round trip
//   3  unsignObject / timestampUnsign / EmailConfirmationKey / reset-token check on the
//      text as given (forged: only the splitting is reached)
//   4  the text signed with the right key first, so b62 timestamps, the "." compression
//      flag, base64 and zlib behind the signature are reached, then parsed as session JSON
//   5  signObject/unsignObject round trip of the bytes
private let secret = "django-insecure-fuzz-secret-key-0123456789abcdefghijklmnop"
private let sessions = DjangoSigner(secret: secret, salt: "django.contrib.sessions.SessionStore")
private let confirmations = EmailConfirmationKey(secretKey: secret, expireDays: 3)
private let resets = PasswordResetTokenGenerator(secret: secret, timeout: 259_200)
private let user = PasswordResetTokenGenerator.UserState(
    pk: "1", password: "pbkdf2_sha256$1000000$salt$hash", lastLogin: nil, email: "a@example.com", addresses: [])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSigner(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    hmacSelfTest
    guard size > 0, let data else { return 0 }
    let all = Array(UnsafeBufferPointer(start: data, count: size))
    let bytes = Array(all[1...])
    let text = String(decoding: bytes, as: UTF8.self)
    switch all[0] % 6 {
    case 0:
        guard let decoded = DjangoSigner.b64Decode(Substring(text)) else { return 0 }
        let encoded = DjangoSigner.b64Encode(decoded)
        guard DjangoSigner.b64Decode(Substring(encoded)) == decoded else { fatalError("base 64 round trip") }
        let stripped = text.utf8.reversed().drop(while: { $0 == UInt8(ascii: "=") }).count
        guard decoded.count == stripped * 3 / 4 else { fatalError("base 64 length: \(text.debugDescription)") }
    case 1:
        guard let value = DjangoSigner.b62Decode(Substring(text)) else { return 0 }
        guard value >= 0, DjangoSigner.b62Decode(Substring(DjangoSigner.b62Encode(value))) == value else {
            fatalError("base 62 round trip: \(text.debugDescription)")
        }
    case 2:
        if let inflated = Zlib.decompress(bytes) {
            guard inflated.count <= 1 << 20 else { fatalError("inflated past the limit") }
        }
        guard let deflated = Zlib.compress(bytes), Zlib.decompress(deflated, limit: bytes.count) == bytes else {
            fatalError("zlib round trip")
        }
    case 3:
        if let json = sessions.unsignObject(text) { _ = try? JSONParser.parse(json) }
        _ = sessions.timestampUnsign(text, maxAge: 1_209_600)
        _ = confirmations.addressID(from: text)
        _ = resets.check(text, for: user)
    case 4:
        let signed = sessions.sign(text)
        if let json = sessions.unsignObject(signed, maxAge: nil) { _ = try? JSONParser.parse(json) }
        _ = sessions.unsignObject(signed, maxAge: 1_209_600)
    default:
        let signed = sessions.signObject(json: bytes)
        guard sessions.unsignObject(signed, maxAge: 60) == bytes else { fatalError("signObject round trip") }
    }
    return 0
}

// RFC 4231, test case 2, and a session Django 5.2 signed (Corpus/make-seeds.py): the
// stand-in HMAC-SHA256 (Fuzz/Sources/Crypto) is the real one, and the signer reads Django.
private let hmacSelfTest: Void = {
    let key = SymmetricKey(data: Array("Jefe".utf8))
    let code = HMAC<SHA256>.authenticationCode(for: Array("what do ya want for nothing?".utf8), using: key)
    let hex = code.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
    guard hex.joined() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" else {
        fatalError("the HMAC-SHA256 stand-in is wrong")
    }
    let django =
        ".eJyrVopPLC3JiC8tTi2Kz0xRslIyVNJBFktKTM5OzQNJpGQl5qXn6yXn55UUZSbpgZToQWWL9XzzU1JznKBqUQzISCzOAOo2oBAo1QIAIvYyTQ:1xXzhN:zF8yoLlO28bsLbJ3jffAPyO209w7hA7ua511EauXHAc"
    guard let json = sessions.unsignObject(django), case .object(let session)? = try? JSONParser.parse(json),
        session["_auth_user_id"] == "1"
    else { fatalError("Django's session does not read") }
}()
