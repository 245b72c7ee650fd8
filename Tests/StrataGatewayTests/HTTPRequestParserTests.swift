import NIOCore
import NIOHTTP1
import Testing
@testable import StrataGateway

/// What a parser made of some bytes: the complete requests, and the failure that stopped it.
struct ParsedRequests {
    struct Request {
        var head: GatewayRequestHead
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    var requests: [Request] = []
    /// A head whose end has not come.
    var unfinished = false
    var failure: HTTPRequestParser.Failure?

    /// Feeds `bytes` to a new parser in pieces whose lengths are `pieces` (the rest in one last
    /// piece), taking every event after each piece.
    init(_ bytes: [UInt8], pieces: [Int] = [], keepingAllFields: Bool = false) {
        var parser = HTTPRequestParser(keepsAllFields: keepingAllFields)
        var offset = 0
        var lengths = pieces.filter { $0 > 0 }
        var current: Request?
        while offset < bytes.count {
            let length = lengths.isEmpty ? bytes.count - offset : min(lengths.removeFirst(), bytes.count - offset)
            parser.feed(ByteBuffer(bytes: bytes[offset..<offset + length]))
            offset += length
            while failure == nil {
                let event: HTTPRequestParser.Event?
                do throws(HTTPRequestParser.Failure) {
                    event = try parser.next()
                } catch {
                    failure = error
                    break
                }
                guard let event else { break }
                switch event {
                case .head(let head):
                    precondition(current == nil, "a head inside a request")
                    current = Request(head: head, body: [])
                case .body(let chunk):
                    current!.body += chunk.readableBytesView
                case .end:
                    requests.append(current!)
                    current = nil
                }
            }
        }
        unfinished = current != nil || !parser.isIdle
    }

    init(_ text: String, pieces: [Int] = [], keepingAllFields: Bool = false) {
        self.init(Array(text.utf8), pieces: pieces, keepingAllFields: keepingAllFields)
    }

    /// A summary to compare two parses by.
    var summary: [String] {
        requests.map { r in
            let h = r.head
            return "\(h.method) root=\(h.isRoot) \(h.version) ka=\(h.keepAlive) cl=\(h.contentLength ?? -1) chunked=\(h.chunked) "
                + "100=\(h.expectsContinue) op=\(h.operation ?? "-") auth=\(h.authorization) ce=\(h.contentEncoding ?? "-") "
                + "gz=\(h.acceptsGzip) body=\(r.text)"
        } + (failure.map { ["failure \($0)"] } ?? [])
    }
}

/// A small deterministic generator (SplitMix64) for the random splits.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct HTTPRequestParserTests {
    static let authorization = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, "
        + "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef"

    /// Requests of every framing, back to back as a pipelining client sends them.
    static let batch =
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\nContent-Length: 13\r\n"
        + "Authorization: \(authorization)\r\n\r\n{\"TableName\":"
        + "POST /?x=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-Amz-Target: DynamoDB_20120810.GetItem\r\n\r\n"
        + "3\r\n{\"a\r\n4;name=value\r\n\":1}\r\n0\r\nTrailer: x\r\n\r\n"
        + "GET / HTTP/1.1\r\n\r\n"
        + "\r\nPOST / HTTP/1.0\nConnection: keep-alive\nContent-Length: 2\nExpect: 100-continue\n\n{}"
        + "POST /tables HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

    static let batchSummary = [
        "post root=true HTTP/1.1 ka=true cl=13 chunked=false 100=false op=PutItem auth=wellFormed ce=- gz=false body={\"TableName\":",
        "post root=true HTTP/1.1 ka=true cl=-1 chunked=true 100=false op=GetItem auth=absent ce=- gz=false body={\"a\":1}",
        "get root=true HTTP/1.1 ka=true cl=-1 chunked=false 100=false op=- auth=absent ce=- gz=false body=",
        "post root=true HTTP/1.0 ka=true cl=2 chunked=false 100=false op=- auth=absent ce=- gz=false body={}",
        "post root=false HTTP/1.1 ka=false cl=0 chunked=false 100=false op=- auth=absent ce=- gz=false body=",
    ]

