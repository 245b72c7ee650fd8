import Foundation
import Testing
@testable import Strata

/// Requests that repeat an earlier request's expressions take the parse from the cache; these
/// tests show a cached parse answers exactly as a fresh one would.
@Suite struct ExpressionCacheTests {
    func get(_ db: Database, _ pk: String, table: String = "items") throws -> Item? {
        try db.getItem(GetItemInput(tableName: table, key: ["pk": .s(pk)])).item
    }

    @Test func repeatedUpdateIsParsedOnceAndAppliesItsOwnValues() throws {
        let db = try makeDatabase()
        #expect(db.expressions.count == 0)
        var total = 0
        for step in 1...20 {
            // The same text and names every time; the value changes on odd steps only.
            let n = step % 2 == 0 ? 1 : step
            total += n
            _ = try db.updateItem(UpdateItemInput(tableName: "items", key: ["pk": "a"], updateExpression: "ADD #c :n",
                                                  expressionAttributeNames: ["#c": "c"], expressionAttributeValues: [":n": num(String(n))]))
            #expect(try get(db, "a")?["c"] == num(String(total)))
        }
        // One statement: a new value replaces the entry instead of adding one.
        #expect(db.expressions.count == 1)
        try db.close()
    }

    @Test func conditionOutcomeFollowsTheItemNotTheCache() throws {
        let db = try makeDatabase()
        let put = PutItemInput(tableName: "items", item: ["pk": "a", "v": 1], conditionExpression: "attribute_not_exists(pk)")
        _ = try db.putItem(put)
        let e = #expect(throws: DynamoDBError.self) { try db.putItem(put) }
        #expect(e?.code == .conditionalCheckFailed)
        // The same condition (now cached) lets a put of another key through,
        var other = put
        other.item = ["pk": "b", "v": 2]
        _ = try db.putItem(other)
        #expect(try get(db, "b")?["v"] == 2)
        // and fails a delete of the existing item, as parsed afresh it would.
        let d = #expect(throws: DynamoDBError.self) {
            try db.deleteItem(DeleteItemInput(tableName: "items", key: ["pk": "a"], conditionExpression: "attribute_not_exists(pk)"))
        }
        #expect(d?.code == .conditionalCheckFailed)
        #expect(db.expressions.count == 1)
        #expect(try get(db, "a") != nil)
        try db.close()
    }

    @Test func failedParsesAreNotKeptAndFailEveryTime() throws {
        let db = try makeDatabase()
        let input = UpdateItemInput(tableName: "items", key: ["pk": "a"], updateExpression: "SET x = :v",
                                    expressionAttributeValues: [":v": 1, ":unused": 2])
        for _ in 0..<3 {
            let e = #expect(throws: DynamoDBError.self) { try db.updateItem(input) }
            #expect(e?.message == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}")
        }
        #expect(db.expressions.count == 0)
        #expect(try get(db, "a") == nil)
        try db.close()
    }

    /// The key-attribute rule depends on the table, so a parse cached for one table is still
    /// checked against another table's key.
    @Test func keyAttributeRuleIsCheckedPerTable() throws {
        let db = try makeDatabase()
        _ = try db.createTable(CreateTableInput(tableName: "other", attributeDefinitions: [AttributeDefinition(attributeName: "x", attributeType: .s)],
                                                keySchema: [KeySchemaElement(attributeName: "x", keyType: .hash)]))
        let text = "SET x = :v"
        _ = try db.updateItem(UpdateItemInput(tableName: "items", key: ["pk": "a"], updateExpression: text, expressionAttributeValues: [":v": "1"]))
        #expect(try get(db, "a")?["x"] == "1")
        let e = #expect(throws: DynamoDBError.self) {
            try db.updateItem(UpdateItemInput(tableName: "other", key: ["x": "k"], updateExpression: text, expressionAttributeValues: [":v": "1"]))
        }
        #expect(e?.message == "One or more parameter values were invalid: Cannot update attribute x. This attribute is part of the key")
        try db.close()
    }

    @Test func legacyParametersBypassTheCache() throws {
        let db = try makeDatabase()
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "a", "v": 1]))
        var input = PutItemInput(tableName: "items", item: ["pk": "a", "v": 2])
        input.expected = ["v": ExpectedAttributeValue(value: 1)]
        _ = try db.putItem(input)
        #expect(db.expressions.count == 0)
        let e = #expect(throws: DynamoDBError.self) { try db.putItem(input) }
        #expect(e?.code == .conditionalCheckFailed)
        try db.close()
    }

    @Test func cacheStaysBounded() throws {
        let db = try makeDatabase()
        let n = ExpressionCache.capacity + 40
        for i in 0..<n {
            _ = try db.updateItem(UpdateItemInput(tableName: "items", key: ["pk": "a"], updateExpression: "SET a\(i) = :v",
                                                  expressionAttributeValues: [":v": num(String(i))]))
        }
        #expect(db.expressions.count <= ExpressionCache.capacity)
        #expect(db.expressions.count > 0)
        let item = try #require(try get(db, "a"))
        #expect(item.count == n + 1)
        #expect(item["a\(n - 1)"] == num(String(n - 1)))
        try db.close()
    }

    @Test func largeValuesAreNotKept() throws {
        let db = try makeDatabase()
        let big = AttributeValue.s(String(repeating: "x", count: ExpressionCache.maxValueBytes + 1))
        for _ in 0..<2 {
            _ = try db.updateItem(UpdateItemInput(tableName: "items", key: ["pk": "a"], updateExpression: "SET v = :v",
                                                  expressionAttributeValues: [":v": big]))
        }
        #expect(db.expressions.count == 0)
        #expect(try get(db, "a")?["v"] == big)
        try db.close()
    }
}
