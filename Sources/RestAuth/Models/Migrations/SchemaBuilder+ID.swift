import Fluent
import SQLKit

extension SchemaBuilder {
    /// Django's `AutoField`. On SQLite that is `INTEGER PRIMARY KEY AUTOINCREMENT`, as
    /// Django writes it: without AUTOINCREMENT SQLite hands the id of the last deleted row
    /// to the next one, and a deleted user's JWT (which names only the id) would
    /// authenticate the next user to sign up.
    public func autoIncrementID(_ name: FieldKey = "id", on database: any Database) -> Self {
        if (database as? any SQLDatabase)?.dialect.name == "sqlite" {
            return field(name, .int, .custom("PRIMARY KEY AUTOINCREMENT"))
        }
        return field(name, .int, .identifier(auto: true))
    }
}
