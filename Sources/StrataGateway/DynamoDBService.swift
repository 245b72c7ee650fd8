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

    /// The same answer as `handle`, given on the calling thread, for an operation that takes
    /// microseconds and never waits for the disk or for other requests (for strata-server: GetItem,
    /// and PutItem, DeleteItem and UpdateItem when the database does not sync). Returns nil, having
    /// done nothing, for every other operation, which then goes to `handle`.
    ///
    /// The gateway calls it on one of its worker threads, never on an event loop or on Swift's
    /// cooperative pool. By default it answers nothing this way.
    func handleSynchronously(operation: String, body: [UInt8]) throws -> [UInt8]?

    /// The same answer as `handle`, given on the calling thread only if it needs no waiting of
    /// any kind: no file read, no lock another thread may hold while it waits, no log sync (for
    /// strata-server: GetItem, PutItem, DeleteItem and UpdateItem answered from memory, see
    /// `Database.tryGetItem`). Returns nil, having done nothing, otherwise; the request then goes
    /// to `handleSynchronously` on a worker thread.
    ///
    /// The gateway calls it on the connection's event loop, which it saves two thread hand-offs.
    /// By default it answers nothing this way.
    func handleWithoutWaiting(operation: String, body: [UInt8]) throws -> [UInt8]?

    /// Called once on graceful shutdown, after the HTTP server has stopped accepting requests and
    /// every in-flight request has been answered: close the database here.
    func shutdown() async throws
}

extension DynamoDBService {
    public func handleSynchronously(operation: String, body: [UInt8]) throws -> [UInt8]? { nil }

    public func handleWithoutWaiting(operation: String, body: [UInt8]) throws -> [UInt8]? { nil }

    public func shutdown() async throws {}
}
