import Foundation
import Logging
import Vapor

/// Audit lines through swift-log, on the `restauth.audit` logger an app can route apart:
/// what happened (`event`), to whom (`user_id`), from where (`client_ip`) and how it ended
/// (`outcome`), with the request's id. No credential is ever part of a line.
///
/// ```
/// info restauth.audit: audit [event: user_logged_in, outcome: success, user_id: 7, client_ip: 203.0.113.9]
/// ```
struct AuditLog: Sendable {
    let logger: Logger
    let clientAddress: ClientAddress

    init(clientAddress: ClientAddress) {
        self.logger = Logger(label: "restauth.audit")
        self.clientAddress = clientAddress
    }

    func record(
        _ event: String, outcome: String, user: UserKey?, request: Request, extra: Logger.Metadata = [:]
    ) {
        var metadata: Logger.Metadata = [
            "event": .string(event), "outcome": .string(outcome),
            "client_ip": .string(clientAddress.resolve(request)),
        ]
        if let user { metadata["user_id"] = .string(user.description) }
        if let id = request.logger[metadataKey: "request-id"] { metadata["request-id"] = id }
        metadata.merge(extra) { $1 }
        logger.log(level: outcome == "success" ? .info : .notice, "audit", metadata: metadata)
    }
}
