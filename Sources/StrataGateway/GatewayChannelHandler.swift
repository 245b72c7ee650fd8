import Logging
import NIOCore
import NIOHTTP1

/// The end of a connection's pipeline, after NIO's HTTP/1 request decoder. It writes each answer
/// itself, as the bytes of one HTTP/1.1 response (status line, headers, body) in one buffer and
/// one write; the buffer of an operation's answer is made on the worker thread (`GatewayResponse`).
///
/// On the event loop it routes each request and collects its body; a body past `maxBodyBytes`
/// (declared by Content-Length, or as it streams in) is answered 413 at once and the rest of it
/// dropped. A complete `POST /` goes to a `GatewayWorkers` thread, and its answer comes back
/// here through the event loop to be written. `GET /` (the health check), unknown routes and
/// malformed requests (400) are answered on the event loop: nothing in them can block.
///
/// Pipelining: one request is answered at a time, in order. A request that is complete while
/// another is being answered waits in `waiting`, and reading from the socket pauses until the
/// queue is empty again (NIO's HTTPServerPipelineHandler pauses reading for every request in
/// flight, which costs two `epoll_ctl` calls per request; here only pipelining clients pay).
///
/// `Expect: 100-continue` (HTTP/1.1) is answered `HTTP/1.1 100 Continue` as soon as the request's
/// head is read, or when the answers before it are written (a pipelining client), unless its
/// declared body is refused (413) at once.
///
/// After an answer the connection stays open unless the request asked otherwise
/// (`Connection: close`, or HTTP/1.0 without keep-alive), the client closed its side and nothing
/// is left to answer, or the server is shutting down (NIO's quiesce event: an idle connection is
/// closed at once, a busy one after its answer); then the answer carries `Connection: close` and
/// the channel is closed once it is written.
final class GatewayChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = Never
    typealias OutboundOut = ByteBuffer

    /// What is being read.
    private enum Reading {
        /// Between requests.
        case idle
        /// The body of a `POST /`.
        case collecting(HTTPRequestHead, ByteBuffer?)
        /// The rest of a request whose answer needs no body (`GET /`, unknown routes).
        case skipping(GatewayResponse)
        /// The rest of a body already refused (413).
        case discarding
        /// Nothing more: the connection is closing.
        case stopped
    }

    /// A request ready to be answered.
    private enum Work {
        case operation(HTTPRequestHead, ByteBuffer)
        case answer(GatewayResponse)
    }

    private let gateway: DynamoDBGateway
    private let workers: GatewayWorkers
    private let logger: Logger
    private var reading = Reading.idle
    private var keepAlive = true
    /// A request is being answered; `answerKeepsAlive` is whether its connection may stay open.
    private var answering = false
    private var answerKeepsAlive = true
    /// Complete requests behind the one being answered, with their keep-alive.
    private var waiting = CircularBuffer<(Work, Bool)>()
    /// A `read()` held back while `waiting` is not empty.
    private var readHeld = false
    /// The client closed its side: close ours once everything read is answered.
    private var inputClosed = false
    /// The server is shutting down: close after the answer in progress (or now, if none).
    private var quiescing = false
    /// The request being read asked for `100 Continue`, to be sent once nothing is ahead of it.
    private var continueOwed = false

    init(gateway: DynamoDBGateway, workers: GatewayWorkers, logger: Logger) {
        self.gateway = gateway
        self.workers = workers
        self.logger = logger
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .idle = reading else { return }
            keepAlive = head.isKeepAlive
            receive(head, context: context)
        case .body(let chunk):
            guard case .collecting(let head, let collected) = reading else { return }
            reading = .discarding  // no second reference to the buffer while it grows
            append(chunk, to: collected, head: head, context: context)
        case .end:
            continueOwed = false  // the body came without it
            switch reading {
            case .collecting(let head, let body):
                reading = .idle
                enqueue(.operation(head, body ?? ByteBuffer()), context: context)
            case .skipping(let response):
                reading = .idle
                enqueue(.answer(response), context: context)
            case .discarding:
                reading = .idle
            case .idle, .stopped:
                break
            }
        }
    }

    private func receive(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { head.uri[..<$0] } ?? head.uri[...]
        guard path == "/" else {
            reading = .skipping(DynamoDBGateway.notFoundResponse())
            return
        }
        switch head.method {
        case .POST:
            if let declared = head.headers.first(name: "content-length").flatMap(Int.init),
                declared > gateway.configuration.maxBodyBytes
            {
                refuseTooLarge(head, context: context)
            } else {
                reading = .collecting(head, nil)
                if Self.expectsContinue(head) {
                    continueOwed = true
                    sendOwedContinue(context: context)
                }
            }
        case .GET:
            reading = .skipping(DynamoDBGateway.healthResponse())
        default:
            reading = .skipping(DynamoDBGateway.notFoundResponse())
        }
    }

    private func append(_ chunk: ByteBuffer, to collected: ByteBuffer?, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let limit = gateway.configuration.maxBodyBytes
        guard var body = collected else {
            if chunk.readableBytes > limit { return refuseTooLarge(head, context: context) }
            reading = .collecting(head, chunk)
            return
        }
        if body.readableBytes + chunk.readableBytes > limit { return refuseTooLarge(head, context: context) }
        var chunk = chunk
        body.writeBuffer(&chunk)
        reading = .collecting(head, body)
    }

    /// Whether the request asks for `100 Continue` before it sends its body (RFC 9110 10.1.1: only
    /// from HTTP/1.1 on; the expectation's name is case-insensitive).
    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        guard head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1) else { return false }
        return head.headers["expect"].contains { value in
            value.split(separator: ",").contains { $0.trimmingSpaces.lowercased() == "100-continue" }
        }
    }

    /// Sends the `100 Continue` the request being read asked for, unless answers before it are
    /// still to be written (it then goes after them).
    private func sendOwedContinue(context: ChannelHandlerContext) {
        guard continueOwed, !answering, waiting.isEmpty, case .collecting = reading else { return }
        continueOwed = false
        var buffer = context.channel.allocator.buffer(capacity: 25)
        buffer.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// Answers 413 before the body is read; the rest of the body is read and dropped.
    private func refuseTooLarge(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        reading = .discarding
        enqueue(.answer(gateway.tooLargeResponse(to: head, logger: logger)), context: context)
    }

    // MARK: Answering, one request at a time

    private func enqueue(_ work: Work, context: ChannelHandlerContext) {
        if answering || !waiting.isEmpty {
            waiting.append((work, keepAlive))
        } else {
            start(work, keepAlive: keepAlive, context: context)
        }
    }

    private func start(_ work: Work, keepAlive: Bool, context: ChannelHandlerContext) {
        answering = true
        answerKeepsAlive = keepAlive
        switch work {
        case .answer(let response):
            write(response, context: context)
        case .operation(let head, let body):
            let gateway = self.gateway
            let logger = self.logger
            let eventLoop = context.eventLoop
            let target = NIOLoopBound((handler: self, context: context), eventLoop: eventLoop)
            workers.submit { handback in
                switch gateway.respond(to: head, body: body, logger: logger) {
                case .ready(let response):
                    handback.send(to: eventLoop) {
                        let (handler, context) = target.value
                        handler.write(response, context: context)
                    }
                case .pending(let pending):
                    pending.answer { response in
                        eventLoop.execute {
                            let (handler, context) = target.value
                            handler.write(response, context: context)
                        }
                    }
                }
            }
        }
    }

    private func write(_ response: GatewayResponse, context: ChannelHandlerContext) {
        answering = false
        guard context.channel.isActive else {
            // The client left while its request was being answered.
            reading = .stopped
            waiting.removeAll()
            return
        }
        let last = waiting.isEmpty && { if case .idle = reading { true } else { false } }()
        let close = !answerKeepsAlive || quiescing || (inputClosed && last)
        let bytes = close ? response.closing().bytes : response.bytes
        guard !close else {
            reading = .stopped
            waiting.removeAll()
            let written = context.writeAndFlush(wrapOutboundOut(bytes))
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        if let (work, keepAlive) = waiting.popFirst() {
            start(work, keepAlive: keepAlive, context: context)
        } else {
            sendOwedContinue(context: context)
            if readHeld {
                readHeld = false
                context.read()
            }
        }
    }

    // MARK: Reads, events and errors

    func read(context: ChannelHandlerContext) {
        if waiting.isEmpty {
            context.read()
        } else {
            readHeld = true
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            quiescing = true
            closeIfIdle(context: context)
        case let event as ChannelEvent where event == .inputClosed:
            inputClosed = true
            closeIfIdle(context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func closeIfIdle(context: ChannelHandlerContext) {
        guard !answering, waiting.isEmpty else { return }
        switch reading {
        case .idle, .stopped:
            reading = .stopped
            context.close(promise: nil)
        case .collecting, .skipping, .discarding:
            break  // the request being read is answered, then the connection closes
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .stopped = reading {} else if error is HTTPParserError {
            // A malformed request: 400 in its turn, then close (the decoder reads nothing more).
            reading = .stopped
            keepAlive = false
            enqueue(.answer(DynamoDBGateway.badRequestResponse()), context: context)
            return
        }
        logger.trace("closing a connection after an error", metadata: ["error": .string(String(reflecting: error))])
        reading = .stopped
        context.close(promise: nil)
    }
}
