import Foundation
import Synchronization
import Testing
@testable import Strata

@Suite struct TableOperationTests {
    @Test func createDescribeListDelete() throws {
        let db = try makeDatabase()
        let d = try db.describeTable(TableNameInput(tableName: "items")).table
        #expect(d.tableStatus == .active)
        #expect(d.keySchema == [KeySchemaElement(attributeName: "pk", keyType: .hash)])
        #expect(d.tableArn == "arn:aws:dynamodb:us-east-1:000000000000:table/items")
        #expect(d.itemCount == 0)
        let e = #expect(throws: DynamoDBError.self) {
            try db.createTable(CreateTableInput(tableName: "items", attributeDefinitions: [AttributeDefinition(attributeName: "pk", attributeType: .s)],
                                                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash)]))
        }
        #expect(e?.code == .resourceInUse)
        #expect(e?.message == "Table already exists: items")
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "a", "x": 1]))
        #expect(try db.describeTable(TableNameInput(tableName: "items")).table.itemCount == 1)
        #expect(try db.listTables().tableNames == ["items"])
        _ = try db.deleteTable(TableNameInput(tableName: "items"))
        let e2 = #expect(throws: DynamoDBError.self) { try db.describeTable(TableNameInput(tableName: "items")) }
        #expect(e2?.code == .resourceNotFound)
        #expect(e2?.message == "Requested resource not found: Table: items not found")
        try db.close()
    }

    /// ItemCount and TableSizeBytes stay exact whichever write path runs: plain puts and deletes
    /// read only the old item's size, conditional ones and ALL_OLD decode it.
    @Test func countersExactAcrossWritePaths() throws {
        let db = try makeDatabase()
        var model: [String: Item] = [:]
        var g = SeededGenerator(seed: 0x5EED_0031)
        for step in 0..<600 {
            let id = "k\(Int.random(in: 0..<40, using: &g))"
            var item: Item = [:]
            item["pk"] = AttributeValue.s(id)
            item["n"] = AttributeValue.n(Number(step))
            if Bool.random(using: &g) {
                let blob = [UInt8](repeating: 7, count: Int.random(in: 0...50, using: &g))
                item["blob"] = AttributeValue.b(blob)
            }
            if Bool.random(using: &g) {
                var m: Item = [:]
                let list: [AttributeValue] = [AttributeValue.s("x"), AttributeValue.n(Number(-step))]
                m["a"] = AttributeValue.l(list)
                let numbers: [Number] = [Number(1), Number(step + 2)]
                m["b"] = AttributeValue.ns(numbers)
                item["m"] = AttributeValue.m(m)
            }
            let before = model[id]
            switch Int.random(in: 0..<4, using: &g) {
            case 0:
                _ = try db.putItem(PutItemInput(tableName: "items", item: item))
                model[id] = item
            case 1:
                let out = try db.putItem(PutItemInput(tableName: "items", item: item, returnValues: .allOld))
                #expect(out.attributes == before)
                model[id] = item
            case 2:
                _ = try db.deleteItem(DeleteItemInput(tableName: "items", key: ["pk": .s(id)]))
                model[id] = nil
            default:
                let deleted = try conditionalDelete(db, id)
                #expect(deleted == (before != nil))
                model[id] = nil
            }
        }
        let d = try db.describeTable(TableNameInput(tableName: "items")).table
        #expect(d.itemCount == Int64(model.count))
        var expectedSize = 0
        for item in model.values { expectedSize += item.itemSize }
        #expect(d.tableSizeBytes == Int64(expectedSize))
        try db.close()
    }

    /// Threads racing plain puts and deletes over shared keys, on an engine small enough to flush
    /// and compact while they run: the counters match the table's final contents, so the
    /// engine's report of what each put replaced (from its own insertion, or read first when the
    /// write queue is busy) is exact under contention.
    @Test func countersExactUnderConcurrentPuts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strata-counters-\(UInt64.random(in: 0...UInt64.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = DatabaseOptions()
        o.storage.memtableBytes = 16 << 10
        o.storage.targetSegmentBytes = 8 << 10
        o.storage.level1Bytes = 32 << 10
        let db = try Database.open(at: dir, options: o)
        _ = try db.createTable(CreateTableInput(tableName: "items", attributeDefinitions: [AttributeDefinition(attributeName: "pk", attributeType: .s)],
                                                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash)]))
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            if (try? Self.racePutsAndDeletes(db, seed: UInt64(t) &+ 0xC0_0E75)) == nil { failures.add(1, ordering: .relaxed) }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        let items = try db.scan(ScanInput(tableName: "items")).items ?? []
        let d = try db.describeTable(TableNameInput(tableName: "items")).table
        #expect(d.itemCount == Int64(items.count))
        #expect(d.tableSizeBytes == Int64(items.reduce(0) { $0 + $1.itemSize }))
        try db.close()
    }

    static func racePutsAndDeletes(_ db: Database, seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        for step in 0..<1_500 {
            let id = "k\(Int.random(in: 0..<60, using: &g))"
            if Int.random(in: 0..<5, using: &g) == 0 {
                _ = try db.deleteItem(DeleteItemInput(tableName: "items", key: ["pk": .s(id)]))
                continue
            }
            var item: Item = [:]
            item["pk"] = AttributeValue.s(id)
            item["n"] = AttributeValue.n(Number(step))
            item["blob"] = AttributeValue.b([UInt8](repeating: 3, count: Int.random(in: 0...120, using: &g)))
            _ = try db.putItem(PutItemInput(tableName: "items", item: item))
        }
    }

    /// Deletes item `id` if it exists (a condition on it); whether it did.
    func conditionalDelete(_ db: Database, _ id: String) throws -> Bool {
        do {
            _ = try db.deleteItem(DeleteItemInput(tableName: "items", key: ["pk": .s(id)], conditionExpression: "attribute_exists(n)"))
            return true
        } catch let e as DynamoDBError where e.code == .conditionalCheckFailed {
            return false
        }
    }

    @Test(arguments: [("ab", "Member must have length greater than or equal to 3"),
                      ("bad name!", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")])
    func tableNameRules(_ name: String, _ fragment: String) throws {
        let db = try makeDatabase()
        let e = #expect(throws: DynamoDBError.self) {
            try db.createTable(CreateTableInput(tableName: name, attributeDefinitions: [AttributeDefinition(attributeName: "pk", attributeType: .s)],
                                                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash)]))
        }
        #expect(e?.code == .validation)
        #expect(e?.message.contains(fragment) == true)
    }

    @Test func catalogIsDurable() throws {
        let dir = FileManager.default.temporaryDirectory.path + "/strata-cat-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var db = try Database.open(at: dir)
        _ = try db.createTable(CreateTableInput(tableName: "users", attributeDefinitions: [AttributeDefinition(attributeName: "id", attributeType: .s)],
                                                keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)]))
        _ = try db.putItem(PutItemInput(tableName: "users", item: ["id": "u1", "name": "Ada"]))
        try db.close()
        db = try Database.open(at: dir)
        #expect(try db.getItem(GetItemInput(tableName: "users", key: ["id": "u1"])).item?["name"] == "Ada")
        _ = try db.createTable(CreateTableInput(tableName: "other", attributeDefinitions: [AttributeDefinition(attributeName: "id", attributeType: .s)],
                                                keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)]))
        #expect(try db.getItem(GetItemInput(tableName: "other", key: ["id": "u1"])).item == nil)
        try db.close()
    }
}

