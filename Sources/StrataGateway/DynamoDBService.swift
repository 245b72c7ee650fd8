// The boundary between the HTTP layer (this module) and the operations (StrataWire's dispatcher).
@_exported import StrataWire

/// What the DynamoDB endpoint calls for every request that passed the HTTP checks
/// (method, target, size, compression, signature).
///
/// The gateway owns everything about HTTP: headers, gzip, the CRC32 of the response, SigV4,
/// the error body's JSON shape. The service owns the JSON of requests and responses.
public protocol DynamoDBService: Sendable {
    /// `operation` is the part after "DynamoDB_20120810." in X-Amz-Target; `body` the (decompressed) JSON request.
    /// Returns the JSON response body. Throws DynamoDBError (module Strata) for DynamoDB errors.
    func handle(operation: String, body: [UInt8]) async throws -> [UInt8]

    /// Called once on graceful shutdown, after the HTTP server has stopped accepting requests and
    /// every in-flight request has been answered: close the database here.
    func shutdown() async throws
}

extension DynamoDBService {
    public func shutdown() async throws {}
}
