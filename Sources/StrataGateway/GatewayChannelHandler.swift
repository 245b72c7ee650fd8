import Logging
import NIOCore

/// A connection's whole pipeline: it frames the requests in the bytes read itself
/// (`HTTPRequestParser`: no NIO HTTP decoder, no message per request part), and writes each answer
/// itself, as the bytes of one HTTP/1.1 response (status line, headers, body) in one buffer and
/// one write; the buffer of an operation's answer is made on the worker thread (`GatewayResponse`).
///
/// On the event loop it routes each request and collects its body into the bytes the service
/// takes (one copy, sized by Content-Length); a body past `maxBodyBytes`
/// (declared by Content-Length, or as it streams in) is answered 413 at once and the rest of it
/// dropped. A complete `POST /` is answered here when the service can answer it without waiting
/// (`DynamoDBGateway.respondWithoutWaiting`: no file read, no lock that may be held across IO, no
/// sync); otherwise it goes to a `GatewayWorkers` thread, and its answer comes back here through
/// the event loop to be written. `GET /` (the health check), unknown routes and
/// malformed requests (400, then close; also a request cut short by the end of the input) are
/// answered on the event loop: nothing in them can block.
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
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = ByteBuffer

    /// What is being read.
    private enum Reading {
        /// Between requests.
        case idle
        /// The body of a `POST /` (into `collectingHead` and `body`).
        case collecting
        /// The rest of a request whose answer needs no body (`GET /`, unknown routes).
        case skipping(GatewayResponse)
        /// The rest of a body already refused (413).
        case discarding
        /// Nothing more: the connection is closing.
        case stopped
    }

    /// A request ready to be answered.
    private enum Work {
        case operation(GatewayRequest)
        case answer(GatewayResponse)
    }

    private let gateway: DynamoDBGateway
    private let workers: GatewayWorkers
    private let logger: Logger
    private var parser: HTTPRequestParser
    private var reading = Reading.idle
    /// The head of the `POST /` whose body is being collected, and the body so far.
    private var collectingHead: GatewayRequestHead?
    private var body: [UInt8] = []
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

    /// The most body capacity reserved from Content-Length alone; a larger body grows as it comes.
    static let reservedBodyBytes = 256 * 1024

    init(gateway: DynamoDBGateway, workers: GatewayWorkers, logger: Logger) {
        self.gateway = gateway
        self.workers = workers
        self.logger = logger
        if case .verify = gateway.authenticator.authentication {
            parser = HTTPRequestParser(keepsAllFields: true)
        } else {
            parser = HTTPRequestParser()
        }
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .stopped = reading { return }
        parser.feed(unwrapInboundIn(data))
        readEvents(context: context)
    }

    /// Acts on every request event the bytes read so far hold.
    private func readEvents(context: ChannelHandlerContext) {
        while true {
            let event: HTTPRequestParser.Event?
            do {
                event = try parser.next()
            } catch {
                return malformed(context: context)
            }
            guard let event else { return }
            switch event {
            case .head(let head):
                guard case .idle = reading else { break }
                keepAlive = head.keepAlive
                receive(head, context: context)
            case .body(let chunk):
                guard case .collecting = reading else { break }
                append(chunk, context: context)
            case .end:
                continueOwed = false  // the body came without it
                switch reading {
                case .collecting:
                    reading = .idle
                    let request = GatewayRequest(head: collectingHead!, body: body)
                    collectingHead = nil
                    body = []
                    enqueue(.operation(request), context: context)
                case .skipping(let response):
                    reading = .idle
                    enqueue(.answer(response), context: context)
                case .discarding:
                    reading = .idle
                case .idle, .stopped:
                    break
                }
            }
            if case .stopped = reading {
                parser.stop()
                return
            }
        }
    }

    /// A request that cannot be framed: 400 in its turn, then close (nothing more is read).
    private func malformed(context: ChannelHandlerContext) {
        parser.stop()
        if case .stopped = reading { return }
        reading = .stopped
        collectingHead = nil
        body = []
        keepAlive = false
        enqueue(.answer(DynamoDBGateway.badRequestResponse()), context: context)
    }

    private func receive(_ head: GatewayRequestHead, context: ChannelHandlerContext) {
        guard head.isRoot else {
            reading = .skipping(DynamoDBGateway.notFoundResponse())
            return
        }
        switch head.method {
        case .post:
            let limit = gateway.configuration.maxBodyBytes
            if let declared = head.contentLength, declared > limit {
                refuseTooLarge(head, context: context)
            } else {
                reading = .collecting
                collectingHead = head
                // Room for the declared body at once, up to a bound: a client that declares a
                // large body and sends none does not make the connection hold that much.
                if let declared = head.contentLength { body.reserveCapacity(min(declared, Self.reservedBodyBytes)) }
                if head.expectsContinue {
                    continueOwed = true
                    sendOwedContinue(context: context)
                }
            }
        case .get:
            reading = .skipping(DynamoDBGateway.healthResponse())
        case .other:
            reading = .skipping(DynamoDBGateway.notFoundResponse())
        }
    }

    private func append(_ chunk: ByteBuffer, context: ChannelHandlerContext) {
        guard body.count + chunk.readableBytes <= gateway.configuration.maxBodyBytes else {
            let head = collectingHead!
            collectingHead = nil
            body = []
            return refuseTooLarge(head, context: context)
        }
        chunk.withUnsafeReadableBytes { body.append(contentsOf: $0) }
    }

    private func sendOwedContinue(context: ChannelHandlerContext) {
        guard continueOwed, !answering, waiting.isEmpty, case .collecting = reading else { return }
        continueOwed = false
        var buffer = context.channel.allocator.buffer(capacity: 25)
        buffer.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// Answers 413 before the body is read; the rest of the body is read and dropped.
    private func refuseTooLarge(_ head: GatewayRequestHead, context: ChannelHandlerContext) {
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
        case .operation(let request):
            if let response = gateway.respondWithoutWaiting(to: request, logger: logger) {
                write(response, context: context)
                return
            }
            let gateway = self.gateway
            let logger = self.logger
            let eventLoop = context.eventLoop
            let target = NIOLoopBound((handler: self, context: context), eventLoop: eventLoop)
            workers.submit { handback in
                switch gateway.respond(to: request, logger: logger) {
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
            // A request cut short by the end of the input is malformed (as NIO's decoder has it).
            if !parser.isIdle { malformed(context: context) }
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
        logger.trace("closing a connection after an error", metadata: ["error": .string(String(reflecting: error))])
        reading = .stopped
        parser.stop()
        context.close(promise: nil)
    }
}
