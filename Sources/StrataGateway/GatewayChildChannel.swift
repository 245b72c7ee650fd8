import HummingbirdCore
import Logging
import NIOCore

/// How Hummingbird's server sets up each accepted connection of the DynamoDB endpoint: a plain
/// SwiftNIO pipeline of one handler, `GatewayChannelHandler`, which reads HTTP/1 itself.
///
/// Hummingbird's own HTTP/1 channel hands every request to a Swift task through an async channel
/// (two thread hand-offs per request, and the task's scheduling); here requests are read and
/// answered by channel handlers on the event loop, and only the operation leaves it, for a
/// `GatewayWorkers` thread. Hummingbird's server still binds the socket, reports the bound
/// address, and shuts down gracefully: it stops accepting, sends every connection NIO's quiesce
/// event, which `GatewayChannelHandler` turns into closing an idle connection at once and a busy
/// one after its answer, and returns when every connection is closed.
struct GatewayChildChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
    }

    let gateway: DynamoDBGateway
    let workers: GatewayWorkers

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // One handler: it frames the requests itself, orders pipelined ones, answers malformed
            // ones (400) in their turn, and encodes its responses itself.
            try channel.pipeline.syncOperations.addHandler(GatewayChannelHandler(gateway: gateway, workers: workers, logger: logger))
            return Value(channel: channel)
        }
    }

    /// Waits for the connection to close: all the work is done by the pipeline's handlers.
    func handle(value: Value, logger: Logger) async {
        let channel = value.channel
        await withTaskCancellationHandler {
            try? await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}

extension HTTPServerBuilder {
    /// A server whose connections are answered by `gateway` (the responder Hummingbird offers is not used).
    static func dynamoDB(_ gateway: DynamoDBGateway, workers: GatewayWorkers = .shared) -> HTTPServerBuilder {
        HTTPServerBuilder { _ in GatewayChildChannel(gateway: gateway, workers: workers) }
    }
}
