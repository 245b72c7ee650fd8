import NIOHTTP1

/// What the gateway keeps of a request's head (`HTTPRequestParser` reads it): the route, the
/// framing and connection fields the event loop acts on, and the few fields the worker reads,
/// decided or turned into values while the head's bytes are at hand. Header names are compared
/// without regard to case; a repeated X-Amz-Target, Authorization, Content-Encoding or
/// Accept-Encoding has its values joined with ", " (as HTTPTypes' `HTTPFields` joins them).
struct GatewayRequestHead: Sendable {
    enum Method: Sendable { case get, post, other }

    /// The Authorization field, as far as the gateway needs it.
    enum Authorization: Sendable, Equatable {
        case absent
        /// Well-formed SigV4 (`AuthorizationHeader.isWellFormed`), judged over its bytes; the text
        /// is not kept (accept-all mode has nothing more to check).
        case wellFormed
        case text(String)

        /// The field's text; nil when absent or not kept.
        var text: String? {
            if case .text(let value) = self { value } else { nil }
        }
    }

    var method = Method.other
    /// The path (before any query) is `/`.
    var isRoot = false
    var version = HTTPVersion.http1_1
    /// The connection may carry another request after this one: HTTP/1.1 without
    /// `Connection: close`, or HTTP/1.0 with `Connection: keep-alive`.
    var keepAlive = true
    var contentLength: Int?
    var chunked = false
    /// `Expect: 100-continue` from HTTP/1.1 (RFC 9110 10.1.1: ignored from HTTP/1.0).
    var expectsContinue = false
    /// X-Amz-Target without its `DynamoDB_20120810.` prefix; nil when absent or without it.
    var operation: String?
    var authorization = Authorization.absent
    var contentEncoding: String?
    /// Accept-Encoding accepts gzip (`Gzip.isAccepted`).
    var acceptsGzip = false
    /// Every field and the request line, for SigV4 verification; only with `keepingAllFields`.
    var allFields: HTTPRequestHead?
}

extension GatewayRequestHead {
    typealias Failure = HTTPRequestParser.Failure

    /// Parses a whole head: the request line, the field lines, and the blank line that ends it.
    /// The Authorization field is judged over its bytes unless `keepingAllFields` (SigV4
    /// verification then parses it).
    init(parsing head: UnsafeRawBufferPointer, keepingAllFields: Bool) throws(Failure) {
        self.init()
        var lines = LineReader(bytes: head)
        guard let requestLine = lines.next() else { throw .badRequestLine }
        let target = try parseRequestLine(head, requestLine)

        var fieldCount = 0
        var targetField = FieldValue(), authorizationField = FieldValue()
        var contentEncodingField = FieldValue(), acceptEncodingField = FieldValue()
        var connectionClose = false, connectionKeepAlive = false, expectContinue = false
        var transferEncodingSeen = false
        var fields: [(String, String)] = []
        while let line = lines.next(), !line.isEmpty {
            fieldCount += 1
            guard fieldCount <= HTTPRequestParser.maxFields else { throw .tooManyFields }
            let (name, value) = try Self.fieldLine(head, line)
            if keepingAllFields {
                fields.append((Self.string(head, name), Self.string(head, value)))
            }
            switch name.count {
            case 12 where Self.equalsLowercase(head, name, "x-amz-target"):
                targetField.add(head, value)
            case 13 where Self.equalsLowercase(head, name, "authorization"):
                authorizationField.add(head, value)
            case 16 where Self.equalsLowercase(head, name, "content-encoding"):
                contentEncodingField.add(head, value)
            case 15 where Self.equalsLowercase(head, name, "accept-encoding"):
                acceptEncodingField.add(head, value)
            case 14 where Self.equalsLowercase(head, name, "content-length"):
                guard contentLength == nil else { throw .badContentLength }
                contentLength = try Self.decimal(head, value)
            case 17 where Self.equalsLowercase(head, name, "transfer-encoding"):
                transferEncodingSeen = true
                try Self.forEachToken(head, value) { token throws(Failure) in
                    // chunked must be the last coding, and only once.
                    guard !chunked else { throw .badTransferEncoding }
                    if Self.equalsLowercase(head, token, "chunked") { chunked = true }
                }
            case 10 where Self.equalsLowercase(head, name, "connection"):
                Self.forEachToken(head, value) { token in
                    if Self.equalsLowercase(head, token, "close") { connectionClose = true }
                    if Self.equalsLowercase(head, token, "keep-alive") { connectionKeepAlive = true }
                }
            case 6 where Self.equalsLowercase(head, name, "expect"):
                Self.forEachToken(head, value) { token in
                    if Self.equalsLowercase(head, token, "100-continue") { expectContinue = true }
                }
            default:
                continue
            }
        }
        if transferEncodingSeen {
            // A coding other than chunked last leaves the body's length unknown (RFC 9112 6.3);
            // both framings at once is how requests are smuggled.
            guard chunked, contentLength == nil else { throw .badTransferEncoding }
        }
        let http11 = version.minor == 1
        keepAlive = !connectionClose && (http11 || connectionKeepAlive)
        expectsContinue = http11 && expectContinue

        let prefix = DynamoDBGateway.targetPrefix.utf8
        if let range = targetField.first, !targetField.isRepeated {
            let value = UnsafeRawBufferPointer(rebasing: head[range])
            if value.count > prefix.count, value.starts(with: prefix) {
                operation = String(decoding: Self.uint8(UnsafeRawBufferPointer(rebasing: value[prefix.count...])), as: UTF8.self)
            }
        } else if let joined = targetField.joined(head) {
            operation = try? DynamoDBGateway.operation(target: joined)
        }
        if let range = authorizationField.first {
            if !keepingAllFields, !authorizationField.isRepeated,
                AuthorizationHeader.isWellFormed(bytes: Self.uint8(UnsafeRawBufferPointer(rebasing: head[range])))
            {
                authorization = .wellFormed
            } else {
                authorization = .text(authorizationField.joined(head)!)
            }
        }
        contentEncoding = contentEncodingField.joined(head)
        acceptsGzip = Gzip.isAccepted(by: acceptEncodingField.joined(head))
        if keepingAllFields {
            allFields = HTTPRequestHead(
                version: version, method: HTTPMethod(rawValue: Self.string(head, requestLine.prefix { head[$0] != UInt8(ascii: " ") })),
                uri: Self.string(head, target), headers: HTTPHeaders(fields)
            )
        }
    }

