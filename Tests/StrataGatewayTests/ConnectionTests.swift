import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing
@testable import StrataGateway

/// A service that answers every operation with `{"op":"<operation>","n":<body length>}`,
/// synchronously when `synchronous` says so, and records on which kind of thread it was called.
final class EchoService: DynamoDBService {
    struct Call: Sendable, Equatable {
        var operation: String
        var synchronous: Bool
        var onEventLoop: Bool
        var inTask: Bool
    }

    let synchronous: @Sendable (String) -> Bool
    private let state = Mutex<[Call]>([])

    init(synchronous: @escaping @Sendable (String) -> Bool = { _ in false }) {
        self.synchronous = synchronous
    }

    var calls: [Call] { state.withLock { $0 } }

    static func answer(_ operation: String, _ body: [UInt8]) -> [UInt8] {
        Array(#"{"op":"\#(operation)","n":\#(body.count)}"#.utf8)
    }

    private func record(_ operation: String, synchronous: Bool) {
        let call = Call(
            operation: operation, synchronous: synchronous,
            onEventLoop: MultiThreadedEventLoopGroup.currentEventLoop != nil,
            inTask: withUnsafeCurrentTask { $0 != nil }
        )
        state.withLock { $0.append(call) }
    }

    func handleSynchronously(operation: String, body: [UInt8]) throws -> [UInt8]? {
        guard synchronous(operation) else { return nil }
        record(operation, synchronous: true)
        if operation == "Fail" { throw DynamoDBError(.validation, "synchronous failure") }
        return Self.answer(operation, body)
    }

    func handle(operation: String, body: [UInt8]) async throws -> [UInt8] {
        record(operation, synchronous: false)
        return Self.answer(operation, body)
    }
}

@Suite struct GatewayConnectionTests {
    @Test func answersPipelinedRequestsInOrderOnOneConnection() async throws {
        // GetItem is answered synchronously on a worker, Scan on a task: the quick one must not
        // overtake the slow one on the wire.
        let service = EchoService { $0 == "GetItem" }
        let requests = RawHTTP.post("Scan", "{}") + RawHTTP.post("GetItem", #"{"a":1}"#) + RawHTTP.post("Scan", "{ }")
        let (responses, closed) = try await withGatewayPort(service) { port in
            try await RawHTTP.exchange(port: port, requests, responses: 3)
        }
        #expect(!closed)
        #expect(responses.map(\.text) == [#"{"op":"Scan","n":2}"#, #"{"op":"GetItem","n":7}"#, #"{"op":"Scan","n":3}"#])
        for response in responses {
            #expect(response.statusLine == "HTTP/1.1 200 OK")
            #expect(response.header("x-amz-crc32") == String(Wire.bitwiseCRC32(response.body)))
            #expect(response.header("connection") == nil)
        }
        #expect(Set(responses.compactMap { $0.header("x-amzn-RequestId") }).count == 3)
    }

    @Test func runsSynchronousOperationsOnAWorkerThreadAndTheRestOnATask() async throws {
        let service = EchoService { $0 == "GetItem" || $0 == "Fail" }
        let requests = RawHTTP.post("GetItem", "{}") + RawHTTP.post("Query", "{}") + RawHTTP.post("Fail", "{}")
        let (responses, _) = try await withGatewayPort(service) { port in
            try await RawHTTP.exchange(port: port, requests, responses: 3)
        }
        #expect(responses.map(\.statusLine) == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 400 Bad Request"])
        #expect(responses[2].text.contains("synchronous failure"))
        #expect(
            service.calls == [
                .init(operation: "GetItem", synchronous: true, onEventLoop: false, inTask: false),
                .init(operation: "Query", synchronous: false, onEventLoop: false, inTask: true),
                .init(operation: "Fail", synchronous: true, onEventLoop: false, inTask: false),
            ])
    }

    @Test func closesAfterAnsweringConnectionClose() async throws {
        let request = RawHTTP.post("ListTables", "{}", extra: "Connection: close\r\n") + RawHTTP.post("ListTables", "{}")
        let (responses, closed) = try await withGatewayPort(EchoService()) { port in
            try await RawHTTP.exchange(port: port, request, responses: 1, untilClosed: true)
        }
        #expect(closed)
        #expect(responses.count == 1)
        #expect(responses.first?.header("connection") == "close")
        #expect(responses.first?.text == #"{"op":"ListTables","n":2}"#)
    }

    @Test func closesAfterAnsweringAnHTTP10RequestWithoutKeepAlive() async throws {
        let request = "POST / HTTP/1.0\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 2\r\n\r\n{}"
        let (responses, closed) = try await withGatewayPort(EchoService()) { port in
            try await RawHTTP.exchange(port: port, request, responses: 1, untilClosed: true)
        }
        #expect(closed)
        #expect(responses.map(\.text) == [#"{"op":"ListTables","n":2}"#])
    }

