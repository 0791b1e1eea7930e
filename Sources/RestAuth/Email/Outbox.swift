import Foundation
import Logging
import NIOConcurrencyHelpers

/// Sends messages in the background, so that a request's answer neither waits for the
/// mail server nor reveals by its timing whether a message was sent. A failure is
/// logged, never thrown at the request. Shutdown waits for the messages under way.
final class Outbox: Sendable {
    let sender: any EmailSender
    let logger: Logger
    private let tasks = NIOLockedValueBox<[UUID: Task<Void, Never>]>([:])

    init(sender: any EmailSender, logger: Logger) {
        self.sender = sender
        self.logger = logger
    }

    /// Delivers `message` now; a failure is logged, not thrown. For messages a client
    /// expects to have arrived when the answer comes (the sign-up confirmation).
    func deliver(_ message: EmailMessage, purpose: String) async {
        do {
            try await sender.send(message)
            logger.debug("sent \(purpose) e-mail")
        } catch {
            logger.error("could not send \(purpose) e-mail to \(Self.masked(message.to)): \(error)")
        }
    }

    /// Starts delivering `message` in the background; `purpose` names it in the log ("password reset").
    func post(_ message: EmailMessage, purpose: String) {
        background { await self.deliver(message, purpose: purpose) }
    }

    /// Runs mail work (look-ups, then a `post`) after the answer, so that its cost cannot
    /// tell whether an address is known. Shutdown and ``drain()`` wait for it.
    func background(_ work: @escaping @Sendable () async -> Void) {
        let id = UUID()
        // Registered under the lock that the task's own removal needs, so work that
        // finishes at once cannot remove itself before it is registered.
        tasks.withLockedValue { tasks in
            tasks[id] = Task {
                await work()
                _ = self.tasks.withLockedValue { $0.removeValue(forKey: id) }
            }
        }
    }

    /// Waits for every message under way, including those posted while waiting.
    func drain() async {
        while true {
            let pending = tasks.withLockedValue { Array($0) }
            if pending.isEmpty { return }
            for (id, task) in pending {
                await task.value
                _ = tasks.withLockedValue { $0.removeValue(forKey: id) }
            }
        }
    }

    /// `a***@example.com`: enough to find the case in the log, not a list of addresses.
    static func masked(_ addresses: [String]) -> String {
        addresses.map { address in
            let bare = address.trimmingCharacters(in: .whitespaces)
            guard let at = bare.lastIndex(of: "@") else { return "***" }
            return String(bare.prefix(1)) + "***" + bare[at...]
        }.joined(separator: ", ")
    }
}
