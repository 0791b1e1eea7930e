import Fluent
import Testing
import Vapor

@testable import RestAuth

@Suite("Races")
struct ConcurrencyTests {
    @Test("Simultaneous sign-ups with one username: one user, the others a 400")
    func signupRace() async throws {
        try await withRestAuthApp { app, _ in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        let client = TestClient(app: app)
                        return try await client.register(
                            index % 2 == 0 ? "racer" : "RACER", email: "racer\(index)@example.com"
                        ).reply.status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(statuses.filter { $0 == .badRequest }.count == 7)
            let r1 = try await AuthUser.query(on: app.db).count()
            #expect(r1 == 1)
            let r2 = try await EmailAddress.query(on: app.db).count()
            #expect(r2 == 1)
        }
    }

    @Test("Parallel logins of one user share one token")
    func loginRace() async throws {
        try await withRestAuthApp({ $0.sessionLogin = false }) { app, client in
            let user = try await client.register()
            try await AuthToken.query(on: app.db).delete()
            let keys = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await TestClient(app: app).logIn(user.username).string("key") }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(keys.allSatisfy { $0 != nil })
            #expect(Set(keys.compactMap { $0 }).count == 1)
            let r3 = try await AuthToken.query(on: app.db).count()
            #expect(r3 == 1)
        }
    }
}