    /// `method SP request-target SP HTTP-version`: sets the method, route and version, returns the
    /// target's range.
    private mutating func parseRequestLine(_ head: UnsafeRawBufferPointer, _ line: Range<Int>) throws(Failure) -> Range<Int> {
        guard let firstSpace = line.first(where: { head[$0] == UInt8(ascii: " ") }), firstSpace > line.lowerBound else {
            throw .badRequestLine
        }
        let methodRange = line.lowerBound..<firstSpace
        guard methodRange.allSatisfy({ Self.isTokenByte(head[$0]) }) else { throw .badRequestLine }
        let targetStart = firstSpace + 1
        guard let secondSpace = (targetStart..<line.upperBound).first(where: { head[$0] == UInt8(ascii: " ") }),
            secondSpace > targetStart
        else { throw .badRequestLine }
        let target = targetStart..<secondSpace
        guard target.allSatisfy({ head[$0] > 0x20 && head[$0] != 0x7F }) else { throw .badRequestLine }
        let versionRange = (secondSpace + 1)..<line.upperBound
        guard versionRange.count == 8, Self.equals(head, versionRange.prefix(7), "HTTP/1.") else { throw .unsupportedVersion }
        switch head[versionRange.upperBound - 1] {
        case UInt8(ascii: "1"): version = .http1_1
        case UInt8(ascii: "0"): version = .http1_0
        default: throw .unsupportedVersion
        }
        if Self.equals(head, methodRange, "POST") {
            method = .post
        } else if Self.equals(head, methodRange, "GET") {
            method = .get
        }
        let path = target.prefix { head[$0] != UInt8(ascii: "?") }
        isRoot = path.count == 1 && head[path.lowerBound] == UInt8(ascii: "/")
        return target
    }

