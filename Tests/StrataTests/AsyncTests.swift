import Dispatch
import Foundation
import Testing
@testable import Strata

@Suite struct AsyncTests {
    @Test func tableOperations() async throws {
        let db = try makeDatabase()
        let created = try await db.createTable(CreateTableInput(
            tableName: "more", attributeDefinitions: [AttributeDefinition(attributeName: "id", attributeType: .s)],
            keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)]))
        #expect(created.tableDescription.tableName == "more")
        #expect(try await db.describeTable(TableNameInput(tableName: "more")).table.tableStatus == .active)
        #expect(try await db.listTables().tableNames == ["items", "more"])
        #expect(try await db.listTables(ListTablesInput(limit: 1)).lastEvaluatedTableName == "items")
        _ = try await db.deleteTable(TableNameInput(tableName: "more"))
        do {
            _ = try await db.describeTable(TableNameInput(tableName: "more"))
            Issue.record("expected ResourceNotFoundException")
        } catch {
            // Typed throws: `error` is a DynamoDBError here.
            #expect(error.code == .resourceNotFound)
        }
    }

    @Test func itemOperations() async throws {
        let db = try makeDatabase()
        _ = try await db.putItem(PutItemInput(tableName: "items", item: ["pk": "a", "n": 1]))
        let updated = try await db.updateItem(UpdateItemInput(tableName: "items", key: ["pk": "a"], updateExpression: "ADD n :one",
                                                              expressionAttributeValues: [":one": 1], returnValues: .allNew))
        #expect(updated.attributes == ["pk": "a", "n": 2])
        #expect(try await db.getItem(GetItemInput(tableName: "items", key: ["pk": "a"])).item == ["pk": "a", "n": 2])
        let deleted = try await db.deleteItem(DeleteItemInput(tableName: "items", key: ["pk": "a"], returnValues: .allOld))
        #expect(deleted.attributes == ["pk": "a", "n": 2])
        #expect(try await db.getItem(GetItemInput(tableName: "items", key: ["pk": "a"])).item == nil)
        do {
            _ = try await db.putItem(PutItemInput(tableName: "items", item: ["pk": "a"], conditionExpression: "attribute_exists(pk)"))
            Issue.record("expected ConditionalCheckFailedException")
        } catch {
            #expect(error.code == .conditionalCheckFailed)
        }
    }

    @Test func queryAndScan() async throws {
        let db = try makeDatabase(sorted: true)
        for i in 0..<5 { _ = try await db.putItem(PutItemInput(tableName: "items", item: ["pk": "p", "sk": .n(Number(i))])) }
        let q = try await db.query(QueryInput(tableName: "items", keyConditionExpression: "pk = :p AND sk >= :s",
                                              expressionAttributeValues: [":p": "p", ":s": 3]))
        #expect(q.count == 2)
        #expect(try await db.scan(ScanInput(tableName: "items")).count == 5)
    }

    @Test func batchesAndTransactions() async throws {
        let db = try makeDatabase()
        let written = try await db.batchWriteItem(BatchWriteItemInput(requestItems: ["items": [.put(["pk": "a"]), .put(["pk": "b"])]]))
        #expect(written.unprocessedItems.isEmpty)
        let got = try await db.batchGetItem(BatchGetItemInput(requestItems: ["items": KeysAndAttributes(keys: [["pk": "a"], ["pk": "b"]])]))
        #expect(got.responses["items"]?.count == 2)
        _ = try await db.transactWriteItems(TransactWriteItemsInput(transactItems: [
            .update(TransactUpdate(tableName: "items", key: ["pk": "a"], updateExpression: "SET v = :v", expressionAttributeValues: [":v": 1])),
            .delete(TransactDelete(tableName: "items", key: ["pk": "b"])),
        ]))
        let read = try await db.transactGetItems(TransactGetItemsInput(transactItems: [
            .get(TransactGet(tableName: "items", key: ["pk": "a"])), .get(TransactGet(tableName: "items", key: ["pk": "b"])),
        ]))
        #expect(read.responses.map(\.item) == [["pk": "a", "v": 1], nil])
    }

    @Test func synchronousCallsInsideAnAsyncFunctionStillResolve() async throws {
        let db = try makeDatabase()
        // A synchronous closure picks the synchronous overload, no await needed.
        let put = { () throws(DynamoDBError) -> WriteItemOutput in try db.putItem(PutItemInput(tableName: "items", item: ["pk": "s"])) }
        _ = try put()
        #expect(try await db.getItem(GetItemInput(tableName: "items", key: ["pk": "s"])).item == ["pk": "s"])
    }

    @Test func concurrentCountersAreExact() async throws {
        let db = try makeDatabase()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<100 {
                        _ = try await db.updateItem(UpdateItemInput(tableName: "items", key: ["pk": "c"], updateExpression: "ADD n :one",
                                                                    expressionAttributeValues: [":one": 1]))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await db.getItem(GetItemInput(tableName: "items", key: ["pk": "c"])).item?["n"] == num("800"))
    }

    /// Blocked synchronous work occupies Dispatch threads, not the cooperative pool: with more
    /// blocked operations than the pool has threads, another async operation still completes.
    /// (Were the work run on the pool, this test would hang.)
    @Test(.timeLimit(.minutes(1)))
    func blockedWorkDoesNotStarveTheCooperativePool() async throws {
        let db = try makeDatabase()
        let blocked = ProcessInfo.processInfo.activeProcessorCount * 4
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<blocked {
                group.addTask {
                    try await db.offload { () throws(DynamoDBError) in
                        started.signal()
                        release.wait()
                    }
                }
            }
            try await db.offload { () throws(DynamoDBError) in for _ in 0..<blocked { started.wait() } }
            _ = try await db.putItem(PutItemInput(tableName: "items", item: ["pk": "free"]))
            #expect(try await db.getItem(GetItemInput(tableName: "items", key: ["pk": "free"])).item != nil)
            for _ in 0..<blocked { release.signal() }
            try await group.waitForAll()
        }
    }

    @Test func tableHandleInAnAsyncContext() async throws {
        let db = try makeDatabase()
        let users = try db.createTable(named: "users", partitionKey: ("id", .s))
        struct User: Codable, Equatable { var id: String; var age: Int }
        try users.put(User(id: "u1", age: 3))
        #expect(try users.get(["id": "u1"], as: User.self) == User(id: "u1", age: 3))
    }
}
