import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import StrataGateway

/// The clock the SigV4 vectors were made at: 20250102T030405Z.
let vectorTime: Int64 = 1_735_787_045

/// Runs `test` against the gateway's router, in process (no sockets).
func withGateway<Value: Sendable>(
    _ service: TestService,
    _ configuration: GatewayConfiguration = GatewayConfiguration(),
    now: Int64 = vectorTime,
    _ test: @Sendable (any TestClientProtocol) async throws -> Value
) async throws -> Value {
    let gateway = DynamoDBGateway(service: service, configuration: configuration, now: { now })
    let app = Application(router: gateway.router())
    return try await app.test(.router, test)
}
