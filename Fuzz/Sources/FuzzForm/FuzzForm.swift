// FormURLEncoded: any body parses (or hits the field limit), in time linear in its size.
// The first byte picks the limit (0: none), the rest is the body. A body under the limit
// never throws, and every field serialises to JSON that parses back to the same object.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzForm(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limit = bytes[0] == 0 ? nil : Int(bytes[0])
    let body = Array(bytes[1...])
    let fields = body.reduce(1) { $0 + ($1 == UInt8(ascii: "&") ? 1 : 0) }
    let object: JSONObject
    do {
        object = try FormURLEncoded.parse(body, maxFields: limit)
    } catch {
        guard let limit, fields > limit, error.limit == limit else { fatalError("unexpected \(error)") }
        return 0
    }
    if let limit, fields > limit { fatalError("\(fields) fields passed a limit of \(limit)") }
    guard object.keys.count <= fields else { fatalError("more keys than fields") }
    let value = JSONValue.object(object)
    guard (try? JSONParser.parse(value.serialized())) == value else { fatalError("form fields do not round-trip") }
    return 0
}
