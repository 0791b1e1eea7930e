import Fluent
import SQLKit
import Testing
import Vapor

@testable import RestAuth

/// Usernames and addresses fold A–Z only, in Swift and on both databases alike: the same
/// answers on SQLite and PostgreSQL (the suite runs on both).
@Suite("Case folding")
struct CaseFoldingTests {
    @Test("The fold lowers A–Z and nothing else, and compares bytes")
    func fold() {
        #expect(AccountCaseFolding.fold("ÉMILE@EXAMPLE.COM") == "Émile@example.com")
        #expect(AccountCaseFolding.fold("Straße-İstanbul-Ω") == "straße-İstanbul-Ω")
        #expect(AccountCaseFolding.fold("bob") == "bob")
        #expect(AccountCaseFolding.equal("BoB", "bOb"))
        #expect(!AccountCaseFolding.equal("Émile", "émile"))
        #expect(!AccountCaseFolding.equal("\u{E9}mile", "e\u{301}mile"), "canonically equivalent, different bytes")
    }

    @Test("The database folds as Swift does")
    func databaseFold() async throws {
        try await withRestAuthApp { app, _ in
            let sql = app.db as! any SQLDatabase
            for text in ["ÉMILE@EXAMPLE.COM", "Straße-İSTANBUL-ΩΣ", "ABCxyz-ÀÖ"] {
                let row = try #require(
                    try await sql.raw("SELECT \(FoldedColumn.of(bind: text)) AS \"folded\"").first())
                #expect(try row.decode(column: "folded", as: String.self) == AccountCaseFolding.fold(text))
            }
        }
    }

    @Test("Émile signs up and logs in as Émile or ÉMILE, not émile, who is someone else")
    func nonASCIIUsernames() async throws {
        try await withRestAuthApp { _, client in
            #expect(try await client.register("Émile", email: "e1@example.com").reply.status == .created)
            let emile = try await client.logIn("Émile")
            #expect(emile.status == .ok)
            #expect(try await client.logIn("ÉMILE").status == .ok, "the ASCII letters fold")
            #expect(try await client.logIn("émile").status == .badRequest, "É is not folded")
            #expect(try await client.register("émile", email: "e2@example.com").reply.status == .created)
            let other = try await client.logIn("émile")
            #expect(other.status == .ok)
            #expect(other.string("key") != emile.string("key"))
            // ASCII case variants are one username, in the application and in the index.
            let variant = try await client.register("éMILE", email: "e3@example.com").reply
            #expect(variant.status == .badRequest)
            #expect(variant.json == ["username": ["A user with that username already exists."]])
        }
    }

    @Test("The username index holds EMILE and emile for one name, Émile and émile for two")
    func usernameIndex() async throws {
        try await withRestAuthApp { app, _ in
            func insert(_ name: String) async throws {
                try await AuthUser(username: name, email: "", password: "!").create(on: app.db)
            }
            try await insert("Émile")
            try await insert("émile")
            try await insert("EMILE")
            await #expect(throws: (any Error).self) { try await insert("emile") }
        }
    }

    /// Django's validator takes only ASCII in the local part, so the non-ASCII letter is
    /// in the domain (`ÉMILE@EXAMPLE.COM` is not a valid address to Django or here).
    @Test("EMILE@ÉCOLE.FR is stored folded, logs in and resets as typed, and is not emile@école.fr")
    func nonASCIIAddresses() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({ $0.emailSender = mail }) { app, client in
            let upper = try await client.register("upper", email: "EMILE@ÉCOLE.FR")
            #expect(upper.reply.status == .created)
            let stored = try #require(try await EmailAddress.query(on: app.db).first())
            #expect(stored.email == "emile@École.fr")
            try await stored.setVerified(on: app.db)

            // A client of its own for each request: a login's session cookie would ask for CSRF.
            func logIn(_ email: String) async throws -> HTTPResponseStatus {
                try await TestClient(app: app).post(
                    "login/", ["email": .string(email), "password": .string(password)]
                ).status
            }
            #expect(try await logIn("EMILE@ÉCOLE.FR") == .ok)
            #expect(try await logIn("Emile@École.Fr") == .ok)
            #expect(try await logIn("emile@école.fr") == .badRequest)

            // Another address: it may sign up; an ASCII case variant of the verified one may not.
            #expect(try await client.register("lower", email: "emile@école.fr").reply.status == .created)
            let variant = try await client.register("variant", email: "Emile@ÉCOLE.fr").reply
            #expect(variant.status == .badRequest)
            #expect(variant.json == ["email": ["User is already registered with this e-mail address."]])

            let before = mail.messages.count
            let reset = try await TestClient(app: app).post("password/reset/", ["email": "EMILE@école.FR"])
            #expect(reset.status == .ok)
            let resend = try await TestClient(app: app).post("registration/resend-email/", ["email": "emile@ÉCOLE.FR"])
            #expect(resend.status == .ok)
            await app.restAuth.deliverPendingEmail()
            let sent = mail.messages.dropFirst(before)
            #expect(sent.count == 1, "the reset; the verified address gets no confirmation")
            #expect(sent.first?.to == ["emile@école.fr"])
        }
    }
}

extension FoldedColumn {
    /// The folding expression applied to a bound value, as the database would fold a column.
    static func of(bind text: String) -> FoldedColumn { FoldedColumn(expression: SQLBind(text)) }
}
