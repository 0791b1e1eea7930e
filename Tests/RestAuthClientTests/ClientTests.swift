import Foundation
import RestAuthClient
import Testing

/// Runs `scenario` against a fresh demo server in this process, configured for `mode`.
func againstDemo(_ mode: AuthMode, _ scenario: (TestServer) async throws -> Void) async throws {
    let server = try await TestServer.startDemo(mode)
    do {
        try await scenario(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// Runs `scenario` against the server `RESTAUTH_CLIENT_TEST_URL` names, when its mode is
/// one of `modes`; otherwise the test is skipped, saying why.
func againstExternal(_ modes: Set<AuthMode>, _ scenario: (TestServer) async throws -> Void) async throws {
    guard let server = TestServer.external() else { return }
    guard modes.contains(server.mode) else {
        try Test.cancel("not for a server in \(server.mode.rawValue) mode")
    }
    try await scenario(server)
}

@Suite("Client against the demo server, in this process")
struct ClientDemoTests {
    @Test("Login, user details, the app's own request, logout", arguments: AuthMode.allCases)
    func loginUserLogout(mode: AuthMode) async throws { try await againstDemo(mode, Scenarios.loginUserLogout) }

    @Test("DRF's errors as values", arguments: AuthMode.allCases)
    func errors(mode: AuthMode) async throws { try await againstDemo(mode, Scenarios.errorsAsValues) }

    @Test("Too many wrong passwords: a 429 and its wait")
    func throttled() async throws { try await againstDemo(.token, Scenarios.throttled) }

    @Test("Sign-up, then the confirmation link", arguments: [AuthMode.token, .jwt, .session])
    func signUp(mode: AuthMode) async throws { try await againstDemo(mode, Scenarios.signUpAndVerify) }

    @Test("Password reset from the mail's link", arguments: [AuthMode.token, .jwtCookie])
    func passwordReset(mode: AuthMode) async throws { try await againstDemo(mode, Scenarios.passwordReset) }

    @Test("Password change", arguments: [AuthMode.token, .session, .jwtCookie])
    func passwordChange(mode: AuthMode) async throws { try await againstDemo(mode, Scenarios.passwordChange) }

    @Test("Two-factor login and the MFA routes", arguments: AuthMode.allCases)
    func mfa(mode: AuthMode) async throws { try await againstDemo(mode, Scenarios.mfaLogin) }

    @Test("Passkeys: register, sign in, rename, delete", arguments: AuthMode.allCases)
    func passkeys(mode: AuthMode) async throws { try await againstDemo(mode, Scenarios.passkeys) }

    @Test("Single-flight JWT refresh, counted on the server", arguments: [AuthMode.jwt, .jwtCookie])
    func singleFlight(mode: AuthMode) async throws { try await againstDemo(mode, Scenarios.singleFlightRefresh) }

    @Test("A revoked refresh token signs out once", arguments: [AuthMode.jwt, .jwtCookie])
    func revokedRefresh(mode: AuthMode) async throws { try await againstDemo(mode, Scenarios.revokedRefreshSignsOut) }

    @Test("A saved session survives a relaunch", arguments: [AuthMode.token, .jwtCookie, .session])
    func savedSession(mode: AuthMode) async throws { try await againstDemo(mode, Scenarios.savedSession) }

    @Test("Social login, connect, list and disconnect", arguments: [AuthMode.token, .jwt])
    func social(mode: AuthMode) async throws { try await againstDemo(mode, Scenarios.socialAccounts) }
}

/// The same scenarios against a running server: `.ci/run` points them at the real
/// dj-rest-auth 7.2 in token and JWT modes.
@Suite("Client against the server RESTAUTH_CLIENT_TEST_URL names", .enabled(if: TestServer.externalConfigured))
struct ClientExternalServerTests {
    static let all = Set(AuthMode.allCases)

    @Test func loginUserLogout() async throws { try await againstExternal(Self.all, Scenarios.loginUserLogout) }
    @Test func errors() async throws { try await againstExternal(Self.all, Scenarios.errorsAsValues) }
    @Test func signUp() async throws {
        try await againstExternal(Self.all, Scenarios.signUpAndVerify)
    }
    @Test func throttled() async throws { try await againstExternal(Self.all, Scenarios.throttled) }
    @Test func passwordReset() async throws { try await againstExternal(Self.all, Scenarios.passwordReset) }
    @Test func passwordChange() async throws { try await againstExternal(Self.all, Scenarios.passwordChange) }
    @Test func mfa() async throws { try await againstExternal(Self.all, Scenarios.mfaLogin) }
    @Test func passkeys() async throws { try await againstExternal(Self.all, Scenarios.passkeys) }
    @Test func singleFlight() async throws {
        try await againstExternal([.jwt, .jwtCookie], Scenarios.singleFlightRefresh)
    }
    @Test func revokedRefresh() async throws {
        try await againstExternal([.jwt, .jwtCookie], Scenarios.revokedRefreshSignsOut)
    }
    @Test func savedSession() async throws { try await againstExternal(Self.all, Scenarios.savedSession) }
    @Test func social() async throws { try await againstExternal(Self.all, Scenarios.socialAccounts) }
}
