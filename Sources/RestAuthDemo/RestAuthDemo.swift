import Fluent
import RestAuth
import Vapor

/// The demo server: dj-rest-auth's API under `/dj-rest-auth/`, configured from the
/// environment with Django's setting names, on SQLite by default.
@main
enum RestAuthDemo {
    static func main() async throws {
        var env = try Environment.detect()
        try LoggingSystem.bootstrap(from: &env)
        let app = try await Application.make(env)
        do {
            try await DemoApp.configure(app, environment: ProcessInfo.processInfo.environment)
            try await app.execute()
        } catch let error as ConfigurationError {
            app.logger.critical("\(error.description)")
            try? await app.asyncShutdown()
            exit(2)
        } catch let error as AccountAdministration.Failure {
            // A command's refusal, as Django's CommandError: a message and status 1.
            FileHandle.standardError.write(Data("CommandError: \(error.description)\n".utf8))
            try? await app.asyncShutdown()
            exit(1)
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            exit(1)
        }
        try await app.asyncShutdown()
    }
}
