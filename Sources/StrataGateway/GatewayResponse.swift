import HTTPTypes
import NIOCore
import NIOHTTP1

/// One answer of the endpoint, ready to be written: the bytes of the whole HTTP/1.1 response
/// (status line, headers, `Date`, the blank line, the body), encoded where the answer is made,
/// so that the event loop only writes it.
///
/// `Connection: close`, when the connection is to close after the answer, is decided on the event
/// loop as the answer is written (`closing()`), which is rare: the bytes are made for a
/// connection that stays open, and `headEnd` says where the line goes.
struct GatewayResponse: Sendable {
    /// The response as sent on a connection that stays open.
    var bytes: ByteBuffer
    /// The offset in `bytes` of the blank line ("\r\n\r\n") that ends the head.
    var headEnd: Int

    /// A response with `headers` (name and value pairs, in order), `Date` and `body`.
    init(status: HTTPResponse.Status, headers: [(StaticString, String)], body: ByteBuffer) {
        var writer = Writer(status: status, bodyBytes: body.readableBytes)
        for (name, value) in headers { writer.header(name, value) }
        self = writer.finish(body: body)
    }

    /// The same response with `Connection: close` after `Date`.
    func closing() -> GatewayResponse {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.readableBytes + 19)
        buffer.writeImmutableBuffer(bytes.getSlice(at: bytes.readerIndex, length: headEnd)!)
        buffer.writeStaticString("\r\nConnection: close")
        let end = buffer.writerIndex
        buffer.writeImmutableBuffer(bytes.getSlice(at: bytes.readerIndex + headEnd, length: bytes.readableBytes - headEnd)!)
        return GatewayResponse(bytes: buffer, headEnd: end)
    }

    private init(bytes: ByteBuffer, headEnd: Int) {
        self.bytes = bytes
        self.headEnd = headEnd
    }

    /// Writes a response's head straight into the buffer that is sent (no header dictionary, no
    /// string per number), then the body.
    struct Writer {
        private var buffer: ByteBuffer

        init(status: HTTPResponse.Status, bodyBytes: Int) {
            buffer = ByteBufferAllocator().buffer(capacity: 224 + bodyBytes)
            if status == .ok {
                buffer.writeStaticString("HTTP/1.1 200 OK\r\n")
            } else {
                // NIO's reason phrase for a status it knows (413 is "Payload Too Large"), as the
                // conversion from HTTPTypes under Hummingbird wrote it.
                let known = HTTPResponseStatus(statusCode: status.code, reasonPhrase: status.reasonPhrase)
                buffer.writeStaticString("HTTP/1.1 ")
                Self.writeDecimal(UInt64(known.code), into: &buffer)
                buffer.writeStaticString(" ")
                buffer.writeString(known.reasonPhrase)
                buffer.writeStaticString("\r\n")
            }
        }

        mutating func header(_ name: StaticString, _ value: String) {
            buffer.writeStaticString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }

        mutating func header(_ name: StaticString, decimal value: UInt64) {
            buffer.writeStaticString(name)
            buffer.writeStaticString(": ")
            Self.writeDecimal(value, into: &buffer)
            buffer.writeStaticString("\r\n")
        }

        mutating func header(_ name: StaticString, requestID: RequestID) {
            buffer.writeStaticString(name)
            buffer.writeStaticString(": ")
            requestID.write(into: &buffer)
            buffer.writeStaticString("\r\n")
        }

        /// Adds `Date` and the body.
        consuming func finish(body: ByteBuffer) -> GatewayResponse {
            let headEnd = endHead()
            buffer.writeImmutableBuffer(body)
            return GatewayResponse(bytes: buffer, headEnd: headEnd)
        }

        /// Adds `Date` and the body.
        consuming func finish(body: UnsafeRawBufferPointer) -> GatewayResponse {
            let headEnd = endHead()
            buffer.writeBytes(body)
            return GatewayResponse(bytes: buffer, headEnd: headEnd)
        }

        /// Writes the `Date` header and the blank line; returns where the last header line ends
        /// (where `Connection: close` goes in when the connection closes).
        private mutating func endHead() -> Int {
            buffer.writeStaticString("Date: ")
            HTTPDate.writeNow(into: &buffer)
            let headEnd = buffer.writerIndex
            buffer.writeStaticString("\r\n\r\n")
            return headEnd
        }

        static func writeDecimal(_ value: UInt64, into buffer: inout ByteBuffer) {
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes hold UInt64.max's 20 digits
            withUnsafeMutableBytes(of: &digits) { scratch in
                var value = value
                var start = scratch.count
                repeat {
                    start -= 1
                    scratch[start] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                } while value != 0
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[start...]))
            }
        }
    }
}
