import Foundation

/// How a typed code is read before it is compared: Unicode compatibility form (an app or
/// a keyboard may give full-width digits, `９７５９３９`, which are `975939`), no surrounding
/// space, then the exact shape of a code, else nil, so that nothing else (other scripts'
/// digits, `é`, control characters) reaches a comparison or a database. Pure functions
/// on strings: the fuzz target `FuzzMFA` runs them.
enum MFACodeSyntax {
    /// A TOTP code: exactly `digits` ASCII digits.
    static func totp(_ code: String, digits: Int) -> String? {
        let text = code.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.utf8.count == digits, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return text
    }

    /// A recovery code: `xxxx-xxxx` in hex digits, A–F lowered (dj-rest-auth lowers the
    /// code it is given).
    static func recoveryCode(_ code: String) -> String? {
        let text = code.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes = Array(text.utf8)
        guard bytes.count == 9, bytes[4] == UInt8(ascii: "-") else { return nil }
        for index in bytes.indices where index != 4 {
            switch bytes[index] {
            case 0x30...0x39, 0x61...0x66: break
            case 0x41...0x46: bytes[index] += 0x20
            default: return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
