#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// HTTP/1.x request framing (RFC 9112) over the bytes of one connection, the first step of
/// `GatewayChannelHandler`: it takes the bytes as they are read (`feed`), in pieces of any size,
/// and gives the requests in them one event at a time (`next`): a head, the body's bytes (none,
/// one or more slices), the end.
///
/// The head is read in one pass once its blank line is there, straight from the received bytes:
/// only what the gateway uses is kept (`GatewayRequestHead`), and no header becomes a `String`
/// unless it is one the gateway needs as text. Every field of the head is kept only when
/// `keepsAllFields` is set (SigV4 verification signs them). Bodies are framed by Content-Length
/// or by chunked transfer coding (chunk extensions and trailer fields are read and dropped).
///
/// Anything it cannot frame safely is a `Failure`, after which it reads nothing more (the caller
/// answers 400 and closes): a head past `maxHeadBytes` or `maxFields`, a bad request line or
/// version (only HTTP/1.0 and HTTP/1.1), a field line with no colon, whitespace before the
/// colon, a control character in a value, an obsolete line folding, a Content-Length that is not
/// one decimal number (or is repeated), a Transfer-Encoding whose last coding is not chunked, both
/// framings at once, a bad chunk size or chunk end. Lines end with CRLF; a bare LF is taken too,
/// as NIO's parser (llhttp) takes it. Empty lines before a request line are skipped.
struct HTTPRequestParser {
    enum Event {
        case head(GatewayRequestHead)
        /// Bytes of the body, in order (a slice of the bytes fed, not a copy).
        case body(ByteBuffer)
        case end
    }

    enum Failure: Error, Equatable {
        case headTooLarge, tooManyFields, badRequestLine, unsupportedVersion, badField
        case badContentLength, badTransferEncoding, badChunk
    }

    /// The limits Hummingbird's HTTP/1 channel gave NIO's parser: 80 KiB of head, 1,000 fields.
    static let maxHeadBytes = 80 * 1024
    static let maxFields = 1000
    /// A chunk-size line (size and extensions) longer than this is refused.
    static let maxChunkLineBytes = 4096

    private enum State {
        case head
        case body(remaining: Int)
        /// The head (of a request without a body) or the body was given: `.end` is next.
        case endOfMessage
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed
    }

    let keepsAllFields: Bool
    private var state = State.head
    /// Bytes fed and not yet consumed; nil when there are none (so that the buffer NIO read into
    /// is not held between reads, and NIO can read into it again).
    private var buffer: ByteBuffer?
    /// How many bytes from `buffer`'s reader index were searched for a line end in vain.
    private var scanned = 0
    /// Bytes of trailer fields read so far.
    private var trailerBytes = 0

    init(keepsAllFields: Bool = false) {
        self.keepsAllFields = keepsAllFields
    }

    /// Between requests, with no byte of the next one read (line endings between requests are
    /// not a request).
    var isIdle: Bool {
        guard case .head = state else { return false }
        guard let buffer else { return true }
        return buffer.readableBytesView.allSatisfy { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
    }

    /// Adds the bytes read from the connection.
    mutating func feed(_ bytes: ByteBuffer) {
        if case .failed = state { return }
        guard bytes.readableBytes > 0 else { return }
        guard var pending = buffer else {
            buffer = bytes
            scanned = 0
            return
        }
        buffer = nil  // `pending` the only reference: appended in place
        var bytes = bytes
        pending.writeBuffer(&bytes)
        buffer = pending
    }

    /// Reads nothing more: what is fed afterwards is dropped.
    mutating func stop() {
        state = .failed
        buffer = nil
    }

    /// The next event, or nil when more bytes are needed. After a failure, nil forever.
    mutating func next() throws(Failure) -> Event? {
        if case .endOfMessage = state {
            state = .head
            return .end
        }
        guard var bytes = buffer else { return nil }
        buffer = nil
        defer {
            if bytes.readableBytes > 0 {
                buffer = bytes
            } else {
                scanned = 0
            }
        }
        do throws(Failure) {
            return try step(&bytes)
        } catch {
            state = .failed
            bytes.moveReaderIndex(to: bytes.writerIndex)
            throw error
        }
    }

    private mutating func step(_ bytes: inout ByteBuffer) throws(Failure) -> Event? {
        while true {
            switch state {
            case .failed:
                bytes.moveReaderIndex(to: bytes.writerIndex)
                return nil
            case .endOfMessage:
                state = .head
                return .end
            case .head:
                guard skipEmptyLines(&bytes), let end = headEnd(bytes) else {
                    if bytes.readableBytes > Self.maxHeadBytes { throw .headTooLarge }
                    return nil
                }
                guard end <= Self.maxHeadBytes else { throw .headTooLarge }
                let head = try bytes.withUnsafeReadableBytes { raw throws(Failure) in
                    try GatewayRequestHead(parsing: UnsafeRawBufferPointer(rebasing: raw[..<end]), keepingAllFields: keepsAllFields)
                }
                bytes.moveReaderIndex(forwardBy: end)
                scanned = 0
                if head.chunked {
                    state = .chunkSize
                } else if let length = head.contentLength, length > 0 {
                    state = .body(remaining: length)
                } else {
                    state = .endOfMessage
                }
                return .head(head)
            case .body(let remaining):
                let count = min(remaining, bytes.readableBytes)
                guard count > 0 else { return nil }
                let slice = bytes.readSlice(length: count)!
                state = count == remaining ? .endOfMessage : .body(remaining: remaining - count)
                return .body(slice)
            case .chunkSize:
                guard let line = nextLine(bytes) else {
                    if bytes.readableBytes > Self.maxChunkLineBytes { throw .badChunk }
                    return nil
                }
                guard line.count <= Self.maxChunkLineBytes else { throw .badChunk }
                let size = try bytes.withUnsafeReadableBytes { raw throws(Failure) in
                    try Self.chunkSize(UnsafeRawBufferPointer(rebasing: raw[..<line.content]))
                }
                bytes.moveReaderIndex(forwardBy: line.count)
                scanned = 0
                if size == 0 {
                    trailerBytes = 0
                    state = .trailers
                } else {
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let count = min(remaining, bytes.readableBytes)
                guard count > 0 else { return nil }
                let slice = bytes.readSlice(length: count)!
                state = count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - count)
                return .body(slice)
            case .chunkDataEnd:
                guard let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else { return nil }
                if first == UInt8(ascii: "\n") {
                    bytes.moveReaderIndex(forwardBy: 1)
                } else {
                    guard first == UInt8(ascii: "\r") else { throw .badChunk }
                    guard let second = bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self) else { return nil }
                    guard second == UInt8(ascii: "\n") else { throw .badChunk }
                    bytes.moveReaderIndex(forwardBy: 2)
                }
                state = .chunkSize
            case .trailers:
                guard let line = nextLine(bytes) else {
                    if trailerBytes + bytes.readableBytes > Self.maxHeadBytes { throw .headTooLarge }
                    return nil
                }
                trailerBytes += line.count
                guard trailerBytes <= Self.maxHeadBytes else { throw .headTooLarge }
                bytes.moveReaderIndex(forwardBy: line.count)
                scanned = 0
                if line.content == 0 {
                    state = .head
                    return .end
                }
            }
        }
    }

