import Fluent
import Vapor

/// dj-rest-auth's `dj_rest_auth.mfa.urls`: the second step of a login, TOTP activation
/// and deactivation, status and recovery codes.
struct MFAController: Sendable {
    let state: RestAuthState
    let mfa: MFAService

    var endpoints: [Endpoint] {
        let configuration = state.configuration
        let settings = configuration.mfa
        let codes = OpenAPISchema.object(
            ["codes": ["type": "array", "items": OpenAPISchema.string]], required: ["codes"])
        return [
            Endpoint(
                ["mfa", "verify"], name: "MFA Verify",
                description: "Exchange ephemeral_token + TOTP/recovery code for a real auth token.",
                permission: .allowAny, handlers: [(.POST, .async(verify))],
                operations: [
                    (
                        .POST,
                        RestAuthOperation(
                            summary: "Second step of a login: the ephemeral token and a TOTP or recovery code",
                            request: settings.verifySerializer.requestSchema(configuration: configuration),
                            status: state.loginStatus, response: state.loginResponseSchema
                        ).throttled(by: "mfa_verify", "mfa_verify_failed")
                    )
                ]),
            Endpoint(
                ["mfa", "totp", "activate"], name: "TOTP Activate",
                description:
                    "GET: Generate a new TOTP secret + provisioning URI + QR code.\nPOST: Confirm TOTP activation with activation_token and a valid code.",
                permission: .isAuthenticated,
                handlers: [(.GET, .async(activationOffer)), (.POST, .async(activate))],
                operations: [
                    (
                        .GET,
                        RestAuthOperation(
                            summary: "A new TOTP secret, its otpauth URI and QR code, and an activation token",
                            response: OpenAPISchema.object(
                                [
                                    "secret": OpenAPISchema.string, "totp_url": OpenAPISchema.string,
                                    "qr_code_data_uri": OpenAPISchema.string,
                                    "activation_token": OpenAPISchema.string,
                                ], required: ["secret", "totp_url", "qr_code_data_uri", "activation_token"]))
                    ),
                    (
                        .POST,
                        RestAuthOperation(
                            summary:
                                "Turn TOTP on with the activation token and a first code; answers the recovery codes",
                            request: settings.totpActivateConfirmSerializer.requestSchema(configuration: configuration),
                            response: OpenAPISchema.object(
                                ["recovery_codes": ["type": "array", "items": OpenAPISchema.string]],
                                required: ["recovery_codes"]))
                    ),
                ]),
            Endpoint(
                ["mfa", "totp", "deactivate"], name: "TOTP Deactivate",
                description: "Deactivate TOTP MFA. Requires a valid TOTP code to confirm.",
                permission: .isAuthenticated,
                handlers: [(.POST, .async(deactivate))],
                operations: [
                    (
                        .POST,
                        .detail(
                            "Turn MFA off with a current TOTP code",
                            request: settings.totpDeactivateSerializer.requestSchema(configuration: configuration)
                        ).throttled(by: "mfa_verify_failed")
                    )
                ]),
            Endpoint(
                ["mfa", "status"], name: "MFA Status", description: "Check whether the current user has MFA enabled.",
                permission: .isAuthenticated,
                handlers: [(.GET, .async(status))],
                operations: [
                    (
                        .GET,
                        RestAuthOperation(
                            summary: "Whether MFA is on, since when, and its last use",
                            response: OpenAPISchema.object(
                                [
                                    "mfa_enabled": OpenAPISchema.boolean,
                                    "created_at": ["type": ["string", "null"], "format": "date-time"],
                                    "last_used_at": ["type": ["string", "null"], "format": "date-time"],
                                ], required: ["mfa_enabled", "created_at", "last_used_at"]))
                    )
                ]),
            Endpoint(
                ["mfa", "recovery-codes"], name: "Recovery Codes", description: "View unused recovery codes.",
                permission: .isAuthenticated,
                handlers: [(.POST, .async(recoveryCodes))],
                operations: [(.POST, RestAuthOperation(summary: "The unused recovery codes", response: codes))]),
            Endpoint(
                ["mfa", "recovery-codes", "regenerate"], name: "Recovery Codes Regenerate",
                description: "Regenerate recovery codes. Invalidates all previous codes.",
                permission: .isAuthenticated, handlers: [(.POST, .async(regenerate))],
                operations: [
                    (
                        .POST,
                        RestAuthOperation(summary: "New recovery codes; the old ones stop working", response: codes)
                            .refusable()
                    )
                ]),
        ]
    }

    static var notEnabled: String { RestAuthMessages.MFA.notEnabled.text }
    static var alreadyEnabled: String { RestAuthMessages.MFA.alreadyEnabled.text }

    /// `MFAVerifyView`: the code proves the second factor; the ephemeral token is spent and
    /// the login completes as `login/` would have (token, JWT pair and cookies, session).
    @Sendable func verify(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let fields = try RequestBody.parse(request).fields()
        let verified = try await state.configuration.mfa.verifySerializer.validate(fields, context: context)
        guard
            try await mfa.store.consumeChallenge(
                MFAService.sha256Hex(verified.ephemeralToken), now: mfa.clock(), on: context.database)
        else {
            context.audit("mfa_verify", outcome: "failure", user: verified.user, metadata: ["reason": "token_used"])
            throw ValidationErrors("ephemeral_token", DefaultMFAVerifySerializer.invalidToken)
        }
        let user = verified.user
        let grant = try await state.logIn(
            LoginResult(user: user, verifiedPasswordHash: user.accountPassword), context: context)
        let response = try await grant.response(context: context)
        await context.publish(.userLoggedIn(user))
        return response
    }

