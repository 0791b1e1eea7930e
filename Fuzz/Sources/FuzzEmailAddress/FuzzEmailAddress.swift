// The library builds EmailAddressSyntax.swift next to files that import Foundation
// (components(separatedBy:)): so does this target.
import Foundation

// EmailAddressSyntax and IPAddressSyntax: any text gets an answer, quickly, and an
// address that is valid stays valid with its domain upper-cased (domains are not
// case-sensitive) .
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEmailAddress(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    if EmailAddressSyntax.isValid(text), let at = text.lastIndex(of: "@") {
        let domain = text[text.index(after: at)...]
        if domain.allSatisfy(\.isASCII) {
            let upper = text[...at] + domain.uppercased()
            guard EmailAddressSyntax.isValid(String(upper)) || domain == "localhost" else {
                fatalError("valid address invalid with its domain upper-cased: \(text.debugDescription)")
            }
        }
    }
    if IPAddressSyntax.isIPv4(text) {
        guard IPAddressSyntax.isValid(text) else { fatalError("IPv4 but not valid") }
    }
    _ = IPAddressSyntax.isIPv6(text)
    return 0
}