    @Test func keepsTheConnectionForTheNextRequest() async throws {
        let (responses, closed) = try await withGatewayPort(EchoService()) { port in
            try await RawHTTP.exchange(
                port: port, RawHTTP.post("ListTables", "{}"), responses: 1,
                then: RawHTTP.post("DescribeTable", "{}"), moreResponses: 1
            )
        }
        #expect(!closed)
        #expect(responses.map(\.text) == [#"{"op":"ListTables","n":2}"#, #"{"op":"DescribeTable","n":2}"#])
    }

    /// A declared Content-Length past the limit is answered before any of the body is sent; the
    /// body that follows is dropped and the connection serves the next request.
    @Test func refusesADeclaredOversizeBodyAtOnce() async throws {
        let service = EchoService()
        let head = "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\nContent-Length: 150\r\n\r\n"
        let (responses, closed) = try await withGatewayPort(service, GatewayConfiguration(maxBodyBytes: 100)) { port in
            try await RawHTTP.exchange(
                port: port, head, responses: 1,
                then: String(repeating: "x", count: 150) + RawHTTP.post("ListTables", "{}"), moreResponses: 1
            )
        }
        #expect(!closed)
        #expect(responses.map(\.statusLine) == ["HTTP/1.1 413 Payload Too Large", "HTTP/1.1 200 OK"])
        #expect(responses[0].text.contains("at most 100 bytes"))
        #expect(responses[0].header("x-amz-crc32") == String(Wire.bitwiseCRC32(responses[0].body)))
        #expect(service.calls.map(\.operation) == ["ListTables"])
    }

    /// A chunked body has no declared length: it is refused as soon as it passes the limit.
    @Test func refusesAStreamedOversizeBody() async throws {
        let service = EchoService()
        let chunk = String(repeating: "y", count: 60)
        let request = "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n3c\r\n\(chunk)\r\n3c\r\n\(chunk)\r\n0\r\n\r\n" + RawHTTP.post("ListTables", "{}")
        let (responses, _) = try await withGatewayPort(service, GatewayConfiguration(maxBodyBytes: 100)) { port in
            try await RawHTTP.exchange(port: port, request, responses: 2)
        }
        #expect(responses.map(\.statusLine) == ["HTTP/1.1 413 Payload Too Large", "HTTP/1.1 200 OK"])
        #expect(service.calls.map(\.operation) == ["ListTables"])
    }

    @Test func acceptsAChunkedBodyWithinTheLimit() async throws {
        let request = "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n"
        let (responses, _) = try await withGatewayPort(EchoService()) { port in
            try await RawHTTP.exchange(port: port, request, responses: 1)
        }
        #expect(responses.map(\.text) == [#"{"op":"PutItem","n":7}"#])
    }

    /// A body larger than what Content-Length reserves at once, arriving over many reads.
    @Test func collectsABodyPastTheReservedCapacity() async throws {
        let body = String(repeating: "z", count: GatewayChannelHandler.reservedBodyBytes + 50_000)
        let (responses, _) = try await withGatewayPort(EchoService(), GatewayConfiguration(maxBodyBytes: 1 << 20)) { port in
            try await RawHTTP.exchange(port: port, RawHTTP.post("PutItem", body) + RawHTTP.post("GetItem", "{}"), responses: 2)
        }
        #expect(responses.map(\.text) == [#"{"op":"PutItem","n":\#(body.utf8.count)}"#, #"{"op":"GetItem","n":2}"#])
    }

    @Test func answersAMalformedRequestWith400AndCloses() async throws {
        let (responses, closed) = try await withGatewayPort(EchoService()) { port in
            try await RawHTTP.exchange(port: port, "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", responses: 1, untilClosed: true)
        }
        #expect(closed)
        #expect(responses.map(\.statusLine) == ["HTTP/1.1 400 Bad Request"])
    }

