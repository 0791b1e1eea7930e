import Foundation
import Testing

@testable import RestAuth

@Suite("JSON values")
struct JSONValueTests {
    @Test("Serialises compactly, keeps key order, escapes what JSON needs")
    func serialise() {
        let value: JSONValue = [
            "pk": 1, "name": "a\"b\\c\n\u{1}", "ok": true, "none": nil, "list": [.double(1.5), "é"],
        ]
        #expect(
            String(decoding: value.serialized(), as: UTF8.self)
                == #"{"pk":1,"name":"a\"b\\c\n\u0001","ok":true,"none":null,"list":[1.5,"é"]}"#)
    }

    @Test("Decodes every JSON type and round-trips")
    func decode() throws {
        let text = #"{"a":[1,2.5,"x",true,false,null,{"b":{}}]}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        guard case .object(let object) = value, case .array(let items)? = object["a"] else {
            Issue.record("wrong shape")
            return
        }
        #expect(items[0] == 1 && items[1] == .double(2.5) && items[3] == true && items[4] == false && items[5] == .null)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(value.serialized())) == value)
    }
}
