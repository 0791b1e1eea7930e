import Crypto
import Fluent
import FluentSQL
import Foundation
import SQLKit
import Vapor

/// simplejwt's tokens: access and refresh JWTs with `token_type`, `exp`, `iat`, `jti` and
/// the user id claim (each type, id and user claim under its configured name), plus this
/// package's `fam` (the refresh family), the settings' `aud` and `iss`, and the app's own
/// claims. Refresh tokens are recorded as outstanding; used or logged-out ones are
/// blacklisted; a family can be revoked as a whole.
struct JWTTokens: Sendable {
    let codec: JWTCodec
    let configuration: RestAuthConfiguration
    /// `USER_ID_FIELD`, as the user model has it.
    let userIDField: JWTUserIDField
    /// `TOKEN_TYPE_CLAIM`, `JTI_CLAIM`.
    let typeClaim: String
    let jtiClaim: String

    static let familyClaim = "fam"

    init(codec: JWTCodec, configuration: RestAuthConfiguration) {
        self.codec = codec
        self.configuration = configuration
        // Checked by the configuration's validation before any tokens are made.
        self.userIDField = (try? configuration.resolvedJWTUserIDField()) ?? .key
        self.typeClaim = configuration.jwtTokenTypeClaim
        self.jtiClaim = configuration.jwtJTIClaim
    }

    enum TokenType: String, Sendable {
        case access
        case refresh

        /// simplejwt's class name, for the `messages` of an authentication failure.
        var className: String { self == .access ? "AccessToken" : "RefreshToken" }
    }

    /// simplejwt's `TokenError`, with its messages.
    struct TokenError: Error, Equatable {
        let text: LocalizedMessage
        /// The message in the current request's language.
        var message: String { text.text }
        /// The message in `request`'s language.
        func message(for request: Request) -> String { text.text(for: request) }
        static let invalid = TokenError(text: RestAuthMessages.JWT.tokenInvalid)
        static let expired = TokenError(text: RestAuthMessages.JWT.tokenExpired)
        static let wrongType = TokenError(text: RestAuthMessages.JWT.tokenHasWrongType)
        static let noType = TokenError(text: RestAuthMessages.JWT.tokenHasNoType)
        static let noID = TokenError(text: RestAuthMessages.JWT.tokenHasNoID)
        static let blacklisted = TokenError(text: RestAuthMessages.JWT.tokenBlacklisted)
    }

    /// A token and when it expires.
    struct Issued: Sendable {
        var token: String
        var jti: String
        var expiresAt: Date
    }

    static func newJTI() -> String { SaltGenerator.randomHex(bytes: 16) }

    static func epoch(_ date: Date) -> Int { Int(date.timeIntervalSince1970) }

    /// A new refresh token for a user, in a family (new at login). The user id is written
    /// as simplejwt 5.5 writes it, a string (`"7"`); both forms are read.
    func refreshClaims(for user: any RestAuthUser, family: String, extra: JSONObject, now: Date) throws
        -> (JSONObject, Issued)
    {
        let jti = Self.newJTI()
        let exp = now.addingTimeInterval(configuration.jwtRefreshTokenLifetime)
        var claims: JSONObject = [:]
        claims[typeClaim] = "refresh"
        claims["exp"] = .int(Self.epoch(exp))
        claims["iat"] = .int(Self.epoch(now))
        claims[jtiClaim] = .string(jti)
        claims[configuration.jwtUserIDClaim] = .string(try userID(of: user))
        claims[Self.familyClaim] = .string(family)
        for (key, value) in extra.pairs where claims[key] == nil { claims[key] = value }
        addRegisteredClaims(&claims)
        return (claims, Issued(token: "", jti: jti, expiresAt: exp))
    }

    /// The value of `USER_ID_FIELD` for a user, as the user id claim holds it.
    func userID(of user: any RestAuthUser) throws -> String {
        switch userIDField {
        case .key: try user.requireAccountKey().description
        case .username: user.accountUsername ?? ""
        case .email: user.accountEmail
        }
    }

    private func addRegisteredClaims(_ claims: inout JSONObject) {
        if let audience = configuration.jwtAudience { claims["aud"] = .string(audience) }
        if let issuer = configuration.jwtIssuer { claims["iss"] = .string(issuer) }
    }

    func sign(_ claims: JSONObject, issued: Issued) throws -> Issued {
        var issued = issued
        issued.token = try codec.encode(claims)
        return issued
    }

