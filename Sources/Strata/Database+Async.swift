import Dispatch

// Async variants of the operations. Each runs the synchronous core on a Dispatch global queue,
// so engine work that blocks (a WAL sync, a lock held by a writer of the same item) never
// occupies a thread of Swift's cooperative pool.
//
// They share the synchronous methods' names: in an async context the compiler picks these and
// requires `await`; in synchronous code (including a synchronous closure inside an async
// function) it picks the synchronous ones.

extension Database {
    /// Runs `body` on a global queue and resumes with its result.
    func offload<T: Sendable>(_ body: @escaping @Sendable () throws(DynamoDBError) -> T) async throws(DynamoDBError) -> T {
        let result: Result<T, DynamoDBError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(DynamoDBError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    // MARK: Tables

    public func createTable(_ input: CreateTableInput) async throws(DynamoDBError) -> TableDescriptionOutput {
        try await offload { () throws(DynamoDBError) in try self.createTable(input) }
    }

    public func describeTable(_ input: TableNameInput) async throws(DynamoDBError) -> DescribeTableOutput {
        try await offload { () throws(DynamoDBError) in try self.describeTable(input) }
    }

    public func listTables(_ input: ListTablesInput = ListTablesInput()) async throws(DynamoDBError) -> ListTablesOutput {
        try await offload { () throws(DynamoDBError) in try self.listTables(input) }
    }

    public func updateTable(_ input: UpdateTableInput) async throws(DynamoDBError) -> TableDescriptionOutput {
        try await offload { () throws(DynamoDBError) in try self.updateTable(input) }
    }

    public func deleteTable(_ input: TableNameInput) async throws(DynamoDBError) -> TableDescriptionOutput {
        try await offload { () throws(DynamoDBError) in try self.deleteTable(input) }
    }

    public func tagResource(_ input: TagResourceInput) async throws(DynamoDBError) -> EmptyOutput {
        try await offload { () throws(DynamoDBError) in try self.tagResource(input) }
    }

    public func untagResource(_ input: UntagResourceInput) async throws(DynamoDBError) -> EmptyOutput {
        try await offload { () throws(DynamoDBError) in try self.untagResource(input) }
    }

    public func listTagsOfResource(_ input: ListTagsOfResourceInput) async throws(DynamoDBError) -> ListTagsOfResourceOutput {
        try await offload { () throws(DynamoDBError) in try self.listTagsOfResource(input) }
    }

    public func updateTimeToLive(_ input: UpdateTimeToLiveInput) async throws(DynamoDBError) -> UpdateTimeToLiveOutput {
        try await offload { () throws(DynamoDBError) in try self.updateTimeToLive(input) }
    }

    public func describeTimeToLive(_ input: TableNameInput) async throws(DynamoDBError) -> DescribeTimeToLiveOutput {
        try await offload { () throws(DynamoDBError) in try self.describeTimeToLive(input) }
    }

    // MARK: Items

    public func putItem(_ input: PutItemInput) async throws(DynamoDBError) -> WriteItemOutput {
        try await offload { () throws(DynamoDBError) in try self.putItem(input) }
    }

    public func getItem(_ input: GetItemInput) async throws(DynamoDBError) -> GetItemOutput {
        try await offload { () throws(DynamoDBError) in try self.getItem(input) }
    }

    public func updateItem(_ input: UpdateItemInput) async throws(DynamoDBError) -> WriteItemOutput {
        try await offload { () throws(DynamoDBError) in try self.updateItem(input) }
    }

    public func deleteItem(_ input: DeleteItemInput) async throws(DynamoDBError) -> WriteItemOutput {
        try await offload { () throws(DynamoDBError) in try self.deleteItem(input) }
    }

    // MARK: Query and scan

    public func query(_ input: QueryInput) async throws(DynamoDBError) -> QueryOutput {
        try await offload { () throws(DynamoDBError) in try self.query(input) }
    }

    public func scan(_ input: ScanInput) async throws(DynamoDBError) -> ScanOutput {
        try await offload { () throws(DynamoDBError) in try self.scan(input) }
    }

    // MARK: Batches and transactions

    public func batchGetItem(_ input: BatchGetItemInput) async throws(DynamoDBError) -> BatchGetItemOutput {
        try await offload { () throws(DynamoDBError) in try self.batchGetItem(input) }
    }

    public func batchWriteItem(_ input: BatchWriteItemInput) async throws(DynamoDBError) -> BatchWriteItemOutput {
        try await offload { () throws(DynamoDBError) in try self.batchWriteItem(input) }
    }

    public func transactWriteItems(_ input: TransactWriteItemsInput) async throws(DynamoDBError) -> TransactWriteItemsOutput {
        try await offload { () throws(DynamoDBError) in try self.transactWriteItems(input) }
    }

    public func transactGetItems(_ input: TransactGetItemsInput) async throws(DynamoDBError) -> TransactGetItemsOutput {
        try await offload { () throws(DynamoDBError) in try self.transactGetItems(input) }
    }
}
