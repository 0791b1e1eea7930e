import Testing

@testable import RestAuth

@Suite("Fields")
struct CharFieldTests {
    func read(_ field: CharField, _ value: JSONValue?, partial: Bool = false) -> (CharField.Outcome, [String]) {
        var object = JSONObject()
        if let value { object[field.name] = value }
        var errors = ValidationErrors()
        let outcome = field.read(from: object, into: &errors, partial: partial)
        return (outcome, errors.messages(for: field.name))
    }

    @Test("DRF's messages for missing, null, blank and wrong types")
    func messages() {
        let field = CharField("name")
        #expect(read(field, nil).1 == ["This field is required."])
        #expect(read(field, nil, partial: true).0 == .absent)
        #expect(read(field, .null).1 == ["This field may not be null."])
        #expect(read(field, "  ").1 == ["This field may not be blank."])
        #expect(read(field, true).1 == ["Not a valid string."])
        #expect(read(field, ["a"]).1 == ["Not a valid string."])
        #expect(read(field, ["a": "b"]).1 == ["Not a valid string."])
        #expect(read(field, "a\u{0}b").1 == ["Null characters are not allowed."])
    }

    @Test("Numbers become strings, whitespace is trimmed, lengths count characters")
    func conversions() {
        #expect(read(CharField("n"), 12345).0 == .value("12345"))
        #expect(read(CharField("n"), .double(1.5)).0 == .value("1.5"))
        #expect(read(CharField("n"), "  padded ").0 == .value("padded"))
        #expect(read(CharField("n", trimWhitespace: false), " x ").0 == .value(" x "))
        #expect(read(CharField("n", maxLength: 3), "ééé").0 == .value("ééé"))
        #expect(read(CharField("n", maxLength: 3), "éééé").1 == ["Ensure this field has no more than 3 characters."])
        #expect(read(CharField("n", minLength: 2), "x").1 == ["Ensure this field has at least 2 characters."])
        #expect(read(CharField("n", required: false, allowBlank: true), "").0 == .value(""))
    }

    @Test(
        "E-mail fields validate as Django's EmailValidator",
        arguments: [
            ("a@example.com", true), ("first.last+tag@sub.example.co.uk", true), ("user@localhost", true),
            ("user@[127.0.0.1]", true), ("user@[::1]", true), ("\"quoted\\ name\"@example.com", true),
            ("\"quoted name\"@example.com", false),
            ("user@bücher.de", true), ("user@xn--bcher-kva.de", true),
            ("not-an-email", false), ("@example.com", false), ("user@", false), ("user@example", false),
            ("user@example.c", false), ("user@example.123", false), ("user@-example.com", false),
            ("a..b@example.com", false), (".a@example.com", false), ("user@exam_ple.com", false),
            ("user@[300.1.1.1]", false), ("user@example.com.", false),
        ])
    func email(address: String, valid: Bool) {
        #expect(EmailAddressSyntax.isValid(address) == valid, "\(address)")
    }

    @Test("Usernames: letters, digits and @.+-_ in any script")
    func usernames() {
        #expect(UsernameSyntax.isValid("ada.lovelace+1@x_y-z"))
        #expect(UsernameSyntax.isValid("Zoë_李"))
        #expect(!UsernameSyntax.isValid("a b"))
        #expect(!UsernameSyntax.isValid("a!"))
        #expect(!UsernameSyntax.isValid("a\n"))
        #expect(!UsernameSyntax.isValid(""))
    }
}
