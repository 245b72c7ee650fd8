import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StrataWire

/// DynamoDB's JSON 1.0 protocol over HTTP, in front of a `DynamoDBService`.
///
/// `POST /` with `X-Amz-Target: DynamoDB_20120810.<Operation>` runs the operation; `GET /` is a
/// health check. For every POST the gateway, in order:
/// 1. collects the body up to `maxBodyBytes` (413 past it);
/// 2. checks the SigV4 signature when credentials are configured (over the body as sent);
/// 3. reads the operation from X-Amz-Target (UnknownOperationException without DynamoDB's prefix);
/// 4. gunzips a `Content-Encoding: gzip` body;
/// 5. awaits `service.handle` — async, so the event loop is never blocked by the operation;
/// 6. answers with `Content-Type: application/x-amz-json-1.0`, `x-amzn-RequestId`, and
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

    /// The routes: `POST /` for operations, `GET /` for health checks.
    public func router<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> Router<Context> {
        let router = Router(context: Context.self)
        router.get("/") { _, _ in Self.healthResponse() }
        router.post("/") { request, context in
            await self.respond(to: request, logger: context.logger)
        }
        return router
    }

    static func healthResponse() -> Response {
        var buffer = ByteBuffer()
        buffer.writeString("healthy: strata\n")
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; charset=utf-8", HeaderName.requestID: RequestID.make()],
            body: .init(byteBuffer: buffer)
        )
    }

    func respond(to request: Request, logger: Logger) async -> Response {
        let requestID = RequestID.make()
        // Metadata and timing only when they will be logged: setting logger metadata costs an
        // allocation per request.
        let debugging = logger.logLevel <= .debug
        var logger = logger
        if debugging { logger[metadataKey: "request.id"] = .string(requestID) }
        let headers = RequestHeaders(request.headers)
        let acceptsGzip = Gzip.isAccepted(by: headers.acceptEncoding)
        let start = debugging ? ContinuousClock.now : nil
        var operation = "-"
        let status: HTTPResponse.Status
        let body: [UInt8]
        do {
            let raw = try await collectBody(of: request, contentLength: headers.contentLength)
            try authenticator.authenticate(request.head, body: raw, authorization: headers.authorization)
            operation = try Self.operation(target: headers.target)
            let json = try decode(raw, contentEncoding: headers.contentEncoding)
            body = try await service.handle(operation: operation, body: Array(buffer: json))
            status = .ok
        } catch let error as DynamoDBError {
            let response = ErrorResponse(error)
            (status, body) = (response.status, response.body)
            logger.debug("\(operation) failed", metadata: ["error.code": .string(error.code.name)])
        } catch {
            let response = ErrorResponse.internalServerError
            (status, body) = (response.status, response.body)
            logger.error(
                "\(operation) failed with an internal error",
                metadata: ["request.id": .string(requestID), "error": .string(String(reflecting: error))]
            )
        }
        if let start {
            logger.debug(
                "\(operation) \(status.code)",
                metadata: ["duration": .stringConvertible(ContinuousClock.now - start)]
            )
        }
        return makeResponse(status: status, body: body, requestID: requestID, gzip: acceptsGzip)
    }

    /// The JSON body of a DynamoDB response: headers, optional gzip, and the CRC-32 of what is sent.
    func makeResponse(status: HTTPResponse.Status, body: [UInt8], requestID: String, gzip: Bool) -> Response {
        var buffer = ByteBuffer(bytes: body)
        var headers: HTTPFields = [
            .contentType: Self.contentType,
            HeaderName.requestID: requestID,
        ]
        if gzip, body.count >= configuration.gzipThresholdBytes, let compressed = try? Gzip.compress(buffer) {
            buffer = compressed
            headers[.contentEncoding] = "gzip"
        }
        let crc = buffer.withUnsafeReadableBytes { CRC32.checksum($0) }
        headers[HeaderName.crc32] = String(crc)
        headers[.contentLength] = String(buffer.readableBytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// The operation named by X-Amz-Target, which must be `DynamoDB_20120810.<Operation>`.
    /// Whether the operation exists is the service's question.
    static func operation(target: String?) throws(DynamoDBError) -> String {
        guard let target, target.hasPrefix(targetPrefix), target.count > targetPrefix.count else {
            throw DynamoDBError(GatewayErrorCode.unknownOperation, "")
        }
        return String(target.dropFirst(targetPrefix.count))
    }

    private func collectBody(of request: Request, contentLength: String?) async throws -> ByteBuffer {
        let limit = configuration.maxBodyBytes
        if let declared = contentLength.flatMap(Int.init), declared > limit {
            throw tooLarge()
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge()
        }
    }

    private func decode(_ raw: ByteBuffer, contentEncoding: String?) throws(DynamoDBError) -> ByteBuffer {
        let codings = (contentEncoding ?? "").split(separator: ",")
            .map { $0.trimmingSpaces.lowercased() }
            .filter { !$0.isEmpty && $0 != "identity" }
        switch codings {
        case []:
            return raw
        case ["gzip"], ["x-gzip"]:
            do throws(Gzip.Failure) {
                return try Gzip.decompress(raw, limit: configuration.maxBodyBytes)
            } catch {
                switch error {
                case .tooLarge:
                    throw tooLarge()
                case .corrupt:
                    throw DynamoDBError(.serialization, "The request body is not valid gzip data (Content-Encoding: gzip).")
                }
            }
        default:
            throw DynamoDBError(.serialization, "Unsupported Content-Encoding: \(contentEncoding ?? "")")
        }
    }

    private func tooLarge() -> DynamoDBError {
        DynamoDBError(
            GatewayErrorCode.requestEntityTooLarge,
            "Request body too large: this server accepts at most \(configuration.maxBodyBytes) bytes "
                + "(strata-server --max-body-bytes)."
        )
    }

    enum HeaderName {
        static let target = HTTPField.Name("X-Amz-Target")!
        static let requestID = HTTPField.Name("x-amzn-RequestId")!
        static let crc32 = HTTPField.Name("x-amz-crc32")!
    }
}
