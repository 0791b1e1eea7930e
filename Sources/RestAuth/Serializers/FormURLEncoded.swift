/// A request carried more fields than `DATA_UPLOAD_MAX_NUMBER_FIELDS` allows (Django's
/// `TooManyFieldsSent`): a 400 before any field is looked at.
public struct RequestFieldLimit: Error, Sendable, Equatable {
    /// The limit that was passed.
    public let limit: Int

    public init(limit: Int) { self.limit = limit }

    /// Django's message.
    public static let message =
        "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
}

/// `application/x-www-form-urlencoded` bodies, read as Django's `QueryDict` reads them
/// (`urllib.parse.parse_qsl` with blank values kept): pairs split on `&`, `+` is a space,
/// `%XX` escapes decoded as UTF-8 with U+FFFD for bad bytes, a malformed escape kept as
/// written, a repeated key keeping its last value (`QueryDict.get`). One pass over the
/// bytes: time is linear in the body.
public enum FormURLEncoded {
    /// Parses a body. More than `maxFields` fields (counted as Python counts them: one
    /// more than the number of `&`) throws before anything is decoded.
    public static func parse(_ bytes: [UInt8], maxFields: Int?) throws(RequestFieldLimit) -> JSONObject {
        var fields = 1
        for byte in bytes where byte == UInt8(ascii: "&") { fields += 1 }
        if let maxFields, fields > maxFields { throw RequestFieldLimit(limit: maxFields) }
        var object = JSONObject()
        object.reserveCapacity(fields)
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                var equals = start
                while equals < end && bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                let key = decode(bytes[start..<equals])
                let value = equals < end ? decode(bytes[(equals + 1)..<end]) : ""
                object[key] = .string(value)
            }
            start = end + 1
        }
        return object
    }

    /// `unquote(text.replace("+", " "), errors="replace")`.
    static func decode(_ component: ArraySlice<UInt8>) -> String {
        guard component.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(decoding: component, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(component.count)
        var index = component.startIndex
        while index < component.endIndex {
            let byte = component[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < component.endIndex,
                let high = hexValue(component[index + 1]), let low = hexValue(component[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
                continue
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
