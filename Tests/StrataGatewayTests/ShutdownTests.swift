import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing
@testable import StrataGateway

@Suite struct ShutdownTests {
    /// The live test framework binds a socket, runs the application in a service group and shuts
    /// it down gracefully when the test closure returns.
    @Test func closesTheServiceAfterTheServerStops() async throws {
        let service = TestService(json: #"{"TableNames":[]}"#)
        let app = StrataServer.application(
            service: service, host: "127.0.0.1", port: 0, configuration: GatewayConfiguration(),
            logger: Logger(label: "test")
        )
        try await app.test(.live) { client in
            try await client.execute(uri: "/", method: .post, headers: Wire.headers("ListTables"), body: Wire.buffer("{}")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[Wire.crc32] == "1315925753")
            }
            #expect(service.shutdowns == 0)
        }
        #expect(service.shutdowns == 1)
    }

    /// Graceful shutdown begins while a request is inside the service: the request still gets its
    /// answer, and the service is closed only after that.
    @Test func finishesInFlightRequestsBeforeClosingTheService() async throws {
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let (gate, gateOpener) = AsyncStream.makeStream(of: Void.self)
        let service = TestService { _, _ in
            startedSignal.yield()
            for await _ in gate { break }
            return Array(#"{"TableNames":[]}"#.utf8)
        }
        let (endpoints, endpointSink) = AsyncStream.makeStream(of: String.self)
        let app = StrataServer.application(
            service: service, host: "127.0.0.1", port: 0, configuration: GatewayConfiguration(),
            logger: Logger(label: "test"), onRunning: { endpointSink.yield($0) }
        )
        let group = ServiceGroup(services: [app], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var endpointIterator = endpoints.makeAsyncIterator()
            let endpoint = try #require(await endpointIterator.next())

            var request = URLRequest(url: URL(string: endpoint + "/")!)
            request.httpMethod = "POST"
            request.setValue("DynamoDB_20120810.ListTables", forHTTPHeaderField: "X-Amz-Target")
            request.setValue("application/x-amz-json-1.0", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data("{}".utf8)
            let sent = request
            let answer = Task { try await URLSession.shared.data(for: sent) }

            var startedIterator = started.makeAsyncIterator()
            await startedIterator.next()
            await group.triggerGracefulShutdown()
            #expect(service.shutdowns == 0)

            gateOpener.yield()
            let (data, response) = try await answer.value
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == #"{"TableNames":[]}"#)
            try await tasks.waitForAll()
        }
        #expect(service.shutdowns == 1)
    }
}