    /// The requests before a defect are answered in order; the defect gets 400 and the connection
    /// closes (the requests after it are not read).
    @Test(arguments: [
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\n" + String(repeating: "X-Filler: " + String(repeating: "f", count: 1000) + "\r\n", count: 82) + "\r\n",
        "POST / HTTP/1.1\r\nHost : localhost\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
    ])
    func answersPipelinedRequestsThenTheDefectWith400(defect: String) async throws {
        let service = EchoService { $0 == "GetItem" }
        let requests = RawHTTP.post("GetItem", "{}") + RawHTTP.post("Scan", "{ }") + defect + RawHTTP.post("GetItem", "{}")
        let (responses, closed) = try await withGatewayPort(service) { port in
            try await RawHTTP.exchange(port: port, requests, responses: 3, untilClosed: true)
        }
        #expect(closed)
        #expect(responses.map(\.statusLine) == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 400 Bad Request"])
        #expect(responses.map(\.text) == [#"{"op":"GetItem","n":2}"#, #"{"op":"Scan","n":3}"#, ""])
        #expect(responses.last?.header("connection") == "close")
        #expect(service.calls.map(\.operation) == ["GetItem", "Scan"])
    }

    @Test(arguments: [("GET /tables HTTP/1.1", "404"), ("POST /tables HTTP/1.1", "404"), ("GET /?x=1 HTTP/1.1", "200")])
    func routesOnlyTheRoot(requestLine: String, status: String) async throws {
        let service = EchoService()
        let request = "\(requestLine)\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}"
        let (responses, _) = try await withGatewayPort(service) { port in
            try await RawHTTP.exchange(port: port, request, responses: 1)
        }
        #expect(responses.first?.statusLine.split(separator: " ")[1] == Substring(status))
        #expect(service.calls.isEmpty)
    }

    /// The client closes its connection while the service is still working on its request; the
    /// answer has nowhere to go, and the server goes on serving.
    @Test func survivesAClientThatLeavesBeforeItsAnswer() async throws {
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let (gate, gateOpener) = AsyncStream.makeStream(of: Void.self)
        let service = TestService { operation, _ in
            if operation == "Scan" {
                startedSignal.yield()
                for await _ in gate { break }
            }
            return Array(#"{"ok":true}"#.utf8)
        }
        let responses = try await withGatewayPort(service) { port in
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            try await channel.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(string: RawHTTP.post("Scan", "{}")))
                var iterator = started.makeAsyncIterator()
                await iterator.next()
            }
            gateOpener.yield()
            return try await RawHTTP.exchange(port: port, RawHTTP.post("ListTables", "{}"), responses: 1).responses
        }
        #expect(responses.map(\.text) == [#"{"ok":true}"#])
        #expect(service.calls.map(\.operation) == ["Scan", "ListTables"])
    }

    /// A client that sends `Expect: 100-continue` waits for `100 Continue` before the body
    /// (curl waits a second, botocore does not send the body at all without it).
    @Test func answersExpectContinueBeforeTheBody() async throws {
        let body = #"{"TableName":"t"}"#
        let head = "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            + "Expect: 100-Continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let (interim, final) = try await withGatewayPort(EchoService()) { port in
            try await RawHTTP.exchange(port: port, head, responses: 1, then: body, moreResponses: 1).responses
                .split(at: 1)
        }
        #expect(interim.map(\.statusLine) == ["HTTP/1.1 100 Continue"])
        #expect(interim.first?.headers.isEmpty == true)
        #expect(final.map(\.statusLine) == ["HTTP/1.1 200 OK"])
        #expect(final.map(\.text) == [#"{"op":"ListTables","n":17}"#])
    }

    /// A pipelining client gets its `100 Continue` after the answers before it, never between.
    @Test func sendsContinueAfterTheAnswersAheadOfIt() async throws {
        let head = "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.Scan\r\n"
            + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        let (responses, _) = try await withGatewayPort(EchoService()) { port in
            try await RawHTTP.exchange(port: port, RawHTTP.post("ListTables", "{ }") + head, responses: 2, then: "{}", moreResponses: 1)
        }
        #expect(responses.map(\.statusLine) == ["HTTP/1.1 200 OK", "HTTP/1.1 100 Continue", "HTTP/1.1 200 OK"])
        #expect(responses.map(\.text) == [#"{"op":"ListTables","n":3}"#, "", #"{"op":"Scan","n":2}"#])
    }

    /// HTTP/1.0 has no interim answers (RFC 9110 10.1.1): the expectation is ignored.
    @Test func ignoresExpectContinueFromHTTP10() async throws {
        let request = "POST / HTTP/1.0\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}"
        let (responses, _) = try await withGatewayPort(EchoService()) { port in
            try await RawHTTP.exchange(port: port, request, responses: 1, untilClosed: true)
        }
        #expect(responses.map(\.statusLine) == ["HTTP/1.1 200 OK"])
        #expect(responses.map(\.text) == [#"{"op":"ListTables","n":2}"#])
    }

    @Test func datesEveryResponse() async throws {
        let (responses, _) = try await withGatewayPort(EchoService()) { port in
            try await RawHTTP.exchange(port: port, RawHTTP.post("ListTables", "{}") + "GET / HTTP/1.1\r\n\r\n", responses: 2)
        }
        for response in responses {
            let date = try #require(response.header("date"))
            #expect(date.hasSuffix(" GMT") && date.count == 29)
        }
    }
}