    @Test func readsPipelinedRequestsOfEveryFraming() {
        let parsed = ParsedRequests(Self.batch)
        #expect(parsed.summary == Self.batchSummary)
        #expect(!parsed.unfinished)
    }

    @Test func readsRequestsFedAByteAtATime() {
        let parsed = ParsedRequests(Self.batch, pieces: Array(repeating: 1, count: Self.batch.utf8.count))
        #expect(parsed.summary == Self.batchSummary)
        #expect(!parsed.unfinished)
    }

    @Test(arguments: 0..<8)
    func readsRequestsSplitAnywhere(seed: UInt64) {
        var random = SplitMix64(state: seed)
        let count = Self.batch.utf8.count
        for _ in 0..<40 {
            var pieces: [Int] = []
            var total = 0
            while total < count {
                let largest = random.next() % 2 == 0 ? 8 : 120
                let piece = Int.random(in: 1...largest, using: &random)
                pieces.append(piece)
                total += piece
            }
            let parsed = ParsedRequests(Self.batch, pieces: pieces)
            #expect(parsed.summary == Self.batchSummary, "pieces \(pieces)")
        }
    }

    @Test func waitsForTheRestOfAHeadOrBody() {
        let head = ParsedRequests("POST / HTTP/1.1\r\nContent-Length: 5\r\n")
        #expect(head.requests.isEmpty && head.unfinished && head.failure == nil)
        let body = ParsedRequests("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc")
        #expect(body.requests.isEmpty && body.unfinished && body.failure == nil)
        let chunk = ParsedRequests("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n")
        #expect(chunk.requests.isEmpty && chunk.unfinished && chunk.failure == nil)
        let whole = ParsedRequests("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde")
        #expect(whole.requests.map(\.text) == ["abcde"] && !whole.unfinished)
    }

