/// Django's `int_to_base36` and `base36_to_int` (at most 13 digits, as Django allows).
enum Base36 {
    static let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz")

    static func encode(_ value: Int) -> String {
        guard value > 0 else { return "0" }
        var value = value
        var out: [Character] = []
        while value > 0 {
            out.append(digits[value % 36])
            value /= 36
        }
        return String(out.reversed())
    }

    static func decode<S: StringProtocol>(_ text: S) -> Int? {
        // ASCII only: `lowercased()` would read the Kelvin sign (U+212A) as "k", which
        // Python's int(_, 36) refuses.
        guard !text.isEmpty, text.utf8.count <= 13, text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        var value = 0
        for character in text.lowercased() {
            guard let digit = digits.firstIndex(of: character) else { return nil }
            let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 36)
            let (added, overflow2) = multiplied.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = added
        }
        return value
    }
}
