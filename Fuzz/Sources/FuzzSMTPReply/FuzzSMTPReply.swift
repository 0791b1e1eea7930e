import NIOCore
import NIOEmbedded

// SMTPReplyDecoder behind NIO's ByteToMessageHandler on an EmbeddedChannel, as the
// connection runs it. The first byte seeds the split: the rest is fed once whole and once
// in pieces of fuzzer-chosen sizes. Either way the decoder answers quickly; the replies
// up to any error agree (one is a prefix of the other; without an error they are the
// same); and `hasPending` (what STARTTLS relies on) says whether bytes are left over.
private struct Outcome {
    var replies: [SMTPReply] = []
    var failed = false
    var pending = false
}

private final class Collector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = SMTPReply
    var replies: [SMTPReply] = []
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { replies.append(unwrapInboundIn(data)) }
}

private func feed(_ chunks: [ArraySlice<UInt8>]) -> Outcome {
    let decoder = SMTPReplyDecoder()
    let collector = Collector()
    let channel = EmbeddedChannel()
    var outcome = Outcome()
    do {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
        try channel.pipeline.syncOperations.addHandler(collector)
        for chunk in chunks {
            var buffer = channel.allocator.buffer(capacity: chunk.count)
            buffer.writeBytes(chunk)
            try channel.writeInbound(buffer)
        }
    } catch {
        outcome.failed = true
    }
    outcome.replies = collector.replies
    outcome.pending = decoder.hasPending
    _ = try? channel.finish(acceptAlreadyClosed: true)
    return outcome
}

private func same(_ a: SMTPReply, _ b: SMTPReply) -> Bool { a.code == b.code && a.lines == b.lines }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPReply(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let all = Array(UnsafeBufferPointer(start: data, count: size))
    let bytes = all[1...]
    var state = UInt32(all[0]) &* 2_654_435_761 | 1
    var chunks: [ArraySlice<UInt8>] = []
    var start = bytes.startIndex
    while start < bytes.endIndex {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        let length = Int(state % 97) + 1
        let end = min(start + length, bytes.endIndex)
        chunks.append(bytes[start..<end])
        start = end
    }
    let whole = feed([bytes])
    let pieces = feed(chunks)
    let (shorter, longer) = whole.replies.count <= pieces.replies.count ? (whole, pieces) : (pieces, whole)
    guard zip(shorter.replies, longer.replies).allSatisfy(same) else { fatalError("replies differ by split") }
    if !whole.failed && !pieces.failed {
        guard whole.replies.count == pieces.replies.count else { fatalError("reply count differs by split") }
        // Left over: bytes after the last newline, or lines of a reply not yet ended.
        let tail = bytes.reversed().prefix(while: { $0 != UInt8(ascii: "\n") }).count
        var lastLine = bytes.dropLast(tail).dropLast()
        if let previous = lastLine.lastIndex(of: UInt8(ascii: "\n")) { lastLine = lastLine[(previous + 1)...] }
        let openReply =
            tail < bytes.count && lastLine.count > 3 && lastLine[lastLine.startIndex + 3] == UInt8(ascii: "-")
        let expected = tail > 0 || openReply
        guard whole.pending == expected, pieces.pending == expected else {
            fatalError("hasPending \(whole.pending)/\(pieces.pending), expected \(expected)")
        }
    }
    let newlines = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    guard whole.replies.reduce(0, { $0 + $1.lines.count }) <= newlines else { fatalError("more lines than newlines") }
    return 0
}
