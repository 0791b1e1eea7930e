import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor

@testable import RestAuth

/// `jwtProfile` signing with `algorithm` and its fixture keys (HS: `SECRET_KEY`).
func jwtProfile(_ c: inout RestAuthConfiguration, algorithm: JWTAlgorithm) {
    jwtProfile(&c)
    c.jwtAlgorithm = algorithm
    if let keys = PyJWTFixtures.keys(for: algorithm.rawValue) {
        c.jwtSigningKey = keys.private
        c.jwtVerifyingKey = keys.public
    }
}

/// A compact JWT of `claims` under `header`, signed with the private key in `pem`.
func mintJWT(_ claims: JSONObject, header: JSONObject, algorithm: JWTAlgorithm, pem: String) async throws -> String {
    let signer = try await JWTKeys.signer(algorithm, pem: pem)
    let input =
        DjangoSigner.b64Encode(JSONValue.object(header).serialized()) + "."
        + DjangoSigner.b64Encode(JSONValue.object(claims).serialized())
    return input + "." + DjangoSigner.b64Encode(try signer.sign(Array(input.utf8)))
}

func header(of token: String) -> String {
    String(decoding: DjangoSigner.b64Decode(token.split(separator: ".")[0]) ?? [], as: UTF8.self)
}

@Suite("Every algorithm simplejwt signs with")
struct JWTAlgorithmTests {
    @Test("A token pair made, used, verified and refreshed with each algorithm", arguments: JWTAlgorithm.allCases)
    func pair(algorithm: JWTAlgorithm) async throws {
        try await withRestAuthApp({ jwtProfile(&$0, algorithm: algorithm) }) { _, client in
            let user = try await client.register()
            let login = try await client.jwtLogIn(user.username)
            #expect(login.status == .ok, "\(login.body)")
            let access = try #require(login.string("access"))
            let refresh = try #require(login.string("refresh"))
            for token in [access, refresh] {
                #expect(header(of: token) == #"{"alg":"\#(algorithm.rawValue)","typ":"JWT"}"#)
            }
            if let size = ["ES256": 64, "ES384": 96, "ES512": 132, "ES521": 132][algorithm.rawValue] {
                // RFC 7518: R || S, each as long as the curve's order.
                #expect(DjangoSigner.b64Decode(access.split(separator: ".")[2])?.count == size)
            }
            client.cookies = [:]
            client.authorization = "Bearer \(access)"
            #expect(try await client.get("user/").string("username") == user.username)
            client.authorization = nil
            for token in [access, refresh] {
                let verify = try await client.post("token/verify/", ["token": .string(token)])
                #expect(verify.status == .ok && verify.json == [:], "\(verify.body)")
            }
            let refreshed = try await client.post("token/refresh/", ["refresh": .string(refresh)])
            #expect(refreshed.status == .ok, "\(refreshed.body)")
            let newAccess = try #require(refreshed.string("access"))
            let newRefresh = try #require(refreshed.string("refresh"))
            #expect(newRefresh != refresh)
            #expect(header(of: newAccess).contains(#""alg":"\#(algorithm.rawValue)""#))
            client.cookies = [:]
            client.authorization = "Bearer \(newAccess)"
            #expect(try await client.get("user/").status == .ok)
            client.authorization = nil
            let again = try await client.post("token/refresh/", ["refresh": .string(newRefresh)])
            #expect(again.status == .ok, "the rotated token refreshes in its turn")
        }
    }

