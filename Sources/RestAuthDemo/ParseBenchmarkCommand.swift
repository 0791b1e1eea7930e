import Foundation
import RestAuth
import Vapor

/// `benchmark-parse [--size BYTES] [--count N]`: the time to parse a request body of
/// distinct keys (the shape that made parsing quadratic) as JSON, as a form and as
/// multipart, with no field limit, so the parsers' own cost is what is measured. The
/// best of N runs is reported.
struct ParseBenchmarkCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "size", help: "Body size in bytes (default 1048576).")
        var size: Int?
        @Option(name: "count", help: "Runs per body (default 5).")
        var count: Int?
    }

    var help: String { "Times parsing a body of distinct keys: JSON, form and multipart." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let size = max(1024, signature.size ?? 1_048_576)
        let count = max(1, signature.count ?? 5)
        // Each body is `size` bytes of distinct keys in its own encoding.
        var json = Array("{".utf8)
        var form: [UInt8] = []
        let boundary = "BenchBoundary"
        var multipart = ByteBuffer()
        var index = 0
        while json.count < size || form.count < size || multipart.readableBytes < size {
            let key = Self.key(index)
            if json.count < size { json.append(contentsOf: Array("\(index == 0 ? "" : ",")\"\(key)\":1".utf8)) }
            if form.count < size { form.append(contentsOf: Array("\(index == 0 ? "" : "&")\(key)".utf8)) }
            if multipart.readableBytes < size {
                multipart.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\nv\r\n")
            }
            index += 1
        }
        json.append(UInt8(ascii: "}"))
        // One member whose value is nothing but escapes (the shape that was quadratic in strings).
        let escapes = Array(("{\"k\":\"" + String(repeating: "\\u00e9\\n", count: size / 8) + "\"}").utf8)
        multipart.writeString("--\(boundary)--\r\n")
        // What the server hands multipart-kit at most: DATA_UPLOAD_MAX_NUMBER_FIELDS (1000)
        // parts filling the body (its decoder is quadratic in the number of parts; the cap
        // is counted before it runs).
        var capped = ByteBuffer()
        let value = String(repeating: "v", count: max(1, size / 1000 - 70))
        for index in 0..<1000 {
            capped.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.key(index))\"\r\n\r\n\(value)\r\n")
        }
        capped.writeString("--\(boundary)--\r\n")

        func best(_ work: () throws -> Int) rethrows -> (ms: Double, fields: Int) {
            var fastest = Double.infinity
            var fields = 0
            for _ in 0..<count {
                let start = ContinuousClock.now
                fields = try work()
                let elapsed = ContinuousClock.now - start
                fastest = min(
                    fastest,
                    Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            }
            return (fastest, fields)
        }
        func report(_ name: String, bytes: Int, _ result: (ms: Double, fields: Int)) {
            context.console.print(
                "\(name): \(bytes) bytes, \(result.fields) keys, \(String(format: "%.1f", result.ms)) ms")
        }
        report(
            "JSON", bytes: json.count,
            try best { () throws -> Int in
                guard case .object(let object) = try JSONValue.parse(json) else { return 0 }
                return object.count
            })
        report(
            "JSON escapes", bytes: escapes.count,
            try best { () throws -> Int in
                guard case .object(let object) = try JSONValue.parse(escapes) else { return 0 }
                return object.count
            })
        report("form", bytes: form.count, try best { try FormURLEncoded.parse(form, maxFields: nil).count })
        report(
            "multipart, 1000 parts", bytes: capped.readableBytes,
            try best {
                try FormDataDecoder().decode([String: String].self, from: capped, boundary: boundary).count
            })
        report(
            "multipart, no cap", bytes: multipart.readableBytes,
            try best {
                try FormDataDecoder().decode([String: String].self, from: multipart, boundary: boundary).count
            })
    }

    /// The `index`th distinct key: `aaaa`, `baaa`, ... then a numeric suffix.
    static func key(_ index: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var name = ""
        var value = index
        for _ in 0..<4 {
            name.append(letters[value % 26])
            value /= 26
        }
        if value > 0 { name += String(value) }
        return name
    }
}