    /// `field-name ":" OWS field-value OWS`: the name's and the (trimmed) value's ranges.
    private static func fieldLine(_ head: UnsafeRawBufferPointer, _ line: Range<Int>) throws(Failure) -> (Range<Int>, Range<Int>) {
        // A line starting with whitespace is an obsolete folding (or whitespace before a name).
        var colon = line.lowerBound
        while colon < line.upperBound, isTokenByte(head[colon]) { colon += 1 }
        guard colon > line.lowerBound, colon < line.upperBound, head[colon] == UInt8(ascii: ":") else { throw .badField }
        let name = line.lowerBound..<colon
        var start = colon + 1, end = line.upperBound
        while start < end, isSpace(head[start]) { start += 1 }
        while end > start, isSpace(head[end - 1]) { end -= 1 }
        // No early exit and no branch per byte, so that the compiler checks many bytes per step.
        var controls: UInt8 = 0
        for byte in uint8(UnsafeRawBufferPointer(rebasing: head[start..<end])) {
            let low: UInt8 = byte < 0x20 ? 1 : 0
            let tab: UInt8 = byte == UInt8(ascii: "\t") ? 1 : 0
            let delete: UInt8 = byte == 0x7F ? 1 : 0
            controls |= (low & ~tab) | delete
        }
        guard controls == 0 else { throw .badField }
        return (name, start..<end)
    }

    /// One decimal number, as Content-Length must be.
    private static func decimal(_ head: UnsafeRawBufferPointer, _ range: Range<Int>) throws(Failure) -> Int {
        guard !range.isEmpty, range.count <= 18 else { throw .badContentLength }
        var value = 0
        for i in range {
            let byte = head[i]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { throw .badContentLength }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Calls `body` with each non-empty, trimmed element of a comma-separated list.
    private static func forEachToken<E: Error>(
        _ head: UnsafeRawBufferPointer, _ range: Range<Int>, _ body: (Range<Int>) throws(E) -> Void
    ) throws(E) {
        var start = range.lowerBound
        while start < range.upperBound {
            var end = start
            while end < range.upperBound, head[end] != UInt8(ascii: ",") { end += 1 }
            var lo = start, hi = end
            while lo < hi, isSpace(head[lo]) { lo += 1 }
            while hi > lo, isSpace(head[hi - 1]) { hi -= 1 }
            if lo < hi { try body(lo..<hi) }
            start = end + 1
        }
    }

    /// A field's value, with the values of its repetitions.
    private struct FieldValue {
        var first: Range<Int>?
        var more: [Range<Int>] = []

        var isRepeated: Bool { !more.isEmpty }

        mutating func add(_ head: UnsafeRawBufferPointer, _ value: Range<Int>) {
            if first == nil { first = value } else { more.append(value) }
        }

        /// The values joined with ", "; nil when the field is absent.
        func joined(_ head: UnsafeRawBufferPointer) -> String? {
            guard let first else { return nil }
            var text = GatewayRequestHead.string(head, first)
            for range in more { text += ", " + GatewayRequestHead.string(head, range) }
            return text
        }
    }

    /// The lines of a head, without their line endings (CRLF, or a bare LF).
    private struct LineReader {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        mutating func next() -> Range<Int>? {
            guard position < bytes.count else { return nil }
            let lf = HTTPRequestParser.lineFeed(in: bytes, from: position) ?? bytes.count
            let end = lf > position && bytes[lf - 1] == UInt8(ascii: "\r") ? lf - 1 : lf
            let line = position..<end
            position = lf + 1
            return line
        }
    }

    static func string(_ head: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: uint8(UnsafeRawBufferPointer(rebasing: head[range])), as: UTF8.self)
    }

    /// The same bytes, typed (the head is read as bytes only).
    static func uint8(_ raw: UnsafeRawBufferPointer) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// RFC 9110 tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Whether the bytes in `range` are `text` exactly.
    private static func equals(_ head: UnsafeRawBufferPointer, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let expected = text.utf8Start
        for (k, i) in range.enumerated() where head[i] != expected[k] { return false }
        return true
    }

    /// Whether the bytes in `range` are `lowercased` (lowercase ASCII) without regard to ASCII case.
    static func equalsLowercase(_ head: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercased: StaticString) -> Bool {
        guard range.count == lowercased.utf8CodeUnitCount else { return false }
        let expected = lowercased.utf8Start
        var k = 0
        for i in range {
            var byte = head[i]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != expected[k] { return false }
            k += 1
        }
        return true
    }
}

/// A complete `POST /`: its head and its whole body, as sent (still compressed when it was).
struct GatewayRequest: Sendable {
    var head: GatewayRequestHead
    var body: [UInt8]
}
