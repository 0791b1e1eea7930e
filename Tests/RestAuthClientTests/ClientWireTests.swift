import Foundation
import RestAuthQRCode
import Testing

@testable import RestAuthCLI
@testable import RestAuthClient

/// The client's readings of what servers send, without a server.
@Suite("Client wire formats")
struct ClientWireTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("Set-Cookie: folded headers, Django's deletion, Max-Age over Expires, paths")
    func cookies() {
        var jar = CookieJar()
        // HTTPURLResponse folds several Set-Cookie headers into one, with commas, and an
        // Expires date has a comma of its own.
        jar.receive(
            setCookie: [
                "sessionid=abc; expires=Thu, 01 Jan 2099 00:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax, "
                    + "csrftoken=tok; expires=Thu, 01 Jan 2099 00:00:00 GMT; Path=/, jwt-refresh=\"r.e.f\"; Path=/api; Secure"
            ], now: Self.now)
        #expect(jar.cookies.map(\.name) == ["sessionid", "csrftoken", "jwt-refresh"])
        #expect(jar.value("jwt-refresh") == "r.e.f")
        #expect(jar.cookies[0].expires == Self.now.addingTimeInterval(1_209_600))
        // The secure cookie under /api is not sent over http, nor outside its path.
        #expect(jar.header(for: URL(string: "http://h/api/x")!, now: Self.now) == "sessionid=abc; csrftoken=tok")
        #expect(
            jar.header(for: URL(string: "https://h/api/x")!, now: Self.now)
                == "sessionid=abc; csrftoken=tok; jwt-refresh=r.e.f")
        #expect(jar.header(for: URL(string: "https://h/apix")!, now: Self.now) == "sessionid=abc; csrftoken=tok")
        // Django deletes with an expired date and Max-Age=0.
        jar.receive(
            setCookie: ["sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"], now: Self.now)
        #expect(jar.cookies.map(\.name) == ["csrftoken", "jwt-refresh"])
        // A replacement keeps one cookie per name and path.
        jar.receive(setCookie: ["csrftoken=new; Path=/"], now: Self.now)
        #expect(jar.cookies.filter { $0.name == "csrftoken" }.map(\.value) == ["new"])
        // Nonsense is ignored, not crashed on.
        jar.receive(setCookie: ["", ";;;", "=nameless", "novalue", ", , ,"], now: Self.now)
        #expect(jar.cookies.count == 2)
    }

    @Test("DRF's error bodies, nested ones too, and bodies that are not JSON")
    func errors() {
        let body = Data(
            #"{"email": ["Enter a valid email address."], "non_field_errors": ["Nope."], "address": {"city": ["Required."]}, "phones": [{}, {"number": ["Bad."]}]}"#
                .utf8)
        let errors = ValidationErrors(data: body)
        #expect(errors.nonFieldErrors == ["Nope."])
        #expect(errors.fields["email"]?.messages == ["Enter a valid email address."])
        #expect(errors.fields["address"]?["city"]?.messages == ["Required."])
        #expect(errors.fields["phones"] == .list([nil, .nested(["number": .messages(["Bad."])])]))
        #expect(ValidationErrors(data: Data(#"["One.", "Two."]"#.utf8)).nonFieldErrors == ["One.", "Two."])
        #expect(ValidationErrors(data: Data(#"{"detail": "Gone."}"#.utf8)).detail == "Gone.")
        let html = ValidationErrors(data: Data("<html>Bad Gateway</html>".utf8))
        #expect(html.fields.isEmpty && html.body == nil)
        #expect(RestAuthError.invalid(html).message == "The request was refused.")
        let refused = ErrorDetail(data: Data(#"{"detail": "Given token not valid", "code": "token_not_valid"}"#.utf8))
        #expect(refused.code == "token_not_valid")
        #expect(RestAuthError.throttled(retryAfter: 59.2, ErrorDetail()).message.contains("60 seconds"))
    }

    @Test("Dates: DRF's ISO 8601 with any fraction, HTTP dates, Retry-After")
    func dates() throws {
        let date = try #require(HTTPDate.iso8601("2027-01-15T08:00:00.123456Z"))
        #expect(HTTPDate.iso8601("2027-01-15T08:00:00Z") == HTTPDate.iso8601("2027-01-15T09:00:00+01:00"))
        #expect(abs(date.timeIntervalSince(HTTPDate.iso8601("2027-01-15T08:00:00Z")!) - 0.123456) < 1e-6)
        #expect(HTTPDate.iso8601("2027-01-15T08:00:00.Z") == nil)
        #expect(HTTPDate.iso8601("yesterday") == nil)
        #expect(HTTPDate.retryAfter("120") == 120)
        #expect(HTTPDate.retryAfter("-1") == nil)
        #expect(HTTPDate.retryAfter("Thu, 01 Jan 1970 00:00:10 GMT", now: Date(timeIntervalSince1970: 0)) == 10)
    }

    @Test("Cookie dates as RFC 6265 §5.1.1 reads them, in every HTTP date form")
    func cookieDates() {
        let epochPlus10 = Date(timeIntervalSince1970: 10)
        #expect(HTTPDate.parse("Thu, 01 Jan 1970 00:00:10 GMT") == epochPlus10)
        #expect(HTTPDate.parse("Thursday, 01-Jan-70 00:00:10 GMT") == epochPlus10)
        #expect(HTTPDate.parse("Thu Jan  1 00:00:10 1970") == epochPlus10)
        #expect(HTTPDate.parse("Sat, 29 Feb 2028 23:59:59 GMT") == Date(timeIntervalSince1970: 1_835_481_599))
        #expect(HTTPDate.parse("Wed, 01 Jan 2027 00:00:00 GMT\u{301}") == Date(timeIntervalSince1970: 1_798_761_600))
        for bad in [
            "", "yesterday", "Thu, 32 Jan 1970 00:00:00 GMT", "Thu, 01 Foo 1970 00:00:00 GMT",
            "Thu, 01 Jan 1970 24:00:00 GMT", "Thu, 01 Jan 1500 00:00:00 GMT", "01 Jan 1970",
        ] {
            #expect(HTTPDate.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("A server that floods cookies or nests JSON without end gets refused, quickly")
    func limits() throws {
        var jar = CookieJar()
        let flood = (0..<10_000).map { "c\($0)=v; Path=/" }.joined(separator: ", ")
        jar.receive(setCookie: [flood, "long=" + String(repeating: "x", count: 10_000)], now: Self.now)
        #expect(jar.cookies.count == CookieJar.maximumCookiesPerAnswer)
        #expect(jar.value("long") == nil)
        let deep = Data((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8)
        #expect(JSON(data: deep) == nil)
        let shallow = Data((String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).utf8)
        #expect(JSON(data: shallow) != nil)
        #expect(
            JSON(data: Data(#"{"a": "[[[[", "b": true, "c": 1.5, "d": null}"#.utf8)) == [
                "a": "[[[[", "b": true, "c": .number(1.5), "d": nil,
            ])
        let response = AuthClient.Response(status: 200, headers: [:], body: deep)
        #expect(throws: RestAuthError.self) { try response.decode([[String]].self) }
        #expect(throws: RestAuthError.self) { try response.decode(User.self) }
    }

    @Test("A JWT's exp is read to schedule the refresh, and nothing else is trusted")
    func jwtExpiration() {
        func token(_ payload: String) -> String {
            let encoded = Data(payload.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            return "eyJhbGciOiJIUzI1NiJ9.\(encoded).sig"
        }
        #expect(JWTPeek.expiration(token(#"{"exp": 1800000000}"#)) == Self.now)
        #expect(JWTPeek.expiration(token(#"{"exp": "soon"}"#)) == nil)
        #expect(JWTPeek.expiration("not.a-jwt") == nil)
        #expect(JWTPeek.expiration("a.b.c.d") == nil)
    }

    @Test("Reset links: dj-rest-auth's path, a front end's query, and links that are neither")
    func resetLinks() {
        #expect(
            PasswordResetLink(url: URL(string: "http://h/dj-rest-auth/password/reset/confirm/MQ/cf3x-0123abcd/")!)
                == PasswordResetLink(uid: "MQ", token: "cf3x-0123abcd"))
        #expect(
            PasswordResetLink(url: URL(string: "https://app.example/reset?uid=Mg&token=cf3x-99")!)
                == PasswordResetLink(uid: "Mg", token: "cf3x-99"))
        #expect(PasswordResetLink(url: URL(string: "https://app.example/reset/")!) == nil)
        #expect(PasswordResetLink(url: URL(string: "https://app.example/a/b")!) == nil)
    }

    @Test("The user's fields: a numeric or UUID pk, the app's own fields")
    func user() throws {
        let user = try JSONDecoder().decode(
            User.self, from: Data(#"{"pk": 7, "username": "ada", "team": {"name": "core"}, "age": 36}"#.utf8))
        #expect(user.pk == "7" && user.username == "ada" && user.email == nil)
        struct Team: Decodable, Equatable { var name: String }
        #expect(user.field("team", as: Team.self) == Team(name: "core"))
        #expect(user.field("age", as: Int.self) == 36)
        let uuid = try JSONDecoder().decode(User.self, from: Data(#"{"pk": "3f2c-11"}"#.utf8))
        #expect(uuid.pk == "3f2c-11")
        #expect(JSON(data: Data("[1, 2.5, null, true]".utf8))?.description == "[1,2.5,null,true]")
    }

    @Test("The credential file is written whole, owner-only, and replaced in place")
    func credentialFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID().uuidString)/c.json")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let store = FileCredentialStore(url: url)
        #expect(try store.load() == nil)
        try store.save(Credentials(mode: .token, key: "one"))
        try store.save(Credentials(mode: .token, key: "two"))
        #expect(try store.load()?.key == "two")
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        // Only the file itself is left in the folder: no temporary copy beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["c.json"])
        try store.save(nil)
        #expect(try store.load() == nil)
    }

    @Test("The terminal's QR code holds every module of the symbol", arguments: [false, true])
    func terminalQR(lightTerminal: Bool) throws {
        let qr = try QRCode("otpauth://totp/Example:ada?secret=JBSWY3DPEHPK3PXP&issuer=Example")
        let background: TerminalQR.Background = lightTerminal ? .light : .dark
        let lines = TerminalQR.render(qr, quietZone: 2, background: background).split(separator: "\n")
        let side = qr.size + 4
        #expect(lines.count == (side + 1) / 2)
        for (row, line) in lines.enumerated() {
            let cells = Array(line)
            #expect(cells.count == side)
            for (column, cell) in cells.enumerated() {
                let (upper, lower): (Bool, Bool) =
                    switch cell {
                    case "█": (true, true)
                    case "▀": (true, false)
                    case "▄": (false, true)
                    default: (false, false)
                    }
                let x = column - 2
                for (y, ink) in [(row * 2 - 2, upper), (row * 2 - 1, lower)] where y < qr.size + 2 {
                    let dark = qr.isDark(x: x, y: y)
                    #expect(ink == (lightTerminal ? dark : !dark), "module (\(x), \(y))")
                }
            }
        }
    }
}
