import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
@testable import StrataGateway

/// The servers' logger in tests: warnings and errors only (every test starts a server).
let testLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return logger
}()

/// The clock the SigV4 vectors were made at: 20250102T030405Z.
let vectorTime: Int64 = 1_735_787_045

/// Runs `test` against the gateway served on a local port (Hummingbird's live test client, one
/// keep-alive connection, `Host: localhost`).
func withGateway<Value: Sendable>(
    _ service: any DynamoDBService,
    _ configuration: GatewayConfiguration = GatewayConfiguration(),
    now: Int64 = vectorTime,
    _ test: @Sendable (any TestClientProtocol) async throws -> Value
) async throws -> Value {
    let gateway = DynamoDBGateway(service: service, configuration: configuration, now: { now })
    let app = StrataServer.application(gateway: gateway, host: "127.0.0.1", port: 0, logger: testLogger)
    return try await app.test(.live, test)
}

/// Runs `test` with the port of the gateway served on 127.0.0.1, for clients that write raw bytes.
func withGatewayPort<Value: Sendable>(
    _ service: any DynamoDBService,
    _ configuration: GatewayConfiguration = GatewayConfiguration(),
    _ test: @Sendable (Int) async throws -> Value
) async throws -> Value {
    let gateway = DynamoDBGateway(service: service, configuration: configuration, now: { vectorTime })
    let (endpoints, sink) = AsyncStream.makeStream(of: Int.self)
    let app = StrataServer.application(
        gateway: gateway, host: "127.0.0.1", port: 0, logger: testLogger,
        onRunning: { endpoint in sink.yield(Int(endpoint.split(separator: ":").last!)!) }
    )
    let group = ServiceGroup(services: [app], logger: testLogger)
    return try await withThrowingTaskGroup(of: Value?.self) { tasks in
        tasks.addTask {
            try await group.run()
            return nil
        }
        var iterator = endpoints.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        do {
            let value = try await test(port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return value
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
    }
}

/// One HTTP/1.1 response as it came over a raw connection.
struct RawResponse: Sendable {
    var statusLine: String
    /// Names lowercased.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A client that writes raw bytes (pipelined requests, half-sent bodies, malformed requests) and
/// parses what comes back. Everything is async (NIO's async channel): a test never blocks a thread
/// of the cooperative pool the server's tasks need.
enum RawHTTP {
    struct TimedOut: Error {}

    /// Sends `bytes` on a new connection to 127.0.0.1:`port` and reads until `responses` complete
    /// responses have come (`closes == false`) or until the server closes the connection
    /// (`closes == true`); returns the responses and whether the server closed.
    static func exchange(
        port: Int, _ bytes: String, responses: Int, untilClosed: Bool = false,
        then more: String? = nil, moreResponses: Int = 0
    ) async throws -> (responses: [RawResponse], closed: Bool) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await withTimeout {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: bytes))
                var received: [UInt8] = []
                var parsed: [RawResponse] = []
                var wanted = responses
                var pendingMore = more
                for try await chunk in inbound {
                    received += chunk.readableBytesView
                    while let (response, used) = parse(received) {
                        parsed.append(response)
                        received.removeFirst(used)
                    }
                    if parsed.count >= wanted, let next = pendingMore {
                        pendingMore = nil
                        wanted += moreResponses
                        try await outbound.write(ByteBuffer(string: next))
                    }
                    if parsed.count >= wanted && !untilClosed && pendingMore == nil {
                        return (parsed, false)
                    }
                }
                return (parsed, true)
            }
        }
    }

    /// The first complete response in `bytes` and how many bytes it took; nil if incomplete.
    static func parse(_ bytes: [UInt8]) -> (RawResponse, Int)? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4,
            let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator })
        else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = headers.first { $0.name == "content-length" }.flatMap { Int($0.value) } ?? 0
        let bodyStart = end + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return (RawResponse(statusLine: lines[0], headers: headers, body: Array(bytes[bodyStart..<bodyStart + length])), bodyStart + length)
    }

    static func withTimeout<Value: Sendable>(
        seconds: Int64 = 20, _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Value.self) { tasks in
            tasks.addTask { try await body() }
            tasks.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw TimedOut()
            }
            defer { tasks.cancelAll() }
            return try await tasks.next()!
        }
    }

    /// A POST of DynamoDB's shape, as raw HTTP/1.1.
    static func post(_ operation: String, _ body: String, extra: String = "") -> String {
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
            + "X-Amz-Target: DynamoDB_20120810.\(operation)\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)"
    }
}