    @Test(
        "An access token PyJWT signed is accepted; one of any other algorithm is not", arguments: JWTAlgorithm.allCases)
    func pyjwtTokens(algorithm: JWTAlgorithm) async throws {
        let configuration = testConfiguration { jwtProfile(&$0, algorithm: algorithm) }
        let tokens = JWTTokens(codec: try await JWTCodec.make(configuration), configuration: configuration)
        let token = try #require(PyJWTFixtures.tokens[algorithm.rawValue])
        let claims = try await tokens.validate(token, type: .access)
        #expect(tokens.userReference(in: claims) == .key(.int(7)))
        for (other, token) in PyJWTFixtures.tokens where other != algorithm.rawValue {
            await #expect(throws: JWTTokens.TokenError.invalid, "\(other)") {
                try await tokens.validate(token, type: .access)
            }
        }
    }

    @Test("The same claims under another key of the algorithm's type are refused", arguments: JWTAlgorithm.allCases)
    func anotherKey(algorithm: JWTAlgorithm) async throws {
        guard !algorithm.isSymmetric else { return }
        // The verifying key of another fixture of the same type: RSA for RS and PS, the
        // curve's for ES (TestKeys' P-256 pair for ES256), TestKeys' Ed25519 pair.
        let others: [String: (String, String)] = [
            "RS": (TestKeys.rsaPrivate, TestKeys.rsaPublic), "PS": (TestKeys.rsaPrivate, TestKeys.rsaPublic),
            "ES256": (TestKeys.ecPrivate, TestKeys.ecPublic), "EdDSA": (TestKeys.edPrivate, TestKeys.edPublic),
        ]
        guard let (otherPrivate, _) = others[algorithm.rawValue] ?? others[String(algorithm.rawValue.prefix(2))]
        else { return }
        let configuration = testConfiguration { jwtProfile(&$0, algorithm: algorithm) }
        let tokens = JWTTokens(codec: try await JWTCodec.make(configuration), configuration: configuration)
        let claims = claims(of: try #require(PyJWTFixtures.tokens[algorithm.rawValue]))
        let forged = try await mintJWT(
            claims, header: ["alg": .string(algorithm.rawValue), "typ": "JWT"], algorithm: algorithm, pem: otherPrivate)
        await #expect(throws: JWTTokens.TokenError.invalid) { try await tokens.validate(forged, type: .access) }
    }

    @Test(
        "A key that does not fit the algorithm stops start-up, naming the setting and what the key is",
        arguments: [
            (
                JWTAlgorithm.es384, PyJWTFixtures.p256Private, PyJWTFixtures.p384Public, "SIMPLE_JWT_SIGNING_KEY",
                "P-256"
            ),
            (.es256, PyJWTFixtures.p384Private, PyJWTFixtures.p256Public, "SIMPLE_JWT_SIGNING_KEY", "P-384"),
            (.es512, PyJWTFixtures.p521Private, PyJWTFixtures.p384Public, "SIMPLE_JWT_VERIFYING_KEY", "P-384"),
            (.rs384, PyJWTFixtures.p256Private, PyJWTFixtures.rsaPublic, "SIMPLE_JWT_SIGNING_KEY", "EC P-256"),
            (.ps256, PyJWTFixtures.rsa1024Private, PyJWTFixtures.rsa1024Public, "SIMPLE_JWT_SIGNING_KEY", "1024-bit"),
            (.rs512, PyJWTFixtures.rsaPrivate, PyJWTFixtures.rsaPrivate, "SIMPLE_JWT_VERIFYING_KEY", "private key"),
            (.eddsa, PyJWTFixtures.rsaPrivate, PyJWTFixtures.ed25519Public, "SIMPLE_JWT_SIGNING_KEY", "RSA"),
            (.ps512, "not a key", PyJWTFixtures.rsaPublic, "SIMPLE_JWT_SIGNING_KEY", "not a key in PEM form"),
        ])
    func wrongKey(algorithm: JWTAlgorithm, signing: String, verifying: String, setting: String, named: String)
        async throws
    {
        let configuration = testConfiguration {
            jwtProfile(&$0)
            $0.jwtAlgorithm = algorithm
            $0.jwtSigningKey = signing
            $0.jwtVerifyingKey = verifying
        }
        let app = try await Application.make(.testing)
        let error = await #expect(throws: ConfigurationError.self) { try await app.restAuth.configure(configuration) }
        try await app.asyncShutdown()
        #expect(error?.setting == setting)
        #expect(error?.message.contains(named) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("BEGIN") == false, "the message never quotes the key")
    }
}