    @Test(arguments: [
        ("GET  / HTTP/1.1\r\n\r\n", HTTPRequestParser.Failure.badRequestLine),
        ("G(T / HTTP/1.1\r\n\r\n", .badRequestLine),
        ("GET /\u{01} HTTP/1.1\r\n\r\n", .badRequestLine),
        ("GET /\r\n\r\n", .badRequestLine),
        ("\rGET / HTTP/1.1\r\n\r\n", .badRequestLine),
        ("GET / HTTP/2.0\r\n\r\n", .unsupportedVersion),
        ("GET / HTTP/1.2\r\n\r\n", .unsupportedVersion),
        ("GET / http/1.1\r\n\r\n", .unsupportedVersion),
        ("GET / HTTP/1.1\r\nHost localhost\r\n\r\n", .badField),
        ("GET / HTTP/1.1\r\nHost : localhost\r\n\r\n", .badField),
        ("GET / HTTP/1.1\r\n: localhost\r\n\r\n", .badField),
        ("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", .badField),
        ("GET / HTTP/1.1\r\nX-A: a\u{7F}b\r\n\r\n", .badField),
        ("GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", .badField),
        ("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", .badContentLength),
        ("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", .badContentLength),
        ("POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", .badContentLength),
        ("POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\n", .badContentLength),
        ("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n", .badContentLength),
        ("POST / HTTP/1.1\r\nContent-Length: 9999999999999999999\r\n\r\n", .badContentLength),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", .badTransferEncoding),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", .badTransferEncoding),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", .badTransferEncoding),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", .badTransferEncoding),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", .badChunk),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", .badChunk),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3x\r\nabc\r\n0\r\n\r\n", .badChunk),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", .badChunk),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\rx0\r\n\r\n", .badChunk),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000\r\n", .badChunk),
    ])
    func refusesMalformedRequests(text: String, failure: HTTPRequestParser.Failure) {
        // After a good request, so that what came before the defect is still read.
        let good = "GET / HTTP/1.1\r\n\r\n"
        let whole = ParsedRequests(good + text + good)
        #expect(whole.failure == failure)
        #expect(whole.requests.count == 1)
        let bytewise = ParsedRequests(good + text + good, pieces: Array(repeating: 1, count: (good + text).utf8.count))
        #expect(bytewise.failure == failure)
        #expect(bytewise.requests.count == 1)
    }

    @Test func refusesAHeadPastTheLimit() {
        let field = "X-Filler: " + String(repeating: "f", count: 1000) + "\r\n"
        let large = "GET / HTTP/1.1\r\n" + String(repeating: field, count: 82) + "\r\n"
        #expect(ParsedRequests(large).failure == .headTooLarge)
        // Refused before its end comes: the bytes are not held without bound.
        let endless = "GET / HTTP/1.1\r\n" + String(repeating: field, count: 82)
        #expect(ParsedRequests(endless, pieces: [4096, 4096, 4096]).failure == .headTooLarge)
        let many = "GET / HTTP/1.1\r\n" + String(repeating: "A: b\r\n", count: 1001) + "\r\n"
        #expect(ParsedRequests(many).failure == .tooManyFields)
        let justUnder = "GET / HTTP/1.1\r\n" + String(repeating: field, count: 79) + "\r\n"
        #expect(ParsedRequests(justUnder).requests.count == 1)
    }

    @Test func refusesEndlessTrailersAndChunkLines() {
        let chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        let trailers = chunked + "0\r\n" + String(repeating: "T: " + String(repeating: "t", count: 1000) + "\r\n", count: 90)
        #expect(ParsedRequests(trailers).failure == .headTooLarge)
        let extensions = chunked + "1;" + String(repeating: "e", count: 5000)
        #expect(ParsedRequests(extensions).failure == .badChunk)
    }

    @Test func readsNothingAfterAFailure() throws {
        var parser = HTTPRequestParser()
        parser.feed(ByteBuffer(string: "BAD\r\n\r\n"))
        var failure: HTTPRequestParser.Failure?
        do throws(HTTPRequestParser.Failure) { _ = try parser.next() } catch { failure = error }
        #expect(failure == .badRequestLine)
        parser.feed(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        #expect(try parser.next() == nil)
        #expect(!parser.isIdle)
    }

    @Test(arguments: [
        ("HTTP/1.1", "", true), ("HTTP/1.1", "Connection: close\r\n", false), ("HTTP/1.1", "Connection: Keep-Alive, CLOSE\r\n", false),
        ("HTTP/1.0", "", false), ("HTTP/1.0", "Connection: keep-alive\r\n", true), ("HTTP/1.0", "connection: x, Keep-Alive\r\n", true),
        ("HTTP/1.1", "Connection: upgrade\r\n", true),
    ])
    func decidesKeepAlive(version: String, field: String, keepAlive: Bool) {
        let parsed = ParsedRequests("GET / \(version)\r\n\(field)\r\n")
        #expect(parsed.requests.map(\.head.keepAlive) == [keepAlive])
    }

    @Test(arguments: [
        ("HTTP/1.1", "Expect: 100-continue\r\n", true), ("HTTP/1.1", "expect:  100-Continue \r\n", true),
        ("HTTP/1.1", "Expect: foo, 100-continue\r\n", true), ("HTTP/1.1", "Expect: 100-continued\r\n", false),
        ("HTTP/1.0", "Expect: 100-continue\r\n", false), ("HTTP/1.1", "", false),
    ])
    func decidesExpectContinue(version: String, field: String, expects: Bool) {
        let parsed = ParsedRequests("POST / \(version)\r\n\(field)Content-Length: 0\r\n\r\n")
        #expect(parsed.requests.map(\.head.expectsContinue) == [expects])
    }

    @Test func findsTheFieldsWithoutRegardToCaseAndJoinsRepeatedOnes() {
        let head = "POST / HTTP/1.1\r\nx-AMZ-target: DynamoDB_20120810.GetItem\r\nCONTENT-LENGTH: 2\r\nAccept-Encoding: deflate\r\n"
            + "accept-encoding: gzip;q=0.5\r\nAuthorization: AWS4-HMAC-SHA256 x\r\nX-Amz-Targets: no\r\n"
            + "Content-Encoding:\tgzip \r\n\r\n{}"
        let parsed = ParsedRequests(head)
        let found = try! #require(parsed.requests.first?.head)
        #expect(found.operation == "GetItem")
        #expect(found.contentLength == 2)
        #expect(found.acceptsGzip)
        #expect(found.authorization == .text("AWS4-HMAC-SHA256 x"))
        #expect(found.contentEncoding == "gzip")
        #expect(found.allFields == nil)
    }

    @Test(arguments: [
        ("X-Amz-Target: DynamoDB_20120810.Query\r\n", "Query"),
        ("X-Amz-Target: DynamoDB_20120810.\r\n", nil),
        ("X-Amz-Target: DynamoDB_20120811.Query\r\n", nil),
        ("X-Amz-Target: Query\r\n", nil),
        ("", nil),
        ("X-Amz-Target: DynamoDB_20120810.A\r\nX-Amz-Target: DynamoDB_20120810.B\r\n", "A, DynamoDB_20120810.B"),
    ])
    func readsTheOperationFromTheTarget(field: String, operation: String?) {
        let parsed = ParsedRequests("POST / HTTP/1.1\r\n\(field)\r\n")
        #expect(parsed.requests.count == 1)
        #expect(parsed.requests.first?.head.operation == operation)
    }

    @Test func judgesTheAuthorizationShapeOverItsBytes() {
        let good = ParsedRequests("POST / HTTP/1.1\r\nAuthorization: \(Self.authorization)\r\n\r\n")
        #expect(good.requests.first?.head.authorization == .wellFormed)
        let bad = ParsedRequests("POST / HTTP/1.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=x\r\n\r\n")
        #expect(bad.requests.first?.head.authorization == .text("AWS4-HMAC-SHA256 Credential=x"))
        let twice = ParsedRequests("POST / HTTP/1.1\r\nAuthorization: \(Self.authorization)\r\nAuthorization: b\r\n\r\n")
        #expect(twice.requests.first?.head.authorization == .text(Self.authorization + ", b"))
    }

    @Test func keepsEveryFieldForSignatureVerification() throws {
        let text = "POST /?a=b HTTP/1.1\r\nHost: localhost\r\nX-Amz-Date: 20250102T030405Z\r\nAuthorization: \(Self.authorization)\r\n"
            + "x-custom:  two  words \r\nContent-Length: 2\r\n\r\n{}"
        let parsed = ParsedRequests(text, keepingAllFields: true)
        let head = try #require(parsed.requests.first?.head)
        #expect(head.authorization == .text(Self.authorization))
        let all = try #require(head.allFields)
        #expect(all.method == .POST)
        #expect(all.uri == "/?a=b")
        #expect(all.version == .http1_1)
        #expect(all.headers.map { "\($0.name)=\($0.value)" } == [
            "Host=localhost", "X-Amz-Date=20250102T030405Z", "Authorization=\(Self.authorization)",
            "x-custom=two  words", "Content-Length=2",
        ])
    }

    @Test func isIdleOnlyBetweenRequests() throws {
        var parser = HTTPRequestParser()
        #expect(parser.isIdle)
        parser.feed(ByteBuffer(string: "POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\n"))
        #expect(!parser.isIdle)
        guard case .head = try parser.next() else { Issue.record("no head"); return }
        #expect(!parser.isIdle)
        parser.feed(ByteBuffer(string: "x"))
        guard case .body = try parser.next() else { Issue.record("no body"); return }
        guard case .end = try parser.next() else { Issue.record("no end"); return }
        #expect(parser.isIdle)
        #expect(try parser.next() == nil)
        parser.feed(ByteBuffer(string: "\r\n"))
        #expect(try parser.next() == nil)
        #expect(parser.isIdle)
        parser.feed(ByteBuffer(string: "G"))
        #expect(try parser.next() == nil)
        #expect(!parser.isIdle)
    }
}
