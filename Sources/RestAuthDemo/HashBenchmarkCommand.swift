import Foundation
import RestAuth
import Vapor

/// `benchmark-hash [--count N]`: the time of one password hash with the configured
/// preferred hasher, for reading login throughput against its limit (cores ÷ this time).
struct HashBenchmarkCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "count", help: "How many hashes to time (default 5).")
        var count: Int?
    }

    var help: String { "Times one password hash with the configured hasher." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let hasher = context.application.restAuth.configuration.passwordHashers[0]
        let count = max(1, signature.count ?? 5)
        _ = try hasher.encode("warm-up-password")
        let start = ContinuousClock.now
        for index in 0..<count { _ = try hasher.encode("Sturdy-Lantern-\(index)") }
        let elapsed = ContinuousClock.now - start
        let milliseconds =
            (Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            / Double(count)
        context.console.print("\(String(format: "%.1f", milliseconds)) ms per hash (\(hasher.algorithm))")
    }
}
