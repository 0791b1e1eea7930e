// RequestHost against Django 5.2's split_domain_port, written out here from its regular
// expression, `^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$`, fully matched
// over the lower-cased header; one trailing dot off the domain; an empty domain refused.
// (Python's lower() also folds a few non-ASCII letters to ASCII, such as the Kelvin sign:
// RequestHost refuses those, the safe side, and so does the reference here.) The text
// after the first NUL is a list of ALLOWED_HOSTS patterns, checked against Django's
// validate_host.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestHost(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let header = String(decoding: bytes[..<split], as: UTF8.self)
    let host = RequestHost(header)
    let expected = reference(Array(header.utf8))
    guard host?.domain == expected?.domain, host?.port == expected?.port else {
        fatalError("\(header.debugDescription): \(String(describing: host)), Django: \(String(describing: expected))")
    }
    if let host {
        guard host.authority == (host.port.isEmpty ? host.domain : host.domain + ":" + host.port) else {
            fatalError("authority")
        }
        let patterns = bytes[min(split + 1, bytes.count)...].split(separator: UInt8(ascii: ","))
            .map { String(decoding: $0, as: UTF8.self) }
        let allowed = AllowedHosts(patterns)
        let djangoAllows = patterns.map { $0.lowercased() }.contains { (pattern: String) -> Bool in
            if pattern == "*" || pattern == host.domain { return true }
            guard pattern.first == "." else { return false }
            return host.domain.hasSuffix(pattern) || host.domain == String(pattern.dropFirst())
        }
        guard allowed.allows(host.domain) == djangoAllows else { fatalError("validate_host differs") }
    }
    return 0
}

private func reference(_ raw: [UInt8]) -> (domain: String, port: String)? {
    let text = raw.map { (0x41...0x5A).contains($0) ? $0 + 32 : $0 }
    func isDomainByte(_ b: UInt8) -> Bool {
        (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == 0x2E || b == 0x2D
    }
    func isHex(_ b: UInt8) -> Bool { (0x61...0x66).contains(b) || (0x30...0x39).contains(b) }
    var hostEnd: Int?
    if text.first == UInt8(ascii: "[") {
        // [a-f0-9]* ":" [a-f0-9.:]+ "]" : the first run cannot hold ':', so no backtracking.
        var i = 1
        while i < text.count, isHex(text[i]) { i += 1 }
        if i < text.count, text[i] == UInt8(ascii: ":") {
            i += 1
            let start = i
            while i < text.count, isHex(text[i]) || text[i] == 0x2E || text[i] == 0x3A { i += 1 }
            if i > start, i < text.count, text[i] == UInt8(ascii: "]") { hostEnd = i + 1 }
        }
    } else {
        var i = 0
        while i < text.count, isDomainByte(text[i]) { i += 1 }
        if i > 0 { hostEnd = i }
    }
    guard let end = hostEnd else { return nil }
    let rest = text[end...]
    if !rest.isEmpty {
        let digits = rest.dropFirst()
        guard rest.first == UInt8(ascii: ":"), !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
    }
    let lowered = String(decoding: text, as: UTF8.self)
    // split_domain_port: "]" last: no port; else rsplit(":", 1).
    var domain: Substring
    var port: Substring = ""
    if lowered.hasSuffix("]") {
        domain = Substring(lowered)
    } else if let colon = lowered.lastIndex(of: ":") {
        domain = lowered[..<colon]
        port = lowered[lowered.index(after: colon)...]
    } else {
        domain = Substring(lowered)
    }
    if domain.hasSuffix(".") { domain = domain.dropLast() }
    guard !domain.isEmpty else { return nil }
    return (String(domain), String(port))
}
