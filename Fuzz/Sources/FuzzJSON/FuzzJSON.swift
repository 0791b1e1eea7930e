// JSONParser: any bytes either parse or throw (never crash, hang or blow up memory), and
// what parses survives a round trip: serialised and parsed again it is equal, and a
// second serialisation is byte-for-byte the first. With a member limit (from the input's
// length), a document that parses is the one parsed without it, and one that fails for
// another reason than the limit fails as it does without it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let unlimited = Result { () throws(JSONParser.Failure) in try JSONParser.parse(bytes) }
    let limited = Result { () throws(JSONParser.Failure) in try JSONParser.parse(bytes, maxMembers: size % 17) }
    switch (limited, unlimited) {
    case (.success(let a), .success(let b)): guard a == b else { fatalError("the member limit changed the value") }
    case (.success, .failure): fatalError("parses only with a member limit")
    case (.failure(let a), .failure(let b)) where a.description != b.description:
        // Only the limit may fail a document earlier than its syntax error.
        guard a.description.contains("members") else { fatalError("\(a) with a limit, \(b) without") }
    default: break
    }
    guard case .success(let value) = unlimited else { return 0 }
    let serialized = value.serialized()
    let again: JSONValue
    do {
        again = try JSONParser.parse(serialized)
    } catch {
        fatalError("serialised value does not parse: \(error): \(String(decoding: serialized, as: UTF8.self))")
    }
    guard again == value else {
        fatalError("round trip changed the value: \(String(decoding: serialized, as: UTF8.self))")
    }
    guard again.serialized() == serialized else {
        fatalError("second serialisation differs: \(String(decoding: serialized, as: UTF8.self))")
    }
    return 0
}
