import Dispatch
import StrataGateway
import StrataWire

/// The real service behind the endpoint: the wire dispatcher over an embedded Database.
///
/// Long or blocking engine work (scans, queries, batches, table operations, and every write when
/// each one is synced to disk) runs on Dispatch's global queues, never on an event loop or Swift's
/// cooperative pool. The single-item operations of a database without sync touch memory and, for
/// writes, append to the log without waiting for the disk: they run inline on the calling task,
/// saving two thread handoffs per request (to the queue and back to the pool).
final class DatabaseService: DynamoDBService {
    let dispatcher: Dispatcher
    /// Operations answered on the calling task; empty when the database syncs every write.
    let inlineOperations: Set<String>

    init(database: Database, sync: Bool) {
        dispatcher = Dispatcher(database: database)
        inlineOperations = sync ? ["GetItem"] : ["GetItem", "PutItem", "DeleteItem", "UpdateItem"]
    }

    func handle(operation: String, body: [UInt8]) async throws -> [UInt8] {
        if inlineOperations.contains(operation) {
            return try dispatcher.handle(operation: operation, body: body)
        }
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