@Suite struct GatewayWorkersTests {
    /// What the jobs of a test saw.
    final class Record: Sendable {
        let threads = Mutex<Set<UInt>>([])
        let jobsInTasks = Atomic<Int>(0)
        let remaining: Atomic<Int>
        init(jobs: Int) { remaining = Atomic(jobs) }
    }

    @Test(arguments: [1, 3])
    func runsEveryJobOnItsOwnThreads(threads: Int) async throws {
        let workers = GatewayWorkers(threads: threads)
        defer { workers.stop() }
        let total = 2_000
        let record = Record(jobs: total)
        let (done, sink) = AsyncStream.makeStream(of: Void.self)
        await withTaskGroup(of: Void.self) { submitters in
            for _ in 0..<4 {
                submitters.addTask {
                    for _ in 0..<total / 4 {
                        workers.submit { _ in
                            let thread = UInt(pthread_self())
                            record.threads.withLock { _ = $0.insert(thread) }
                            if withUnsafeCurrentTask(body: { $0 != nil }) {
                                record.jobsInTasks.add(1, ordering: .relaxed)
                            }
                            if record.remaining.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                                sink.finish()
                            }
                        }
                    }
                }
            }
        }
        for await _ in done {}
        #expect(record.remaining.load(ordering: .acquiring) == 0)
        let used = record.threads.withLock { $0 }
        #expect(!used.isEmpty && used.count <= threads)
        #expect(record.jobsInTasks.load(ordering: .relaxed) == 0)
    }
}

@Suite struct GatewayHandbackTests {
    /// Answers go back to their own event loop, in the order the jobs gave them, whether a thread
    /// sends them one by one or several at once.
    @Test func handsAnswersBackInOrderPerEventLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = [group.next(), group.next()]
        #expect(loops[0] !== loops[1])
        let workers = GatewayWorkers(threads: 1)
        defer { workers.stop() }
        let total = 500
        let seen = Mutex<[[Int]]>([[], []])
        let wrongLoop = Atomic<Int>(0)
        let (done, sink) = AsyncStream.makeStream(of: Void.self)
        let remaining = Atomic<Int>(total)
        for index in 0..<total {
            let side = index % 3 == 0 ? 1 : 0
            let loop = loops[side]
            workers.submit { handback in
                handback.send(to: loop) {
                    if !loop.inEventLoop { wrongLoop.add(1, ordering: .relaxed) }
                    seen.withLock { $0[side].append(index) }
                    if remaining.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 { sink.finish() }
                }
            }
        }
        for await _ in done {}
        let lists = seen.withLock { $0 }
        #expect(wrongLoop.load(ordering: .relaxed) == 0)
        #expect(lists[1] == Array(stride(from: 0, to: total, by: 3)))
        #expect(lists[0] == (0..<total).filter { $0 % 3 != 0 })
        try await group.shutdownGracefully()
    }
}

@Suite struct GatewayHeaderTests {
    @Test(arguments: [0, 7, 10, 4_294_967_295, UInt64.max])
    func writesDecimals(value: UInt64) {
        var buffer = ByteBuffer()
        GatewayResponse.Writer.writeDecimal(value, into: &buffer)
        #expect(String(buffer: buffer) == String(value))
    }

    @Test func putsConnectionCloseAtTheEndOfTheHead() {
        let response = GatewayResponse(status: .notFound, headers: [("Content-Length", "2")], body: ByteBuffer(string: "ab"))
        let open = String(buffer: response.bytes)
        let closing = String(buffer: response.closing().bytes)
        #expect(open.hasPrefix("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nDate: "))
        #expect(open.hasSuffix(" GMT\r\n\r\nab"))
        #expect(closing == open.replacingOccurrences(of: " GMT\r\n\r\n", with: " GMT\r\nConnection: close\r\n\r\n"))
    }

    @Test(arguments: [(0, "Thu, 01 Jan 1970 00:00:00 GMT"), (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"), (1_735_787_045, "Thu, 02 Jan 2025 03:04:05 GMT")])
    func formatsIMFFixdates(seconds: Int, text: String) {
        #expect(HTTPDate.format(secondsSinceEpoch: seconds) == text)
    }
}

extension Array {
    /// The first `count` elements and the rest.
    fileprivate func split(at count: Int) -> (ArraySlice<Element>, ArraySlice<Element>) {
        (self[..<Swift.min(count, self.count)], self[Swift.min(count, self.count)...])
    }
}
