import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import StrataWire

/// DynamoDB's JSON 1.0 protocol over HTTP, in front of a `DynamoDBService`.
///
/// `POST /` with `X-Amz-Target: DynamoDB_20120810.<Operation>` runs the operation; `GET /` is a
/// health check. `GatewayChannelHandler` reads each request on its event loop and collects the
/// body up to `maxBodyBytes` (413 past it, declared or streamed); then, on that event loop when
/// the service can answer without waiting (`respondWithoutWaiting`: the single-item operations
/// answered from memory), else on one of the `GatewayWorkers` threads, the gateway, in order:
/// 1. checks the SigV4 signature when credentials are configured (over the body as sent);
/// 2. reads the operation from X-Amz-Target (UnknownOperationException without DynamoDB's prefix);
/// 3. gunzips a `Content-Encoding: gzip` body;
/// 4. calls the service: `handleWithoutWaiting` on the event loop (nil: it would wait, and the
///    request goes to a worker, which starts again at step 1); `handleSynchronously` on the
///    worker thread when the service answers the operation that way, else `handle` on a task, so
///    neither an event loop nor the worker waits for a long operation;
/// 5. answers with `Content-Type: application/x-amz-json-1.0`, `x-amzn-RequestId`, and
///    `x-amz-crc32`, the CRC-32 of the body bytes exactly as sent: after gzip when the response is
///    compressed, which is what DynamoDB does and what botocore checks (it reads the raw,
///    still-compressed bytes).
///
/// A `DynamoDBError` becomes DynamoDB's error JSON (see `ErrorResponse`); any other error becomes a
/// 500 InternalServerError whose details go to the log only.
public struct DynamoDBGateway: Sendable {
    public let service: any DynamoDBService
    public let configuration: GatewayConfiguration
    let authenticator: RequestAuthenticator

    public static let targetPrefix = "DynamoDB_20120810."
    public static let contentType = "application/x-amz-json-1.0"

    public init(service: any DynamoDBService, configuration: GatewayConfiguration = GatewayConfiguration()) {
        self.init(service: service, configuration: configuration, now: { Int64(Date().timeIntervalSince1970) })
    }

    /// `now` is the clock the signature's freshness is judged by (seconds since the epoch).
    package init(
        service: any DynamoDBService, configuration: GatewayConfiguration,
        now: @escaping @Sendable () -> Int64
    ) {
        self.service = service
        self.configuration = configuration
        self.authenticator = RequestAuthenticator(authentication: configuration.authentication, now: now)
    }

    static func healthResponse() -> GatewayResponse {
        let body: StaticString = "healthy: strata\n"
        var writer = GatewayResponse.Writer(status: .ok, bodyBytes: body.utf8CodeUnitCount)
        writer.header("Content-Type", "text/plain; charset=utf-8")
        writer.header("x-amzn-RequestId", requestID: RequestID.make())
        writer.header("Content-Length", decimal: UInt64(body.utf8CodeUnitCount))
        return writer.finish(body: UnsafeRawBufferPointer(start: body.utf8Start, count: body.utf8CodeUnitCount))
    }

    /// The answer to a request `HTTPRequestParser` refuses; the connection closes after it.
    static func badRequestResponse() -> GatewayResponse {
        GatewayResponse(status: .badRequest, headers: [("Content-Length", "0")], body: ByteBuffer())
    }

    /// What a request is answered with when no route matches it (as Hummingbird's router answered).
    static func notFoundResponse() -> GatewayResponse {
        GatewayResponse(status: .notFound, headers: [("Content-Length", "0")], body: ByteBuffer())
    }

    /// What the request being answered needs once the operation is done.
    struct Exchange: Sendable {
        var requestID: RequestID
        var acceptsGzip: Bool
        var operation = "-"
        var start: ContinuousClock.Instant?
        var logger: Logger
    }

    /// What `respond` gives: the response, or the operation still to run.
    enum Answer: Sendable {
        case ready(GatewayResponse)
        case pending(Pending)
    }

    /// An operation the service answers asynchronously: `answer(deliver:)` runs it on a task.
    struct Pending: Sendable {
        let gateway: DynamoDBGateway
        let json: [UInt8]
        let exchange: Exchange

        /// Runs the operation on a task and hands its response to `deliver` there.
        func answer(deliver: @escaping @Sendable (GatewayResponse) -> Void) {
            Task { [self] in
                let result: Result<[UInt8], any Error>
                do {
                    result = .success(try await gateway.service.handle(operation: exchange.operation, body: json))
                } catch {
                    result = .failure(error)
                }
                deliver(gateway.finish(result, exchange))
            }
        }
    }

