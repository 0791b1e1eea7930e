import Testing

@testable import RestAuth

@Suite("CSRF tokens")
struct CSRFTokenTests {
    @Test("Unmasks a token Django masked")
    func unmaskDjango() {
        #expect(
            CSRF.unmask("ZpMRfxyCsS8ChclotqRuEVnutxaPGjMgZqOUjCEJA1iNtpzDJH9NYgJRRWAg8MgL")
                == "abcdefghijklmnopqrstuvwxyzABCDEF")
    }

    @Test("Mask and unmask round-trip")
    func roundTrip() {
        let secret = CSRF.newSecret()
        #expect(secret.count == 32)
        #expect(CSRF.unmask(CSRF.mask(secret)) == secret)
    }

    @Test("Format problems are Django's")
    func format() {
        #expect(CSRF.formatProblem("x") == "has incorrect length")
        #expect(CSRF.formatProblem(String(repeating: "!", count: 32)) == "has invalid characters")
        #expect(CSRF.formatProblem(String(repeating: "a", count: 64)) == nil)
    }

    @Test("Header names display as Django displays them")
    func headerName() {
        #expect(CSRF.djangoHeaderDisplayName("X-CSRFToken") == "X-Csrftoken")
        #expect(RestAuthConfiguration.headerName(fromDjangoMeta: "HTTP_X_XSRF_TOKEN") == "X-Xsrf-Token")
    }

    @Test("Same-domain patterns follow is_same_domain")
    func sameDomain() {
        #expect(CSRF.isSameDomain("app.example.com", pattern: ".example.com"))
        #expect(CSRF.isSameDomain("example.com", pattern: ".example.com"))
        #expect(!CSRF.isSameDomain("evilexample.com", pattern: ".example.com"))
        #expect(CSRF.isSameDomain("Example.com", pattern: "example.com"))
        #expect(!CSRF.isSameDomain("example.com", pattern: ""))
    }
}