/// A JWKS document on a live port, as an identity provider serves its keys.
final class JWKSServer: Sendable {
    struct State {
        var document: String
        var status: HTTPResponseStatus = .ok
        var fetches = 0
    }

    let app: Application
    let port: Int
    let state: NIOLockedValueBox<State>

    var url: String { "http://127.0.0.1:\(port)/.well-known/jwks.json" }
    var fetches: Int { state.withLockedValue { $0.fetches } }

    private init(app: Application, port: Int, state: NIOLockedValueBox<State>) {
        self.app = app
        self.port = port
        self.state = state
    }

    static func start(keys: [JSONValue]) async throws -> JWKSServer {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        let state = NIOLockedValueBox(State(document: document(keys)))
        app.get(".well-known", "jwks.json") { _ -> Response in
            let (document, status) = state.withLockedValue { state in
                state.fetches += 1
                return (state.document, state.status)
            }
            return Response(
                status: status, headers: ["Content-Type": "application/json"], body: .init(string: document))
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw Abort(.internalServerError) }
        return JWKSServer(app: app, port: port, state: state)
    }

    func publish(_ keys: [JSONValue]) {
        state.withLockedValue { $0.document = Self.document(keys) }
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    static func document(_ keys: [JSONValue]) -> String {
        String(decoding: JSONValue.object(["keys": .array(keys)]).serialized(), as: UTF8.self)
    }

    /// A fixture's JWK with `kid`, `use` and `alg` (or others) added.
    static func jwk(_ json: String, _ extra: JSONObject) -> JSONValue {
        guard case .object(var object)? = try? JSONParser.parse(Array(json.utf8)) else { return .null }
        for (key, value) in extra.pairs { object[key] = value }
        return .object(object)
    }
}

@Suite("JWK_URL: tokens made elsewhere, checked with a JWKS document's keys")
struct JWKURLTests {
    /// RS256 signed here with TestKeys' pair (no VERIFYING_KEY), the set at `server`.
    func configure(_ c: inout RestAuthConfiguration, server: JWKSServer) {
        jwtProfile(&c)
        c.jwtAlgorithm = .rs256
        c.jwtSigningKey = TestKeys.rsaPrivate
        c.jwtVerifyingKey = nil
        c.jwtJWKURL = server.url
    }

    /// An access token for the user an access token of ours names, made by the identity
    /// provider (PyJWTFixtures' RSA key), its header naming `kid`.
    func providerToken(like access: String, kid: String?, key: String = PyJWTFixtures.rsaPrivate) async throws
        -> String
    {
        var claims = claims(of: access)
        claims["jti"] = .string(UUID().uuidString)
        claims["fam"] = nil
        var header: JSONObject = ["alg": "RS256", "typ": "JWT"]
        if let kid { header["kid"] = .string(kid) }
        return try await mintJWT(claims, header: header, algorithm: .rs256, pem: key)
    }

