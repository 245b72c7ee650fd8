import Dispatch
import StrataGateway
import StrataWire

/// The real service behind the endpoint: the wire dispatcher over an embedded Database.
/// Engine work blocks, so it runs on Dispatch's global queues, never on an event loop or
/// Swift's cooperative pool.
final class DatabaseService: DynamoDBService {
    let dispatcher: Dispatcher

    init(database: Database) {
        dispatcher = Dispatcher(database: database)
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
