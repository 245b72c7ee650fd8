// Query, Scan, batch and transaction operations (registered beside the table and item operations).

extension Dispatcher {
    static func registerMore(_ h: inout [String: Handler]) {
        func register<I: Decodable, O: Encodable>(_ name: String, _ call: @escaping @Sendable (Database, I) throws(DynamoDBError) -> O) {
            Self.register(name, call, in: &h)
        }
        register("Query") { db, i throws(DynamoDBError) in try db.query(i) }
        register("Scan") { db, i throws(DynamoDBError) in try db.scan(i) }
        register("BatchGetItem") { db, i throws(DynamoDBError) in try db.batchGetItem(i) }
        register("BatchWriteItem") { db, i throws(DynamoDBError) in try db.batchWriteItem(i) }
        register("TransactWriteItems") { db, i throws(DynamoDBError) in try db.transactWriteItems(i) }
        register("TransactGetItems") { db, i throws(DynamoDBError) in try db.transactGetItems(i) }
    }
}