    @Test("A token whose kid names a key of the set is accepted; the server's own tokens still work")
    func acceptsProviderTokens() async throws {
        let server = try await JWKSServer.start(keys: [
            JWKSServer.jwk(PyJWTFixtures.rsaJWK, ["kid": "idp-1", "use": "sig", "alg": "RS256"]),
            JWKSServer.jwk(PyJWTFixtures.p256JWK, ["kid": "ec-1"]),
            JWKSServer.jwk(PyJWTFixtures.rsaJWK, ["kid": "enc-1", "use": "enc"]),
            JWKSServer.jwk(PyJWTFixtures.rsaJWK, ["kid": "rs512-1", "alg": "RS512"]),
            JWKSServer.jwk(PyJWTFixtures.rsaJWK, [:]),
        ])
        try await withRestAuthApp({ configure(&$0, server: server) }) { _, client in
            let user = try await client.register()
            let access = try #require(try await client.jwtLogIn(user.username).string("access"))
            client.cookies = [:]
            client.authorization = "Bearer \(access)"
            #expect(try await client.get("user/").status == .ok, "signed here, no kid: the signing key's public half")
            #expect(server.fetches == 0, "the set is fetched when a token first needs it")

            let minted = try await providerToken(like: access, kid: "idp-1")
            client.authorization = "Bearer \(minted)"
            let reply = try await client.get("user/")
            #expect(reply.status == .ok && reply.string("username") == user.username, "\(reply.body)")
            client.authorization = nil
            let verify = try await client.post("token/verify/", ["token": .string(minted)])
            #expect(verify.status == .ok, "\(verify.body)")
            #expect(server.fetches == 1)

            // Keys that do not fit RS256 or are not for signatures; a kid the set lacks; no
            // kid (then the server's own key checks it); the right kid and another key.
            for (kid, key) in [
                ("ec-1", PyJWTFixtures.rsaPrivate), ("enc-1", PyJWTFixtures.rsaPrivate),
                ("rs512-1", PyJWTFixtures.rsaPrivate), ("unknown", PyJWTFixtures.rsaPrivate),
                (nil, PyJWTFixtures.rsaPrivate), ("idp-1", TestKeys.rsaPrivate),
            ] as [(String?, String)] {
                let token = try await providerToken(like: access, kid: kid, key: key)
                client.authorization = "Bearer \(token)"
                let refused = try await client.get("user/")
                #expect(refused.status == .unauthorized && refused.string("code") == "token_not_valid", "\(kid ?? "-")")
            }
            #expect(server.fetches == 1, "an unknown kid within the cooldown fetches nothing")
        }
        try await server.stop()
    }

    @Test(
        "A key added to the set is fetched for its first token, at most once per cooldown; a failed fetch keeps the keys"
    )
    func rotation() async throws {
        let server = try await JWKSServer.start(keys: [JWKSServer.jwk(PyJWTFixtures.rsaJWK, ["kid": "idp-1"])])
        try await withRestAuthApp({ configure(&$0, server: server) }) { app, client in
            let jwks = try #require(app.restAuth.state.jwt?.codec.jwks)
            let user = try await client.register()
            let access = try #require(try await client.jwtLogIn(user.username).string("access"))
            client.cookies = [:]
            let rotated = try await providerToken(like: access, kid: "idp-2")
            client.authorization = "Bearer \(rotated)"
            #expect(try await client.get("user/").status == .unauthorized, "not published yet")
            #expect(server.fetches == 1)

            server.publish([
                JWKSServer.jwk(PyJWTFixtures.rsaJWK, ["kid": "idp-1"]),
                JWKSServer.jwk(PyJWTFixtures.rsaJWK, ["kid": "idp-2"]),
            ])
            #expect(try await client.get("user/").status == .unauthorized, "within the cooldown: not fetched again")
            #expect(server.fetches == 1)
            jwks.age(by: JWKSKeys.cooldown)
            #expect(try await client.get("user/").status == .ok, "after it: fetched, and found")
            #expect(server.fetches == 2)

            // Eight requests at once with a stale set make one fetch.
            jwks.age(by: JWKSKeys.lifespan)
            try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let other = TestClient(app: app)
                        other.authorization = "Bearer \(rotated)"
                        return try await other.get("user/").status
                    }
                }
                for try await status in group { #expect(status == .ok) }
            }
            #expect(server.fetches == 3)