    /// Drops the empty lines before a request line; false when a lone CR at the end leaves it
    /// undecided.
    private mutating func skipEmptyLines(_ bytes: inout ByteBuffer) -> Bool {
        while let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) {
            if first == UInt8(ascii: "\n") {
                bytes.moveReaderIndex(forwardBy: 1)
                scanned = 0
            } else if first == UInt8(ascii: "\r") {
                guard let second = bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self) else { return false }
                guard second == UInt8(ascii: "\n") else { return true }  // the request line's parser refuses it
                bytes.moveReaderIndex(forwardBy: 2)
                scanned = 0
            } else {
                return true
            }
        }
        return true
    }

    /// The length of the head (through its blank line) when the blank line is there. Remembers
    /// how far it looked, so that a head arriving a byte at a time is not searched again from its
    /// start each time.
    private mutating func headEnd(_ bytes: ByteBuffer) -> Int? {
        let start = scanned
        let (end, searched): (Int?, Int) = bytes.withUnsafeReadableBytes { raw in
            let count = raw.count
            var i = start
            while let lf = Self.lineFeed(in: raw, from: i) {
                // The line after this LF is empty: LF, or CR LF.
                guard lf + 1 < count else { return (nil, lf) }
                if raw[lf + 1] == UInt8(ascii: "\n") { return (lf + 2, lf) }
                if raw[lf + 1] == UInt8(ascii: "\r") {
                    guard lf + 2 < count else { return (nil, lf) }
                    if raw[lf + 2] == UInt8(ascii: "\n") { return (lf + 3, lf) }
                }
                i = lf + 1
            }
            return (nil, count)
        }
        scanned = searched
        return end
    }

    /// The next line: `count` bytes through its LF, `content` bytes before its line ending.
    private mutating func nextLine(_ bytes: ByteBuffer) -> (count: Int, content: Int)? {
        let start = scanned
        let (found, searched): (Int?, Int) = bytes.withUnsafeReadableBytes { raw in
            let lf = Self.lineFeed(in: raw, from: start)
            return (lf, lf ?? raw.count)
        }
        scanned = searched
        guard let lf = found else { return nil }
        let content = lf > 0 && bytes.getInteger(at: bytes.readerIndex + lf - 1, as: UInt8.self) == UInt8(ascii: "\r") ? lf - 1 : lf
        return (lf + 1, content)
    }

    /// The offset of the first LF in `bytes` at or after `start` (memchr: a head is searched a few
    /// lines at a time, not byte by byte).
    static func lineFeed(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// A chunk-size line: hexadecimal digits, then optional whitespace and `;` extensions.
    static func chunkSize(_ line: UnsafeRawBufferPointer) throws(Failure) -> Int {
        var size = 0
        var i = 0
        while i < line.count, let digit = hexValue(line[i]) {
            guard size < (1 << 40) else { throw .badChunk }  // no chunk is that large; no overflow either
            size = size << 4 | digit
            i += 1
        }
        guard i > 0 else { throw .badChunk }
        while i < line.count, line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t") { i += 1 }
        guard i == line.count || line[i] == UInt8(ascii: ";") else { throw .badChunk }
        while i < line.count {
            let byte = line[i]
            guard byte >= 0x20 && byte != 0x7F || byte == UInt8(ascii: "\t") else { throw .badChunk }
            i += 1
        }
        return size
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
