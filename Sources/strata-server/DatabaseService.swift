import Dispatch
import StrataGateway
import StrataWire

/// The real service behind the endpoint: the wire dispatcher over an embedded Database.
///
/// The single-item operations of a database without sync touch memory and, for writes, append to
/// the log without waiting for the disk: they are tried on the event loop without waiting
/// (`handleWithoutWaiting`), and otherwise answered synchronously, on the gateway's worker thread
/// that already holds the request (GetItem only when every write syncs). Long or blocking
/// engine work (scans, queries, batches, table operations, and every write when each one is
/// synced to disk) runs on Dispatch's global queues, never on an event loop, a gateway worker or
/// Swift's cooperative pool.
final class DatabaseService: DynamoDBService {
    let dispatcher: Dispatcher
    /// Whether every write waits for the disk (then only GetItem is answered synchronously).
    let sync: Bool

    init(database: Database, sync: Bool) {
        dispatcher = Dispatcher(database: database)
        self.sync = sync
    }

    /// Whether `operation` is answered synchronously. (Compared, not hashed: the names are short
    /// strings, and this runs for every request.)
    func isQuick(_ operation: String) -> Bool {
        switch operation {
        case "GetItem": true
        case "PutItem", "DeleteItem", "UpdateItem": !sync
        default: false
        }
    }

    func handleSynchronously(operation: String, body: [UInt8]) throws -> [UInt8]? {
        guard isQuick(operation) else { return nil }
        return try dispatcher.handle(operation: operation, body: body)
    }

    /// GetItem, PutItem, DeleteItem and UpdateItem when they need nothing but memory. Writes are
    /// not tried when every write syncs (they would always be refused, after their read).
    func handleWithoutWaiting(operation: String, body: [UInt8]) throws -> [UInt8]? {
        guard isQuick(operation) else { return nil }
        return try dispatcher.handleWithoutWaiting(operation: operation, body: body)
    }

    func handle(operation: String, body: [UInt8]) async throws -> [UInt8] {
        let dispatcher = self.dispatcher
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    continuation.resume(returning: try dispatcher.handle(operation: operation, body: body))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func shutdown() async throws {
        try dispatcher.database.close()
    }
}