    /// Answers one `POST /` (its head and whole body): the response, made on this thread, or
    /// the operation to run on a task when the service answers it asynchronously (so that no
    /// closure is made for the usual case). Called on a worker thread.
    func respond(to request: GatewayRequest, logger: Logger) -> Answer {
        let (exchange, json): (Exchange, [UInt8])
        switch prepare(request, logger: logger) {
        case .answered(let response): return .ready(response)
        case .ready(let e, let j): (exchange, json) = (e, j)
        }
        do {
            if let output = try service.handleSynchronously(operation: exchange.operation, body: json) {
                return .ready(finish(.success(output), exchange))
            }
        } catch {
            return .ready(finish(.failure(error), exchange))
        }
        return .pending(Pending(gateway: self, json: json, exchange: exchange))
    }

    /// Answers one `POST /` on the calling thread (an event loop) if the service can answer it
    /// without waiting (`DynamoDBService.handleWithoutWaiting`); nil, having changed nothing,
    /// when it cannot, and the request goes to `respond` on a worker. The same steps as
    /// `respond`; a request whose checks fail is answered here (that takes no waiting). Not tried
    /// with debug logging, which writes a line per request, nor for a compressed body or one
    /// past `largestBodyWithoutWaiting`: the other connections of the event loop do not wait
    /// while a large item is parsed or a body inflated.
    func respondWithoutWaiting(to request: GatewayRequest, logger: Logger) -> GatewayResponse? {
        guard logger.logLevel > .debug, request.body.count <= Self.largestBodyWithoutWaiting,
              request.head.contentEncoding == nil else { return nil }
        let (exchange, json): (Exchange, [UInt8])
        switch prepare(request, logger: logger) {
        case .answered(let response): return response
        case .ready(let e, let j): (exchange, json) = (e, j)
        }
        do {
            guard let output = try service.handleWithoutWaiting(operation: exchange.operation, body: json) else { return nil }
            return finish(.success(output), exchange)
        } catch let error as DynamoDBError {
            return finish(.failure(error), exchange)
        } catch {
            return nil  // answered (and logged) from a worker
        }
    }

    /// The largest request body answered on an event loop (a PutItem of a 64 KiB item parses in
    /// tens of microseconds; DynamoDB's items go up to 400 KB).
    static let largestBodyWithoutWaiting = 64 * 1024

    /// A request past the gateway's checks, or the answer to one that failed them.
    private enum Prepared {
        case ready(Exchange, json: [UInt8])
        case answered(GatewayResponse)
    }

    /// Steps 1 to 3: the signature, the operation, the body's decoding.
    private func prepare(_ request: GatewayRequest, logger: Logger) -> Prepared {
        let head = request.head
        var exchange = beginExchange(logger: logger, acceptsGzip: head.acceptsGzip)
        do {
            try authenticate(request)
            guard let operation = head.operation else { throw DynamoDBError(GatewayErrorCode.unknownOperation, "") }
            exchange.operation = operation
            return .ready(exchange, json: try decode(request.body, contentEncoding: head.contentEncoding))
        } catch {
            return .answered(finish(.failure(error), exchange))
        }
    }

    /// The 413 of a body past `maxBodyBytes` (declared by Content-Length, or as it streams in).
    func tooLargeResponse(to head: GatewayRequestHead, logger: Logger) -> GatewayResponse {
        finish(.failure(tooLarge()), beginExchange(logger: logger, acceptsGzip: head.acceptsGzip))
    }

    private func beginExchange(logger: Logger, acceptsGzip: Bool) -> Exchange {
        let requestID = RequestID.make()
        // Metadata and timing only when they will be logged: setting logger metadata costs an
        // allocation per request.
        let debugging = logger.logLevel <= .debug
        var logger = logger
        if debugging { logger[metadataKey: "request.id"] = .stringConvertible(requestID) }
        return Exchange(
            requestID: requestID, acceptsGzip: acceptsGzip,
            start: debugging ? ContinuousClock.now : nil, logger: logger
        )
    }

    /// The response to the operation's result: its JSON, or the error's.
    func finish(_ result: Result<[UInt8], any Error>, _ exchange: Exchange) -> GatewayResponse {
        let status: HTTPResponse.Status
        let body: [UInt8]
        let operation = exchange.operation
        switch result {
        case .success(let output):
            (status, body) = (.ok, output)
        case .failure(let error as DynamoDBError):
            let response = ErrorResponse(error)
            (status, body) = (response.status, response.body)
            exchange.logger.debug("\(operation) failed", metadata: ["error.code": .string(error.code.name)])
        case .failure(let error):
            let response = ErrorResponse.internalServerError
            (status, body) = (response.status, response.body)
            exchange.logger.error(
                "\(operation) failed with an internal error",
                metadata: ["request.id": .stringConvertible(exchange.requestID), "error": .string(String(reflecting: error))]
            )
        }
        if let start = exchange.start {
            exchange.logger.debug(
                "\(operation) \(status.code)",
                metadata: ["duration": .stringConvertible(ContinuousClock.now - start)]
            )
        }
        return makeResponse(status: status, body: body, requestID: exchange.requestID, gzip: exchange.acceptsGzip)
    }

