import Foundation

/// RFC 4648 base 32 (upper case, padding optional), as `base64.b32decode(..., casefold=True)`.
enum Base32 {
    static let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8

    static func decode(_ text: String) -> [UInt8]? {
        var buffer: UInt32 = 0
        var bits = 0
        var out: [UInt8] = []
        var padding = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") {
                padding = true
                continue
            }
            guard !padding else { return nil }
            let upper = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 32 : byte
            guard let index = alphabet.firstIndex(of: upper) else { return nil }
            buffer = buffer << 5 | UInt32(alphabet.distance(from: alphabet.startIndex, to: index))
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}
