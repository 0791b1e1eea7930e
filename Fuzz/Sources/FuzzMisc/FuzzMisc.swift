import Foundation

// The small text parsers: Base36 (password-reset timestamps, Django's base36_to_int),
// RateLimitRule (allauth's "10/m/ip" rules) and UserKeyType.parse (keys in sessions and
// links, UUIDs with or without dashes). Each gets an answer quickly, and what parses
// prints back to text that parses to the same thing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMisc(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)

    if let value = Base36.decode(text) {
        guard value >= 0 else { fatalError("negative base 36 value for \(text.debugDescription)") }
        // Django's base36_to_int is int(text, 36): ASCII digits and letters only (Python
        // refuses the Kelvin sign, which Swift lower-cases to "k" and equates with "K").
        guard
            text.utf8.allSatisfy({ $0 < 0x80 && Character(Unicode.Scalar($0)).isLetter || (0x30...0x39).contains($0) })
        else { fatalError("base 36 accepted \(text.debugDescription), which Django refuses") }
        guard Base36.decode(Base36.encode(value)) == value else { fatalError("base 36 round trip: \(value)") }
    }

    if let rules = try? RateLimitRule.parse(text) {
        for rule in rules {
            guard rule.amount > 0, rule.duration > 0 else { fatalError("empty rule from \(text.debugDescription)") }
            guard (try? RateLimitRule.parse(rule.description)) == [rule] else {
                fatalError("rule \(rule) does not read back from \(text.debugDescription)")
            }
        }
    }

    if case .uuid(let uuid)? = UserKeyType.uuid.parse(text) {
        guard UserKeyType.uuid.parse(UUIDHex.string(uuid)) == .uuid(uuid),
            UserKeyType.uuid.parse(UserKey.uuid(uuid).description) == .uuid(uuid)
        else { fatalError("UUID key round trip: \(text.debugDescription)") }
    }
    if case .int(let value)? = UserKeyType.int.parse(text) {
        guard UserKeyType.int.parse(UserKey.int(value).description) == .int(value) else {
            fatalError("int key round trip")
        }
    }
    _ = UserKeyType.string.parse(text)
    return 0
}
