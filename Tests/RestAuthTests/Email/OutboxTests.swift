import Foundation
import Logging
import Testing

@testable import RestAuth

@Suite("Outbox")
struct OutboxTests {
    struct FailingSender: EmailSender {
        struct Refused: Error {}
        func send(_ message: EmailMessage) async throws { throw Refused() }
    }

    @Test("Drain returns once every message is delivered, however fast deliveries finish")
    func drainTerminates() async throws {
        for sender in [MemoryEmailSender() as any EmailSender, FailingSender()] {
            let outbox = Outbox(sender: sender, logger: Logger(label: "test"))
            for index in 0..<500 {
                outbox.post(
                    EmailMessage(from: "a@x.com", to: ["b\(index)@x.com"], subject: "s", text: "t"), purpose: "test")
            }
            let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await outbox.drain()
                    return true
                }
                group.addTask {
                    try await Task.sleep(nanoseconds: 10_000_000_000)
                    return false
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            #expect(finished, "drain did not return within 10 s")
        }
    }

    @Test("Delivered messages all arrive; failures are only logged")
    func delivers() async {
        let memory = MemoryEmailSender()
        let outbox = Outbox(sender: memory, logger: Logger(label: "test"))
        for index in 0..<50 {
            outbox.post(
                EmailMessage(from: "a@x.com", to: ["b\(index)@x.com"], subject: "s", text: "t"), purpose: "test")
        }
        await outbox.drain()
        #expect(memory.messages.count == 50)
        #expect(
            Outbox.masked(["ada@example.com", "x", #""a@b"@example.com"#])
                == #"a***@example.com, ***, "***@example.com"#)
    }
}
