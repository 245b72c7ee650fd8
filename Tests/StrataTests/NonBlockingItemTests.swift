import Foundation
import Synchronization
import Testing
@testable import Strata

/// `tryGetItem`, `tryPutItem`, `tryUpdateItem`, `tryDeleteItem`: the blocking operation's
/// answer, or nil having changed nothing.
@Suite struct NonBlockingItemTests {
    func openOnDisk(_ dir: String) throws -> Database {
        var o = DatabaseOptions()
        // Small memtables and cache: refusals (memtable full, blocks not cached) happen often.
        o.storage.memtableBytes = 16 << 10
        o.storage.targetSegmentBytes = 8 << 10
        o.storage.level1Bytes = 32 << 10
        o.storage.blockBytes = 512
        o.storage.blockCacheBytes = 8 << 10
        let db = try Database.open(at: dir, options: o)
        if (try? db.describeTable(TableNameInput(tableName: "items"))) == nil {
            _ = try db.createTable(CreateTableInput(tableName: "items", attributeDefinitions: [AttributeDefinition(attributeName: "pk", attributeType: .s)],
                                                    keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash)]))
        }
        return db
    }

    func tempDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("strata-nonblocking-\(UInt64.random(in: 0...UInt64.max))").path
    }

    /// Every operation tried first; when refused, the item is as it was and the blocking call
    /// does it. The answers match a model, and the counters stay exact.
    @Test func triedOperationsMatchTheModel() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try openOnDisk(dir)
        var model: [String: Item] = [:]
        var g = SeededGenerator(seed: 0x0B10_C4ED)
        var answered = 0, refused = 0
        for step in 0..<3_000 {
            let id = "k\(Int.random(in: 0..<300, using: &g))"
            let key: Item = ["pk": .s(id)]
            let before = model[id]
            switch Int.random(in: 0..<4, using: &g) {
            case 0:
                var item: Item = key
                item["n"] = .n(Number(step))
                item["blob"] = .b([UInt8](repeating: 9, count: Int.random(in: 0...200, using: &g)))
                let input = PutItemInput(tableName: "items", item: item, returnValues: .allOld)
                if let out = try db.tryPutItem(input) {
                    answered += 1
                    #expect(out.attributes == before)
                } else {
                    refused += 1
                    #expect(try db.getItem(GetItemInput(tableName: "items", key: key)).item == before)
                    #expect(try db.putItem(input).attributes == before)
                }
                model[id] = item
            case 1:
                let input = GetItemInput(tableName: "items", key: key)
                if let out = try db.tryGetItem(input) {
                    answered += 1
                    #expect(out.item == before)
                } else {
                    refused += 1
                    #expect(try db.getItem(input).item == before)
                }
            case 2:
                let input = UpdateItemInput(tableName: "items", key: key, updateExpression: "ADD c :one",
                                            expressionAttributeValues: [":one": .n(Number(1))], returnValues: .allNew)
                var expected = before ?? key
                let count = if case .n(let c)? = expected["c"] { c } else { Number(0) }
                expected["c"] = .n(try count + Number(1))
                let out: WriteItemOutput
                if let tried = try db.tryUpdateItem(input) {
                    answered += 1
                    out = tried
                } else {
                    refused += 1
                    #expect(try db.getItem(GetItemInput(tableName: "items", key: key)).item == before)
                    out = try db.updateItem(input)
                }
                #expect(out.attributes == expected)
                model[id] = expected
            default:
                let input = DeleteItemInput(tableName: "items", key: key, returnValues: .allOld)
                if let out = try db.tryDeleteItem(input) {
                    answered += 1
                    #expect(out.attributes == before)
                } else {
                    refused += 1
                    #expect(try db.getItem(GetItemInput(tableName: "items", key: key)).item == before)
                    #expect(try db.deleteItem(input).attributes == before)
                }
                model[id] = nil
            }
        }
        #expect(answered > 1_000, "most operations need nothing but memory")
        #expect(refused > 10, "full memtables and uncached blocks refuse some")
        let d = try db.describeTable(TableNameInput(tableName: "items")).table
        #expect(d.itemCount == Int64(model.count))
        #expect(d.tableSizeBytes == Int64(model.values.reduce(0) { $0 + $1.itemSize }))
        let stored = try db.scan(ScanInput(tableName: "items")).items ?? []
        #expect(stored.count == model.count)
        for item in stored {
            guard case .s(let id)? = item["pk"] else {
                Issue.record("an item without a string key")
                continue
            }
            #expect(model[id] == item)
        }
        try db.close()
    }

    /// Errors are the blocking operation's: a failed condition, a missing table, a bad key.
    @Test func errorsAsTheBlockingOperations() throws {
        let db = try makeDatabase()
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "a", "x": 1]))
        var conditional = PutItemInput(tableName: "items", item: ["pk": "a", "x": 2], conditionExpression: "attribute_not_exists(pk)")
        conditional.returnValuesOnConditionCheckFailure = .allOld
        let failed = #expect(throws: DynamoDBError.self) { try db.tryPutItem(conditional) }
        #expect(failed?.code == .conditionalCheckFailed)
        #expect(failed?.item == ["pk": "a", "x": 1])
        let missing = #expect(throws: DynamoDBError.self) { try db.tryGetItem(GetItemInput(tableName: "nope", key: ["pk": "a"])) }
        #expect(missing?.code == .resourceNotFound)
        let badKey = #expect(throws: DynamoDBError.self) { try db.tryDeleteItem(DeleteItemInput(tableName: "items", key: ["pk": 1])) }
        #expect(badKey?.code == .validation)
        #expect(try db.getItem(GetItemInput(tableName: "items", key: ["pk": "a"])).item == ["pk": "a", "x": 1])
        try db.close()
    }

    /// An item whose lock another thread holds (it may be waiting for the disk) is refused at
    /// once, unchanged; a table change in progress (held across its synced write) does not
    /// hold up item operations.
    @Test func heldLocks() throws {
        let db = try makeDatabase()
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "a", "x": 1]))
        let key = try db.table("items").engineKey(fromKey: ["pk": "a"])
        let stripe = db.locks.stripes[db.locks.stripe(for: key)]
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            stripe.mutex.withLock { _ in
                holding.signal()
                release.wait()
            }
        }
        holding.wait()
        let put = try db.tryPutItem(PutItemInput(tableName: "items", item: ["pk": "a", "x": 2]))
        let update = try db.tryUpdateItem(UpdateItemInput(tableName: "items", key: ["pk": "a"], updateExpression: "SET x = :v",
                                                          expressionAttributeValues: [":v": 3]))
        let delete = try db.tryDeleteItem(DeleteItemInput(tableName: "items", key: ["pk": "a"]))
        let get = try db.tryGetItem(GetItemInput(tableName: "items", key: ["pk": "a"]))
        release.signal()
        #expect(put == nil && update == nil && delete == nil)
        #expect(get?.item == ["pk": "a", "x": 1], "reads take no item lock")
        #expect(try db.getItem(GetItemInput(tableName: "items", key: ["pk": "a"])).item == ["pk": "a", "x": 1])

        let changing = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            db.catalog.changes.withLock { _ in
                changing.signal()
                done.wait()
            }
        }
        changing.wait()
        let during = try db.tryPutItem(PutItemInput(tableName: "items", item: ["pk": "b"]))
        done.signal()
        #expect(during != nil)
        try db.close()
    }
}