@Suite struct ItemOperationTests {
    @Test func putGetDeleteWithConditionsAndReturnValues() throws {
        let db = try makeDatabase()
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "a", "n": 1, "s": "x"]))
        let got = try db.getItem(GetItemInput(tableName: "items", key: ["pk": "a"])).item
        #expect(got == ["pk": "a", "n": 1, "s": "x"])
        // Put-if-absent fails on an existing item.
        let e = #expect(throws: DynamoDBError.self) {
            try db.putItem(PutItemInput(tableName: "items", item: ["pk": "a"], conditionExpression: "attribute_not_exists(pk)"))
        }
        #expect(e?.code == .conditionalCheckFailed)
        #expect(e?.message == "The conditional request failed")
        var input = PutItemInput(tableName: "items", item: ["pk": "a", "n": 2], returnValues: .allOld)
        input.conditionExpression = "n = :one"
        input.expressionAttributeValues = [":one": 1]
        let out = try db.putItem(input)
        #expect(out.attributes == ["pk": "a", "n": 1, "s": "x"])
        // Projection.
        let p = try db.getItem(GetItemInput(tableName: "items", key: ["pk": "a"], projectionExpression: "n")).item
        #expect(p == ["n": 2])
        // Delete with ALL_OLD.
        let d = try db.deleteItem(DeleteItemInput(tableName: "items", key: ["pk": "a"], returnValues: .allOld))
        #expect(d.attributes == ["pk": "a", "n": 2])
        #expect(try db.getItem(GetItemInput(tableName: "items", key: ["pk": "a"])).item == nil)
    }

    @Test func keyValidation() throws {
        let db = try makeDatabase()
        let missing = #expect(throws: DynamoDBError.self) { try db.putItem(PutItemInput(tableName: "items", item: ["x": 1])) }
        #expect(missing?.message == "One or more parameter values were invalid: Missing the key pk in the item")
        let type = #expect(throws: DynamoDBError.self) { try db.putItem(PutItemInput(tableName: "items", item: ["pk": 1])) }
        #expect(type?.message == "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")
        let extra = #expect(throws: DynamoDBError.self) { try db.getItem(GetItemInput(tableName: "items", key: ["pk": "a", "x": 1])) }
        #expect(extra?.message == "The provided key element does not match the schema")
        let mistyped = #expect(throws: DynamoDBError.self) { try db.deleteItem(DeleteItemInput(tableName: "items", key: ["pk": 1])) }
        #expect(mistyped?.message == "The provided key element does not match the schema")
        let table = #expect(throws: DynamoDBError.self) { try db.getItem(GetItemInput(tableName: "nope", key: ["pk": "a"])) }
        #expect(table?.code == .resourceNotFound)
    }

    @Test func updateItemReturnValuesAndKeyProtection() throws {
        let db = try makeDatabase()
        var u = UpdateItemInput(tableName: "items", key: ["pk": "a"], updateExpression: "SET n = :v, m = :w",
                                expressionAttributeValues: [":v": 5, ":w": "hello"], returnValues: .allNew)
        #expect(try db.updateItem(u).attributes == ["pk": "a", "n": 5, "m": "hello"])
        u = UpdateItemInput(tableName: "items", key: ["pk": "a"], updateExpression: "ADD n :one",
                            expressionAttributeValues: [":one": 1], returnValues: .updatedOld)
        #expect(try db.updateItem(u).attributes == ["n": 5])
        u.returnValues = .updatedNew
        #expect(try db.updateItem(u).attributes == ["n": 7])
        let e = #expect(throws: DynamoDBError.self) {
            try db.updateItem(UpdateItemInput(tableName: "items", key: ["pk": "a"], updateExpression: "SET pk = :v", expressionAttributeValues: [":v": "b"]))
        }
        #expect(e?.message == "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")
        let failed = #expect(throws: DynamoDBError.self) {
            var c = UpdateItemInput(tableName: "items", key: ["pk": "a"], updateExpression: "SET n = :v", conditionExpression: "n > :big",
                                    expressionAttributeValues: [":v": 1, ":big": 100])
            c.returnValuesOnConditionCheckFailure = .allOld
            return try db.updateItem(c)
        }
        #expect(failed?.code == .conditionalCheckFailed)
        #expect(failed?.item?["n"] == 7)
    }

    @Test func concurrentAddsAreSerializable() throws {
        let db = try makeDatabase()
        let threads = 8, perThread = 10_000
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                for _ in 0..<perThread {
                    _ = try! db.updateItem(UpdateItemInput(tableName: "items", key: ["pk": "counter"], updateExpression: "ADD c :one",
                                                           expressionAttributeValues: [":one": 1]))
                }
                group.leave()
            }
        }
        group.wait()
        #expect(try db.getItem(GetItemInput(tableName: "items", key: ["pk": "counter"])).item?["c"] == num(String(threads * perThread)))
    }

    @Test func racingPutIfAbsentHasExactlyOneWinner() throws {
        let db = try makeDatabase()
        for round in 0..<20 {
            let wins = Atomic<Int>(0)
            let group = DispatchGroup()
            for t in 0..<8 {
                group.enter()
                Thread.detachNewThread {
                    do {
                        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": .s("k\(round)"), "owner": .s("\(t)")],
                                                        conditionExpression: "attribute_not_exists(pk)"))
                        wins.add(1, ordering: .relaxed)
                    } catch {}
                    group.leave()
                }
            }
            group.wait()
            #expect(wins.load(ordering: .relaxed) == 1)
        }
    }
}
