import Foundation

/// allauth's `EmailConfirmationHMAC` key: `signing.dumps(email_address.pk, salt="account")`,
/// valid for `ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS` and until the address is verified.
struct EmailConfirmationKey: Sendable {
    let signer: DjangoSigner
    let maxAge: TimeInterval

    init(secretKey: String, fallbacks: [String] = [], expireDays: Int) {
        self.signer = DjangoSigner(secret: secretKey, salt: "account", fallbacks: fallbacks)
        self.maxAge = TimeInterval(expireDays) * 86_400
    }

    func key(forAddressID id: Int, at date: Date = Date()) -> String {
        signer.signObject(json: Array(String(id).utf8), compress: false, at: date)
    }

    /// The address id a key names, if it is genuine and not expired.
    func addressID(from key: String) -> Int? {
        guard key.utf8.count <= 256, let json = signer.unsignObject(key, maxAge: maxAge) else { return nil }
        let text = String(decoding: json, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        return Int(text)
    }
}
