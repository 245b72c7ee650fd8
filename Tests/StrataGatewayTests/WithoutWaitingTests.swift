import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOPosix
import StrataWire
import Synchronization
import Testing
@testable import StrataGateway

/// A service that answers "Quick" without waiting, declines "Slow" there (answering it on a
/// worker), and fails "Refused" without waiting; it records which thread asked what.
final class TieredService: DynamoDBService {
    struct Seen: Sendable, Equatable {
        var path: String
        var operation: String
        var onEventLoop: Bool
    }

    private let seen = Mutex<[Seen]>([])
    var log: [Seen] { seen.withLock { $0 } }

    private func record(_ path: String, _ operation: String) {
        let onEventLoop = MultiThreadedEventLoopGroup.currentEventLoop != nil
        seen.withLock { $0.append(Seen(path: path, operation: operation, onEventLoop: onEventLoop)) }
    }

    func handleWithoutWaiting(operation: String, body: [UInt8]) throws -> [UInt8]? {
        record("without waiting", operation)
        switch operation {
        case "Quick": return Array(#"{"answered":"without waiting"}"#.utf8)
        case "Refused": throw DynamoDBError(.conditionalCheckFailed, "The conditional request failed")
        default: return nil
        }
    }

    func handleSynchronously(operation: String, body: [UInt8]) throws -> [UInt8]? {
        record("synchronously", operation)
        return operation == "Slow" ? Array(#"{"answered":"synchronously"}"#.utf8) : nil
    }

    func handle(operation: String, body: [UInt8]) async throws -> [UInt8] {
        record("task", operation)
        return Array(#"{"answered":"task"}"#.utf8)
    }
}

@Suite struct WithoutWaitingTests {
    func post(_ client: any TestClientProtocol, _ operation: String) async throws -> (HTTPResponse.Status, String, String?) {
        try await client.execute(uri: "/", method: .post, headers: Wire.headers(operation), body: Wire.buffer("{}")) { response in
            #expect(response.headers[Wire.crc32] == String(Wire.bitwiseCRC32(response.body.readableBytesView)))
            #expect(response.headers[Wire.requestID] != nil)
            return (response.status, String(buffer: response.body), response.headers[.contentType])
        }
    }

    @Test func answeredOnTheEventLoopOrHandedToAWorker() async throws {
        let service = TieredService()
        try await withGateway(service) { client in
            let quick = try await post(client, "Quick")
            #expect(quick.0 == .ok && quick.1 == #"{"answered":"without waiting"}"#)
            #expect(quick.2 == "application/x-amz-json-1.0")
            let slow = try await post(client, "Slow")
            #expect(slow.0 == .ok && slow.1 == #"{"answered":"synchronously"}"#)
            let other = try await post(client, "ListTables")
            #expect(other.0 == .ok && other.1 == #"{"answered":"task"}"#)
            let refused = try await post(client, "Refused")
            #expect(refused.0 == .badRequest)
            #expect(refused.1.contains("ConditionalCheckFailedException"))
        }
        #expect(service.log == [
            .init(path: "without waiting", operation: "Quick", onEventLoop: true),
            .init(path: "without waiting", operation: "Slow", onEventLoop: true),
            .init(path: "synchronously", operation: "Slow", onEventLoop: false),
            .init(path: "without waiting", operation: "ListTables", onEventLoop: true),
            .init(path: "synchronously", operation: "ListTables", onEventLoop: false),
            .init(path: "task", operation: "ListTables", onEventLoop: false),
            .init(path: "without waiting", operation: "Refused", onEventLoop: true),
        ])
    }

    /// A large or compressed body is not answered on the event loop.
    @Test func largeAndCompressedBodiesGoToAWorker() async throws {
        let service = TieredService()
        try await withGateway(service) { client in
            let large = "{\"pad\":\"" + String(repeating: "x", count: DynamoDBGateway.largestBodyWithoutWaiting) + "\"}"
            try await client.execute(uri: "/", method: .post, headers: Wire.headers("Quick"), body: Wire.buffer(large)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"answered":"task"}"#)
            }
            let gzipped = try Gzip.compress(Wire.buffer("{}"))
            try await client.execute(uri: "/", method: .post, headers: Wire.headers("Quick", [.contentEncoding: "gzip"]), body: gzipped) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"answered":"task"}"#)
            }
        }
        #expect(service.log.allSatisfy { $0.path != "without waiting" })
        #expect(service.log.count == 4)  // each: synchronously (declined), then a task
    }

    /// With debug logging (a line written per request) nothing is answered on an event loop.
    @Test func notTriedWithDebugLogging() async throws {
        let service = TieredService()
        var logger = Logger(label: "test", factory: { _ in DroppingLogHandler() })
        logger.logLevel = .debug
        let gateway = DynamoDBGateway(service: service, configuration: GatewayConfiguration(), now: { vectorTime })
        let app = StrataServer.application(gateway: gateway, host: "127.0.0.1", port: 0, logger: logger)
        try await app.test(.live) { client in
            let quick = try await post(client, "Quick")
            #expect(quick.0 == .ok && quick.1 == #"{"answered":"task"}"#)
        }
        #expect(service.log.allSatisfy { $0.path != "without waiting" && !$0.onEventLoop })
    }
}

/// Keeps its level (the no-op handler reports `.critical` whatever it is set to) and drops every line.
struct DroppingLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {}
}
