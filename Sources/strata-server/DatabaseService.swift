import Dispatch
import StrataGateway
import StrataWire

/// The real service behind the endpoint: the wire dispatcher over an embedded Database.
///
/// The single-item operations of a database without sync touch memory and, for writes, append to
/// the log without waiting for the disk: they are answered synchronously, on the gateway's worker
/// thread that already holds the request (GetItem too when every write syncs). Long or blocking
/// engine work (scans, queries, batches, table operations, and every write when each one is
/// synced to disk) runs on Dispatch's global queues, never on an event loop, a gateway worker or
/// Swift's cooperative pool.
final class DatabaseService: DynamoDBService {
    let dispatcher: Dispatcher
    /// Operations answered synchronously.
    let quickOperations: Set<String>

    init(database: Database, sync: Bool) {
        dispatcher = Dispatcher(database: database)
        quickOperations = sync ? ["GetItem"] : ["GetItem", "PutItem", "DeleteItem", "UpdateItem"]
    }

    func handleSynchronously(operation: String, body: [UInt8]) throws -> [UInt8]? {
        guard quickOperations.contains(operation) else { return nil }
        return try dispatcher.handle(operation: operation, body: body)
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