            // The key server fails: the keys already held keep working.
            server.state.withLockedValue { $0.status = .internalServerError }
            jwks.age(by: JWKSKeys.lifespan)
            #expect(try await client.get("user/").status == .ok)
            #expect(server.fetches == 4)
        }
        try await server.stop()
    }

    @Test("JWK_URL needs an http or https URL; under HS it changes nothing; VERIFYING_KEY is then optional")
    func settings() async throws {
        for url in ["file:///etc/jwks.json", "not a url", "https://"] {
            let error = #expect(throws: ConfigurationError.self) {
                try testConfiguration {
                    jwtProfile(&$0)
                    $0.jwtJWKURL = url
                }.validate()
            }
            #expect(error?.setting == "SIMPLE_JWT_JWK_URL")
        }
        var configuration = testConfiguration { jwtProfile(&$0) }
        configuration.jwtAlgorithm = .rs256
        configuration.jwtSigningKey = TestKeys.rsaPrivate
        configuration.jwtJWKURL = "https://idp.example.com/.well-known/jwks.json"
        try configuration.validate()
        configuration.jwtAlgorithm = .hs256
        configuration.jwtSigningKey = nil
        let codec = try await JWTCodec.make(configuration)
        #expect(codec.jwks == nil)
    }
}

@Suite("TOKEN_TYPE_CLAIM, JTI_CLAIM and USER_ID_FIELD")
struct JWTClaimNameTests {
    @Test("Custom claim names and USER_ID_FIELD=username are written and read by login, refresh, verify and logout")
    func customNames() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtTokenTypeClaim = "kind"
            $0.jwtJTIClaim = "token_id"
            $0.jwtUserIDClaim = "sub"
            $0.jwtUserIDField = "username"
        }) { app, client in
            let user = try await client.register()
            let login = try await client.jwtLogIn(user.username)
            let access = try #require(login.string("access"))
            let refresh = try #require(login.string("refresh"))
            let accessClaims = claims(of: access)
            #expect(Set(accessClaims.keys) == ["kind", "exp", "iat", "token_id", "sub", "fam"])
            #expect(accessClaims["kind"] == "access" && claims(of: refresh)["kind"] == "refresh")
            #expect(accessClaims["sub"] == .string(user.username))
            client.cookies = [:]
            client.authorization = "Bearer \(access)"
            #expect(try await client.get("user/").string("username") == user.username)
            client.authorization = nil

            let refreshed = try await client.post("token/refresh/", ["refresh": .string(refresh)])
            #expect(refreshed.status == .ok, "\(refreshed.body)")
            let newRefresh = try #require(refreshed.string("refresh"))
            let newAccess = claims(of: try #require(refreshed.string("access")))
            #expect(Set(newAccess.keys) == ["kind", "exp", "iat", "token_id", "sub", "fam"])
            #expect(newAccess["token_id"] != claims(of: newRefresh)["token_id"])
            let replay = try await client.post("token/refresh/", ["refresh": .string(refresh)])
            #expect(replay.status == .unauthorized, "the rotated token is blacklisted by its token_id")

            // simplejwt's names are not ours now: a token with only them has no type.
            let jwt = try #require(app.restAuth.state.jwt)
            var simplejwt = accessClaims
            simplejwt["token_type"] = simplejwt["kind"]
            simplejwt["kind"] = nil
            let untyped = try await client.post("token/verify/", ["token": .string(try jwt.codec.encode(simplejwt))])
            #expect(untyped.json == ["detail": "Token has no type", "code": "token_not_valid"])
            var nobody = accessClaims
            nobody["sub"] = "nobody"
            client.authorization = "Bearer \(try jwt.codec.encode(nobody))"
            #expect(try await client.get("user/").string("code") == "user_not_found")

            client.authorization = "Bearer \(try #require(refreshed.string("access")))"
            let logout = try await client.post("logout/", ["refresh": .string(newRefresh)])
            #expect(logout.status == .ok, "\(logout.body)")
            client.authorization = nil
            let afterLogout = try await client.post("token/refresh/", ["refresh": .string(newRefresh)])
            #expect(afterLogout.status == .unauthorized)
            let blacklisted = try await OutstandingToken.query(on: app.db).all().map(\.jti)
            #expect(blacklisted.contains(try #require(claims(of: newRefresh)["token_id"]?.stringValue)))
        }
    }

    @Test("USER_ID_FIELD=email names the user by address; an address two users share names none")
    func emailField() async throws {
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtUserIDField = "email"
        }) { app, client in
            let user = try await client.register()
            let access = try #require(try await client.jwtLogIn(user.username).string("access"))
            #expect(claims(of: access)["user_id"] == .string(user.email))
            client.cookies = [:]
            client.authorization = "Bearer \(access)"
            #expect(try await client.get("user/").status == .ok)
            try await AuthUser(username: "twin", email: user.email, password: "!").create(on: app.db)
            #expect(try await client.get("user/").string("code") == "user_not_found")
        }
    }

    @Test("USER_ID_FIELD must be a field tokens can name users by; claim names must be distinct and set")
    func refused() throws {
        for (adjust, setting) in [
            ({ (c: inout RestAuthConfiguration) in c.jwtUserIDField = "first_name" }, "SIMPLE_JWT_USER_ID_FIELD"),
            ({ (c: inout RestAuthConfiguration) in c.jwtJTIClaim = "user_id" }, "SIMPLE_JWT_USER_ID_CLAIM"),
            ({ (c: inout RestAuthConfiguration) in c.jwtTokenTypeClaim = "exp" }, "SIMPLE_JWT_TOKEN_TYPE_CLAIM"),
            ({ (c: inout RestAuthConfiguration) in c.jwtUserIDClaim = "fam" }, "SIMPLE_JWT_USER_ID_CLAIM"),
            ({ (c: inout RestAuthConfiguration) in c.jwtJTIClaim = "" }, "SIMPLE_JWT_JTI_CLAIM"),
        ] as [((inout RestAuthConfiguration) -> Void, String)] {
            let error = #expect(throws: ConfigurationError.self) {
                try testConfiguration {
                    jwtProfile(&$0)
                    adjust(&$0)
                }.validate()
            }
            #expect(error?.setting == setting)
        }
        for field in ["id", "pk", "username", "email"] {
            try testConfiguration {
                jwtProfile(&$0)
                $0.jwtUserIDField = field
            }.validate()
        }
        // Without JWT they are not read.
        try testConfiguration { $0.jwtUserIDField = "first_name" }.validate()
    }

    @Test("The settings come from the environment")
    func environment() throws {
        let env = [
            "SECRET_KEY": "s", "REST_AUTH_USE_JWT": "true", "SIMPLE_JWT_ALGORITHM": "PS384",
            "SIMPLE_JWT_SIGNING_KEY": PyJWTFixtures.rsaPrivate, "SIMPLE_JWT_JWK_URL": "https://idp.example.com/jwks",
            "SIMPLE_JWT_USER_ID_FIELD": "username", "SIMPLE_JWT_TOKEN_TYPE_CLAIM": "kind",
            "SIMPLE_JWT_JTI_CLAIM": "token_id",
        ]
        let c = try RestAuthConfiguration(environment: env)
        #expect(c.jwtAlgorithm == .ps384 && c.jwtJWKURL == "https://idp.example.com/jwks")
        #expect(c.jwtUserIDField == "username" && c.jwtTokenTypeClaim == "kind" && c.jwtJTIClaim == "token_id")
        #expect(RestAuthConfiguration.unrecognisedSettings(in: env).isEmpty)
        let defaults = try RestAuthConfiguration(environment: ["SECRET_KEY": "s"])
        #expect(defaults.jwtUserIDField == "id" && defaults.jwtTokenTypeClaim == "token_type")
        #expect(defaults.jwtJTIClaim == "jti" && defaults.jwtJWKURL == nil)
        for name in ["ES256K", "ES999"] {
            let error = #expect(throws: ConfigurationError.self) {
                try RestAuthConfiguration(environment: ["SECRET_KEY": "s", "SIMPLE_JWT_ALGORITHM": name])
            }
            #expect(error?.setting == "SIMPLE_JWT_ALGORITHM")
        }
    }
}