    @Sendable func activationOffer(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let user = try request.restAuth.requireUser()
        let secret = TOTP.randomSecret()
        let url = mfa.provisioningURI(secret: secret, for: user)
        let qr = (try? QRCode(url, errorCorrection: .medium).svgDataURI()) ?? ""
        let activation = TOTPActivation(
            secret: secret, totpURL: url, qrCodeDataURI: qr,
            activationToken: mfa.activationToken(for: try user.requireAccountKey(), secret: secret))
        return .json(
            try await state.configuration.mfa.totpActivateInitSerializer.representation(
                of: activation, context: context))
    }

    @Sendable func activate(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let user = try request.restAuth.requireUser()
        let key = try user.requireAccountKey()
        let fields = try RequestBody.parse(request).fields()
        if try await mfa.store.hasTOTP(key, on: context.database) { throw alreadyEnabled(context, user) }
        let proof = try await state.configuration.mfa.totpActivateConfirmSerializer.validate(
            fields, user: user, context: context)
        guard
            let codes = try await mfa.activate(
                key, secret: proof.secret, step: proof.step, code: proof.code, on: context.database)
        else { throw alreadyEnabled(context, user) }
        context.audit("mfa_activated", outcome: "success", user: user, metadata: ["recovery_codes": "\(codes.count)"])
        return .json(["recovery_codes": .array(codes.map(JSONValue.string))])
    }

    private func alreadyEnabled(_ context: RestAuthContext, _ user: any RestAuthUser) -> APIError {
        context.audit("mfa_activation", outcome: "failure", user: user, metadata: ["reason": "already_enabled"])
        return .detail(.badRequest, Self.alreadyEnabled)
    }

    @Sendable func deactivate(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let user = try request.restAuth.requireUser()
        let key = try user.requireAccountKey()
        let fields = try RequestBody.parse(request).fields()
        guard try await mfa.store.hasTOTP(key, on: context.database) else {
            context.audit("mfa_deactivation", outcome: "failure", user: user, metadata: ["reason": "not_enabled"])
            throw APIError.detail(.badRequest, Self.notEnabled)
        }
        try await state.configuration.mfa.totpDeactivateSerializer.validate(fields, user: user, context: context)
        try await mfa.store.deactivate(key, on: context.database)
        context.audit("mfa_deactivated", outcome: "success", user: user)
        return .json(["detail": .string(RestAuthMessages.MFA.deactivated.text)])
    }

    @Sendable func status(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let user = try request.restAuth.requireUser()
        let status = try await mfa.status(of: try user.requireAccountKey(), on: context.database)
        return .json(try await state.configuration.mfa.statusSerializer.representation(of: status, context: context))
    }

    @Sendable func recoveryCodes(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let user = try request.restAuth.requireUser()
        let codes = try await mfa.unusedRecoveryCodes(of: try user.requireAccountKey(), on: context.database)
        return .json(
            try await state.configuration.mfa.recoveryCodesSerializer.representation(of: codes, context: context))
    }

    @Sendable func regenerate(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let user = try request.restAuth.requireUser()
        guard let codes = try await mfa.regenerateRecoveryCodes(of: try user.requireAccountKey(), on: context.database)
        else { throw APIError.detail(.badRequest, Self.notEnabled) }
        context.audit(
            "mfa_recovery_codes_regenerated", outcome: "success", user: user,
            metadata: ["recovery_codes": "\(codes.count)"])
        return .json(
            try await state.configuration.mfa.recoveryCodesSerializer.representation(of: codes, context: context))
    }
}

extension RestAuthState {
    /// With MFA on and TOTP on for the user, the first step's answer
    /// (`{"ephemeral_token": ..., "mfa_required": true}`) instead of a login: no credential,
    /// no cookie, no `last_login`. A hash upgrade the password check asked for is stored
    /// first (only over the hash it verified), so the token is bound to the stored hash.
    /// Nil when no second step is due.
    func secondFactorChallenge(for result: LoginResult, context: RestAuthContext) async throws -> Response? {
        guard let mfa, let key = result.user.accountKey,
            try await mfa.store.hasTOTP(key, on: context.database)
        else { return nil }
        let user = result.user
        if let upgraded = result.upgradedPassword, let verified = result.verifiedPasswordHash {
            guard try await users.replacePassword(of: key, expected: verified, with: upgraded, on: context.database)
            else { throw ValidationErrors.nonField(DefaultLoginSerializer.invalidCredentials) }
            user.accountPassword = upgraded
        }
        let token = try await mfa.issueEphemeralToken(for: user, on: context.database)
        context.audit("mfa_required", outcome: "success", user: user)
        return .json(["ephemeral_token": .string(token), "mfa_required": true])
    }
}
