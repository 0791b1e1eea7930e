import Foundation

// What MFA reads from a request or a row: a typed TOTP code, a typed recovery code, a
// base 32 secret and a recovery seed. Each answers quickly; what it accepts has the exact
// shape a code or secret has, and base 32 reads back what it decodes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMFA(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)

    for digits in [6, 8] {
        if let code = MFACodeSyntax.totp(text, digits: digits) {
            guard code.utf8.count == digits, code.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                fatalError("TOTP code \(code.debugDescription) from \(text.debugDescription)")
            }
            guard MFACodeSyntax.totp(code, digits: digits) == code else { fatalError("TOTP code not stable") }
        }
    }

    if let code = MFACodeSyntax.recoveryCode(text) {
        let shape = code.utf8.enumerated().allSatisfy { index, byte in
            index == 4 ? byte == UInt8(ascii: "-") : (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
        }
        guard code.utf8.count == 9, shape else {
            fatalError("recovery code \(code.debugDescription) from \(text.debugDescription)")
        }
        guard RecoveryCodes.normalize(code) == code else { fatalError("recovery code not stable") }
    }

    if let decoded = Base32.decode(text) {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
        let symbols = text.utf8.filter { $0 != UInt8(ascii: "=") }
        guard decoded.count == symbols.count * 5 / 8 else {
            fatalError("base 32: \(symbols.count) symbols gave \(decoded.count) bytes")
        }
        // Encode again (RFC 4648, no padding) and decode: the same bytes.
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in decoded {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[(buffer >> bits) & 31])
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        guard Base32.decode(String(decoding: out, as: UTF8.self)) == decoded else {
            fatalError("base 32 round trip of \(text.debugDescription)")
        }
    }

    if let seed = RecoveryCodes(seedHex: text, usedMask: UInt64(size)) {
        guard seed.seed.count * 2 == text.utf8.count else { fatalError("hex seed length") }
        if size <= 128 {
            let codes = seed.all(count: 63)
            guard codes.allSatisfy({ RecoveryCodes.normalize($0) == $0 }) else { fatalError("derived code shape") }
            _ = seed.unusedIndex(of: codes[Int(size) % 63], count: 63)
        }
    }
    return 0
}
