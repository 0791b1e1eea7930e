import Testing

@testable import RestAuth

@Suite("Password validators")
struct PasswordValidatorTests {
    let all = RestAuthConfiguration.defaultPasswordValidators

    @Test("Django's messages, all of them, in Django's order")
    func messages() {
        #expect(
            all.messages(for: "1234", user: nil) == [
                "This password is too short. It must contain at least 8 characters.", "This password is too common.",
                "This password is entirely numeric.",
            ])
        #expect(
            all.messages(for: "12345678901", user: nil) == [
                "This password is too common.", "This password is entirely numeric.",
            ])
        #expect(all.messages(for: "password", user: nil) == ["This password is too common."])
        #expect(
            all.messages(for: "short7", user: nil) == [
                "This password is too short. It must contain at least 8 characters."
            ])
        #expect(all.messages(for: "Sturdy-Lantern-8412", user: nil).isEmpty)
        #expect(
            MinimumLengthValidator(minLength: 1).validate("", user: nil) == [
                "This password is too short. It must contain at least 1 character."
            ])
    }

    @Test("The common list is Django's and compares lower-cased and trimmed")
    func common() {
        #expect(CommonPasswordValidator.shared.passwords.count == 19_640)
        #expect(CommonPasswordValidator.shared.validate(" QWERTY ", user: nil) == ["This password is too common."])
    }

    @Test("Similarity to each attribute and its parts, with Django's verbose names")
    func similarity() {
        let validator = UserAttributeSimilarityValidator()
        let user = PasswordUserAttributes(
            username: "lanternsturdy", firstName: "Grace", lastName: "Hopper", email: "grace.hopper@example.com")
        #expect(validator.validate("sturdylantern1", user: user) == ["The password is too similar to the username."])
        #expect(validator.validate("Gracee", user: user) == ["The password is too similar to the first name."])
        #expect(validator.validate("hopperr", user: user) == ["The password is too similar to the last name."])
        #expect(
            validator.validate("grace.hopper@example.co", user: user) == [
                "The password is too similar to the email address."
            ])
        #expect(validator.validate("GraceGrace", user: user).isEmpty, "quick_ratio 0.67 is under 0.7")
        #expect(validator.validate("Quiet-Harbor-5937", user: user).isEmpty)
        #expect(validator.validate("sturdylantern1", user: nil).isEmpty)
    }

    @Test("quick_ratio matches difflib")
    func quickRatio() {
        // difflib.SequenceMatcher(a="abcd", b="bcde").quick_ratio() == 0.75
        #expect(
            UserAttributeSimilarityValidator.quickRatio(Array("abcd".unicodeScalars), Array("bcde".unicodeScalars))
                == 0.75)
        #expect(
            UserAttributeSimilarityValidator.quickRatio(Array("aab".unicodeScalars), Array("abb".unicodeScalars)) == 2.0
                * 2 / 6)
    }

    @Test("Numeric means every character a digit, Unicode digits too")
    func numeric() {
        #expect(NumericPasswordValidator().validate("٣٤٥٦٧٨٩٠١", user: nil) == ["This password is entirely numeric."])
        #expect(NumericPasswordValidator().validate("1234a", user: nil).isEmpty)
        #expect(NumericPasswordValidator().validate("", user: nil).isEmpty)
    }
}
