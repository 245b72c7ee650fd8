import HTTPTypes
import NIOCore
import NIOHTTP1

/// One answer of the endpoint, ready to be written: status, headers and the body as sent.
/// `Date`, and `Connection: close` when the connection is to close, are added by the channel
/// handler when it writes the answer.
struct GatewayResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPHeaders
    var body: ByteBuffer
}
