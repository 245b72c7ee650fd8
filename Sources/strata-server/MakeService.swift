import StrataGateway

// PLACEHOLDER — to be replaced by the real database (Strata's Database behind StrataWire's
// dispatcher). The server calls `makeService` once at startup and `shutdown()` once at exit;
// everything else about it lives in this file.

/// The service behind the endpoint.
/// - Parameters:
///   - dataDirectory: where the database lives (already created); nil with `inMemory`.
///   - inMemory: keep nothing on disk.
///   - sync: fsync every write before acknowledging it.
func makeService(dataDirectory: String?, inMemory: Bool, sync: Bool) throws -> any DynamoDBService {
    PlaceholderService()
}

/// PLACEHOLDER: answers ListTables with no tables and every other operation with
/// UnknownOperationException (which DynamoDB sends without a message).
struct PlaceholderService: DynamoDBService {
    func handle(operation: String, body: [UInt8]) async throws -> [UInt8] {
        switch operation {
        case "ListTables":
            return Array(#"{"TableNames":[]}"#.utf8)
        default:
            throw DynamoDBError(DynamoDBError.Code("UnknownOperationException"), "")
        }
    }
}
