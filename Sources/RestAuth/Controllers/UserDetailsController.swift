import Fluent
import Vapor

/// `user/`: GET, PUT, PATCH of the authenticated user.
struct UserDetailsController: Sendable {
    let state: RestAuthState

    var endpoints: [Endpoint] {
        [
            Endpoint(
                ["user"], name: "User Details", permission: .isAuthenticated,
                handlers: [
                    (.GET, .immediate(show)), (.PUT, .async { try await update($0, partial: false) }),
                    (.PATCH, .async { try await update($0, partial: true) }),
                ])
        ]
    }

    @Sendable func show(_ request: Request) throws -> Response {
        .json(UserDetailsSerializer.representation(of: try request.restAuth.requireUser()))
    }

    func update(_ request: Request, partial: Bool) async throws -> Response {
        let user = try request.restAuth.requireUser()
        let fields = try RequestBody.parse(request).fields()
        let serializer = UserDetailsSerializer(
            usernameRules: UsernameRules(configuration: state.configuration, users: state.users))
        try await serializer.update(user, with: fields, partial: partial, on: request.db)
        do {
            try await user.save(on: request.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another request took the name between the check and the write.
            throw ValidationErrors("username", UsernameRules.takenMessage)
        }
        return .json(UserDetailsSerializer.representation(of: user))
    }
}
