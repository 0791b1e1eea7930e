import Testing

@testable import RestAuth

@Suite("JSON parser")
struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    func message(_ text: String) -> String? {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            return nil
        } catch {
            return error.message
        }
    }

    @Test("Every JSON type, escapes and surrogate pairs")
    func values() throws {
        #expect(
            try parse(#" {"a": [1, -2.5e3, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", true, false, null, {}], "b": []} "#)
                == ["a": [1, .double(-2500), "x\"\\/\u{8}\u{C}\n\r\té😀", true, false, nil, [:]], "b": []])
        #expect(
            try parse("0") == 0 && parse("-0") == 0
                && parse("12345678901234567890") == .double(1.2345678901234567e19))
        #expect(
            try parse("[999999999999999999, -999999999999999999, 9223372036854775807, -9223372036854775808]")
                == [999_999_999_999_999_999, -999_999_999_999_999_999, .int(Int.max), .int(Int.min)],
            "integers read digit by digit up to 18 digits, through Int() beyond")
        #expect(try parse(#"{"k": 1, "k": 2}"#) == ["k": 2], "the last of repeated keys wins, as in Python")
        #expect(try parse(#""\ud800""#) == "\u{FFFD}", "a lone surrogate")
    }

    @Test(
        "Python's messages with line, column and character",
        arguments: [
            ("", "Expecting value: line 1 column 1 (char 0)"),
            ("{bad", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
            (#"{"a" 1}"#, "Expecting ':' delimiter: line 1 column 6 (char 5)"),
            (#"{"a": 1 "b": 2}"#, "Expecting ',' delimiter: line 1 column 9 (char 8)"),
            ("[1,", "Expecting value: line 1 column 4 (char 3)"),
            (#""abc"#, "Unterminated string starting at: line 1 column 1 (char 0)"),
            ("{}\n{}", "Extra data: line 2 column 1 (char 3)"),
            (#""\x""#, "Invalid \\escape: line 1 column 2 (char 1)"),
            (#""\u12""#, "Invalid \\uXXXX escape: line 1 column 2 (char 1)"),
            ("NaN", "Out of range float values are not JSON compliant: line 1 column 1 (char 0)"),
            ("1e999", "Out of range float values are not JSON compliant: line 1 column 1 (char 0)"),
            ("\"a\u{1}\"", "Invalid control character at: line 1 column 3 (char 2)"),
            ("\"é\" x", "Extra data: line 1 column 5 (char 4)"),
        ])
    func errors(text: String, expected: String) {
        #expect(message(text) == expected)
    }

    @Test("Invalid UTF-8 and deep nesting are errors, not crashes")
    func hostile() {
        #expect((try? JSONParser.parse([0x22, 0xFF, 0x22])) == nil)
        let deep = String(repeating: "[", count: 100_000)
        #expect(message(deep)?.hasPrefix("Nesting too deep") == true)
    }
}
