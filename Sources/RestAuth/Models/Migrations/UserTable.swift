import Fluent

/// The user table that the package's own tables point at: Django's `auth_user`, or the
/// app's model.
struct UserTable: Sendable {
    let schema: String
    let fields: RestAuthUserFields

    init(_ model: any RestAuthUser.Type) {
        self.schema = model.schema
        self.fields = model.accountFields
    }

    /// The type of a `user_id` column: the user table's key type.
    var keyDataType: DatabaseSchema.DataType {
        switch fields.keyType {
        case .int: .int
        case .uuid: .uuid
        case .string: .custom("VARCHAR(255)")
        }
    }
}