    /// simplejwt's `RefreshToken.access_token`: a new access token that copies the refresh
    /// token's claims but its type, expiry and id.
    func accessToken(from refresh: JSONObject, now: Date) throws -> Issued {
        let jti = Self.newJTI()
        let exp = now.addingTimeInterval(configuration.jwtAccessTokenLifetime)
        var claims: JSONObject = [:]
        claims[typeClaim] = "access"
        claims["exp"] = .int(Self.epoch(exp))
        claims["iat"] = .int(Self.epoch(now))
        claims[jtiClaim] = .string(jti)
        // simplejwt's `no_copy_claims`: the access token has its own type, times and id
        // (neither the configured id claim nor a `jti` is copied).
        let noCopy: Set<String> = [typeClaim, "exp", jtiClaim, "jti", "iat"]
        for (key, value) in refresh.pairs where !noCopy.contains(key) {
            claims[key] = value
        }
        return Issued(token: try codec.encode(claims), jti: jti, expiresAt: exp)
    }

    /// The refresh token's claims for a rotation: new `jti`, `exp` and `iat`, the rest kept.
    func rotated(_ refresh: JSONObject, now: Date) -> (JSONObject, Issued) {
        var claims = refresh
        let jti = Self.newJTI()
        let exp = now.addingTimeInterval(configuration.jwtRefreshTokenLifetime)
        claims[jtiClaim] = .string(jti)
        claims["exp"] = .int(Self.epoch(exp))
        claims["iat"] = .int(Self.epoch(now))
        return (claims, Issued(token: "", jti: jti, expiresAt: exp))
    }

    /// Signature, algorithm, expiry (with `LEEWAY`), audience, issuer, id and type, as
    /// simplejwt checks them; `type` nil accepts either (token/verify/). Waits only when
    /// the token's key must be fetched from `JWK_URL`.
    func validate(_ token: String, type: TokenType?, now: Date = Date()) async throws(TokenError) -> JSONObject {
        guard let claims = await codec.decode(token) else { throw .invalid }
        return try check(claims, type: type, now: now)
    }

    /// ``validate(_:type:now:)`` for the claims of a token whose signature is right.
    func check(_ claims: JSONObject, type: TokenType?, now: Date = Date()) throws(TokenError) -> JSONObject {
        guard let exp = Self.number(claims["exp"]) else { throw .invalid }
        if Double(exp) + configuration.jwtLeeway <= now.timeIntervalSince1970 { throw .expired }
        if let nbf = Self.number(claims["nbf"]), Double(nbf) - configuration.jwtLeeway > now.timeIntervalSince1970 {
            throw .invalid
        }
        if let audience = configuration.jwtAudience {
            switch claims["aud"] {
            case .string(let value)? where value == audience: break
            case .array(let values)? where values.contains(.string(audience)): break
            default: throw .invalid
            }
        } else {
            // PyJWT: with no audience configured, a token that names one is not for us.
            switch claims["aud"] {
            case nil, .null?, .string("")?, .array([])?: break
            default: throw .invalid
            }
        }
        if let issuer = configuration.jwtIssuer, claims["iss"] != .string(issuer) { throw .invalid }
        guard case .string(let jti)? = claims[jtiClaim], !jti.isEmpty else { throw .noID }
        guard case .string(let tokenType)? = claims[typeClaim] else { throw .noType }
        if let type, tokenType != type.rawValue { throw .wrongType }
        return claims
    }

    /// The token's id (`JTI_CLAIM`); "" when it has none.
    func jti(in claims: JSONObject) -> String {
        claims[jtiClaim]?.stringValue ?? ""
    }

    /// The token's type (`TOKEN_TYPE_CLAIM`), when it is one of ours.
    func type(of claims: JSONObject) -> TokenType? {
        claims[typeClaim]?.stringValue.flatMap(TokenType.init(rawValue:))
    }

    static func number(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let number)?: number
        case .double(let number)? where number.isFinite && abs(number) < 1e15: Int(number)
        default: nil
        }
    }

    /// The user a token names, by `USER_ID_FIELD`.
    func userReference(in claims: JSONObject) -> UserReference? {
        let text: String
        switch claims[configuration.jwtUserIDClaim] {
        case .int(let id)?: text = String(id)
        case .string(let value)?: text = value
        default: return nil
        }
        switch userIDField {
        case .key:
            let keyType = configuration.userModel.accountFields.keyType
            return keyType.parse(text).map(UserReference.key)
        case .username: return text.isEmpty ? nil : .username(text)
        case .email: return text.isEmpty ? nil : .email(text)
        }
    }

    /// The key of the user a token names: read from the token under `USER_ID_FIELD=id`,
    /// else looked up.
    func userKey(in claims: JSONObject, users: UserStore, on database: any Database) async throws -> UserKey? {
        switch userReference(in: claims) {
        case .key(let key)?: return key
        case let reference?: return try await users.user(reference, on: database)?.accountKey
        case nil: return nil
        }
    }

    static func family(in claims: JSONObject) -> String? {
        claims[familyClaim]?.stringValue
    }

    /// What is stored for an outstanding token: never the token itself.
    static func storedForm(_ token: String) -> String {
        "sha256:" + SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
