// The single-item operations tried without waiting, for a caller on a thread that must never
// block (strata-server's event loops): each answers from memory and writes into memory, or gives
// up having changed nothing.

extension DynamoDBError {
    /// Thrown inside the database when a non-blocking operation would have had to wait; the
    /// `try` operations turn it into nil, so it never reaches a caller.
    static let wouldWait = DynamoDBError(Code("StrataWouldWait"), "the operation would have had to wait")
}

extension Database {
    /// GetItem, answered only if that needs no waiting: the item is in a memtable or in a block
    /// of the block cache (or provably absent by the filters), and the engine's lock is free.
    /// Nil when it is not: nothing was done; call `getItem` from a thread that may block.
    /// Errors are thrown exactly as `getItem` throws them.
    public func tryGetItem(_ input: GetItemInput) throws(DynamoDBError) -> GetItemOutput? {
        try attempt { () throws(DynamoDBError) in try getItem(input, nonBlocking: true) }
    }

    /// PutItem, done only if that needs no waiting: the item's lock and the engine's are free,
    /// the old item (its size, or the item itself for a condition or ALL_OLD) is in memory, and
    /// the engine takes the write at once (no other write in progress, room in the memtable and
    /// the log's mapped space, no slowdown, no sync). Nil when it is not: nothing was changed;
    /// call `putItem` from a thread that may block.
    public func tryPutItem(_ input: PutItemInput) throws(DynamoDBError) -> WriteItemOutput? {
        try attempt { () throws(DynamoDBError) in try putItem(input, nonBlocking: true) }
    }

    /// DeleteItem under the conditions of `tryPutItem`.
    public func tryDeleteItem(_ input: DeleteItemInput) throws(DynamoDBError) -> WriteItemOutput? {
        try attempt { () throws(DynamoDBError) in try deleteItem(input, nonBlocking: true) }
    }

    /// UpdateItem under the conditions of `tryPutItem`.
    public func tryUpdateItem(_ input: UpdateItemInput) throws(DynamoDBError) -> WriteItemOutput? {
        try attempt { () throws(DynamoDBError) in try updateItem(input, nonBlocking: true) }
    }

    private func attempt<T>(_ body: () throws(DynamoDBError) -> T) throws(DynamoDBError) -> T? {
        do {
            return try body()
        } catch where error.code == DynamoDBError.wouldWait.code {
            return nil
        }
    }
}