    /// The JSON body of a DynamoDB response: headers, optional gzip, and the CRC-32 of what is sent.
    func makeResponse(status: HTTPResponse.Status, body: [UInt8], requestID: RequestID, gzip: Bool) -> GatewayResponse {
        if gzip, body.count >= configuration.gzipThresholdBytes, let compressed = try? Gzip.compress(ByteBuffer(bytes: body)) {
            var writer = headWriter(status: status, requestID: requestID, bodyBytes: compressed.readableBytes)
            writer.header("Content-Encoding", "gzip")
            let crc = compressed.withUnsafeReadableBytes { CRC32.checksum($0) }
            writer.header("x-amz-crc32", decimal: UInt64(crc))
            writer.header("Content-Length", decimal: UInt64(compressed.readableBytes))
            return writer.finish(body: compressed)
        }
        return body.withUnsafeBytes { bytes in
            var writer = headWriter(status: status, requestID: requestID, bodyBytes: bytes.count)
            writer.header("x-amz-crc32", decimal: UInt64(CRC32.checksum(bytes)))
            writer.header("Content-Length", decimal: UInt64(bytes.count))
            return writer.finish(body: bytes)
        }
    }

    private func headWriter(status: HTTPResponse.Status, requestID: RequestID, bodyBytes: Int) -> GatewayResponse.Writer {
        var writer = GatewayResponse.Writer(status: status, bodyBytes: bodyBytes)
        writer.header("Content-Type", Self.contentType)
        writer.header("x-amzn-RequestId", requestID: requestID)
        return writer
    }

    /// Checks the signature; the request is turned into HTTPTypes' form (as Hummingbird turned every
    /// request) only when there is a signature to verify.
    private func authenticate(_ request: GatewayRequest) throws {
        guard case .verify = authenticator.authentication else {
            // Accept-all: a well-formed header was judged as it was read.
            return try authenticator.checkShape(authorization: request.head.authorization.text)
        }
        guard let fields = request.head.allFields else { preconditionFailure("a verifying gateway's parser keeps every field") }
        let head = try HTTPRequest(fields, secure: false, splitCookie: false)
        try authenticator.authenticate(head, body: ByteBuffer(bytes: request.body), authorization: request.head.authorization.text)
    }

    /// The operation named by X-Amz-Target, which must be `DynamoDB_20120810.<Operation>`.
    /// Whether the operation exists is the service's question.
    static func operation(target: String?) throws(DynamoDBError) -> String {
        // Over UTF-8, not Characters: no grapheme breaking per request.
        let prefix = targetPrefix.utf8
        guard let target, target.utf8.count > prefix.count, target.utf8.starts(with: prefix) else {
            throw DynamoDBError(GatewayErrorCode.unknownOperation, "")
        }
        return String(Substring(target.utf8.dropFirst(prefix.count)))
    }

    private func decode(_ raw: [UInt8], contentEncoding: String?) throws(DynamoDBError) -> [UInt8] {
        guard let contentEncoding else { return raw }
        let codings = contentEncoding.split(separator: ",")
            .map { $0.trimmingSpaces.lowercased() }
            .filter { !$0.isEmpty && $0 != "identity" }
        switch codings {
        case []:
            return raw
        case ["gzip"], ["x-gzip"]:
            do throws(Gzip.Failure) {
                return Array(buffer: try Gzip.decompress(ByteBuffer(bytes: raw), limit: configuration.maxBodyBytes))
            } catch {
                switch error {
                case .tooLarge:
                    throw tooLarge()
                case .corrupt:
                    throw DynamoDBError(.serialization, "The request body is not valid gzip data (Content-Encoding: gzip).")
                }
            }
        default:
            throw DynamoDBError(.serialization, "Unsupported Content-Encoding: \(contentEncoding)")
        }
    }

    private func tooLarge() -> DynamoDBError {
        DynamoDBError(
            GatewayErrorCode.requestEntityTooLarge,
            "Request body too large: this server accepts at most \(configuration.maxBodyBytes) bytes "
                + "(strata-server --max-body-bytes)."
        )
    }
}
