import Vapor

/// One of dj-rest-auth's `REGISTER_PERMISSION_CLASSES`: may this request sign up? Throw
/// to refuse (``APIError/permissionDenied(_:)`` gives DRF's 403 `{"detail": ...}`).
///
/// ```swift
/// struct InviteOnly: RegisterPermission {
///     func check(_ context: RestAuthContext) async throws {
///         guard context.request.headers.first(name: "X-Invite") == "open-sesame" else {
///             throw APIError.permissionDenied("Sign-up is by invitation only.")
///         }
///     }
/// }
/// config.registerPermissions = [InviteOnly()]
/// ```
public protocol RegisterPermission: Sendable {
    func check(_ context: RestAuthContext) async throws
}

/// DRF's `AllowAny`.
public struct AllowAnyRegistration: RegisterPermission {
    public init() {}

    public func check(_ context: RestAuthContext) async throws {}
}
