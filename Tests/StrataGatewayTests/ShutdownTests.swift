import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
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
}
