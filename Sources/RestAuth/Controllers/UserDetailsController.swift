import Fluent
import Vapor

/// `user/`: GET, PUT, PATCH of the authenticated user, through the user-details serializer.
struct UserDetailsController: Sendable {
    let state: RestAuthState

    var endpoints: [Endpoint] {
        let show: Endpoint.Handler
        if let immediate = state.configuration.userDetailsSerializer as? any ImmediateUserDetailsSerializer {
            // The default serializer waits for nothing: no task for the hottest route.
            show = .immediate { request in
                .json(immediate.immediateRepresentation(of: try request.restAuth.requireUser()))
            }
        } else {
            show = .async { request in
                let context = RestAuthContext(request: request, state: state)
                return .json(try await context.userRepresentation(try request.restAuth.requireUser()))
            }
        }
        let userRequest = state.configuration.userDetailsSerializer.requestSchema(configuration: state.configuration)
        // Django's User and the default serializer: the model's labels; otherwise from the schema.
        let userFields: [FieldMetadata]? =
            state.configuration.userDetailsSerializer is DefaultUserDetailsSerializer
                && state.configuration.userModel == AuthUser.self ? ViewMetadata.userDetailsFields : nil
        return [
            Endpoint(
                ["user"], name: "User Details", description: ViewMetadata.userDetails, permission: .isAuthenticated,
                handlers: [
                    (.GET, show), (.PUT, .async { try await update($0, partial: false) }),
                    (.PATCH, .async { try await update($0, partial: true) }),
                ],
                operations: [
                    (.GET, RestAuthOperation(summary: "The signed-in user", response: OpenAPISchema.ref("User"))),
                    (
                        .PUT,
                        RestAuthOperation(
                            summary: "Update the user", request: userRequest, response: OpenAPISchema.ref("User")
                        ).describing(userFields)
                    ),
                    (
                        .PATCH,
                        RestAuthOperation(
                            summary: "Update some of the user's fields", request: userRequest,
                            response: OpenAPISchema.ref("User"))
                    ),
                ])
        ]
    }

    func update(_ request: Request, partial: Bool) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let user = try request.restAuth.requireUser()
        let fields = try RequestBody.parse(request).fields()
        try await state.configuration.userDetailsSerializer.update(
            user, with: fields, partial: partial, context: context)
        return .json(try await context.userRepresentation(user))
    }
}
