import Foundation
import Testing
@testable import Strata

/// Creates a second table `other` (partition key `id` S) next to makeDatabase's `items`.
func addOtherTable(_ db: Database) throws {
    _ = try db.createTable(CreateTableInput(tableName: "other", attributeDefinitions: [AttributeDefinition(attributeName: "id", attributeType: .s)],
                                            keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)]))
}

let batchKeys101: [Item] = (0...100).map { ["pk": .s("k\($0)")] }

func itemCount(_ db: Database, _ table: String) throws -> Int64 {
    try db.describeTable(TableNameInput(tableName: table)).table.itemCount
}

@Suite struct BatchGetItemTests {
    @Test func readsFromSeveralTablesWithProjectionAndMissingKeys() throws {
        let db = try makeDatabase()
        try addOtherTable(db)
        for i in 0..<5 { _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": .s("k\(i)"), "n": .n(try Number("\(i)")), "x": "big"])) }
        _ = try db.putItem(PutItemInput(tableName: "other", item: ["id": "a", "v": true]))
        let out = try db.batchGetItem(BatchGetItemInput(requestItems: [
            "items": KeysAndAttributes(keys: [["pk": "k1"], ["pk": "k3"], ["pk": "missing"]], projectionExpression: "#n",
                                       expressionAttributeNames: ["#n": "n"]),
            "other": KeysAndAttributes(keys: [["id": "a"], ["id": "b"]], consistentRead: true),
        ], returnConsumedCapacity: .total))
        #expect(Set(out.responses["items"] ?? []) == [["n": 1], ["n": 3]])
        #expect(out.responses["other"] == [["id": "a", "v": true]])
        #expect(out.unprocessedKeys.isEmpty)
        // Three eventually consistent reads at 0.5, two strongly consistent at 1.
        let capacity = try #require(out.consumedCapacity)
        #expect(capacity.count == 2)
        #expect(capacity.first { $0.tableName == "items" }?.capacityUnits == 1.5)
        #expect(capacity.first { $0.tableName == "other" }?.capacityUnits == 2)
    }

    @Test func aTableWithNoMatchAnswersAnEmptyList() throws {
        let db = try makeDatabase()
        let out = try db.batchGetItem(BatchGetItemInput(requestItems: ["items": KeysAndAttributes(keys: [["pk": "nope"]])]))
        #expect(out.responses == ["items": []])
        #expect(out.consumedCapacity == nil)
    }

    @Test func legacyAttributesToGet() throws {
        let db = try makeDatabase(sorted: true)
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "a", "sk": 1, "x": 1, "y": 2]))
        let out = try db.batchGetItem(BatchGetItemInput(requestItems: [
            "items": KeysAndAttributes(keys: [["pk": "a", "sk": 1]], attributesToGet: ["y", "sk"]),
        ]))
        #expect(out.responses["items"] == [["y": 2, "sk": 1]])
    }

    @Test(arguments: [
        ([:], "The requestItems parameter is required for BatchGetItem"),
        (["items": KeysAndAttributes(keys: [])],
         "1 validation error detected: Value at 'RequestItems.items.member.Keys' failed to satisfy constraint: Member must have length greater than or equal to 1"),
        (["items": KeysAndAttributes(keys: batchKeys101)],
         "1 validation error detected: Value at 'RequestItems.items.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100"),
        (["items": KeysAndAttributes(keys: Array(batchKeys101[0..<60])), "other": KeysAndAttributes(keys: (0..<41).map { ["id": .s("i\($0)")] })],
         "Too many items requested for the BatchGetItem call"),
        (["items": KeysAndAttributes(keys: [["pk": "a"], ["pk": "b"], ["pk": "a"]])], "Provided list of item keys contains duplicates"),
        (["items": KeysAndAttributes(keys: [["pk": "a"]], projectionExpression: "pk", attributesToGet: ["pk"])],
         "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"),
        (["items": KeysAndAttributes(keys: [["pk": "a"]], projectionExpression: "pk"), "other": KeysAndAttributes(keys: [["id": "a"]], attributesToGet: ["id"])],
         "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"),
        (["items": KeysAndAttributes(keys: [["pk": 5]])], "The provided key element does not match the schema"),
        (["items": KeysAndAttributes(keys: [["pk": "a", "x": 1]])], "The provided key element does not match the schema"),
        (["items": KeysAndAttributes(keys: [[:]])], "The provided key element does not match the schema"),
        (["items": KeysAndAttributes(keys: [["pk": ""]])],
         "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
        (["items": KeysAndAttributes(keys: [["pk": "a"]], expressionAttributeNames: ["#a": "x"])],
         "ExpressionAttributeNames can only be specified when using expressions"),
        (["items": KeysAndAttributes(keys: [["pk": "a"]], projectionExpression: "pk", expressionAttributeNames: ["#a": "x"])],
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}"),
    ] as [([String: KeysAndAttributes], String)])
    func validation(_ request: [String: KeysAndAttributes], _ message: String) throws {
        let db = try makeDatabase()
        try addOtherTable(db)
        let e = #expect(throws: DynamoDBError.self) { try db.batchGetItem(BatchGetItemInput(requestItems: request)) }
        #expect(e?.code == .validation)
        #expect(e?.message == message)
    }

    @Test func missingTable() throws {
        let db = try makeDatabase()
        let e = #expect(throws: DynamoDBError.self) {
            try db.batchGetItem(BatchGetItemInput(requestItems: ["items": KeysAndAttributes(keys: [["pk": "a"]]),
                                                                 "nope": KeysAndAttributes(keys: [["pk": "a"]])]))
        }
        #expect(e?.code == .resourceNotFound)
        #expect(e?.message == "Requested resource not found")
    }

    /// The API Reference's example: asking for 100 items of 300 KB returns 52 of them (so as not
    /// to exceed the 16 MB limit) and the other 48 in UnprocessedKeys, ready to send again.
    @Test func sixteenMegabyteLimitLeavesUnprocessedKeys() throws {
        let db = try makeDatabase()
        let filler = String(repeating: "x", count: 300 * 1024 - 9)   // "pk" + "k00" + "data": 300 KB
        for i in 0..<100 {
            let item: Item = ["pk": .s(String(format: "k%02d", i)), "data": .s(filler)]
            #expect(item.itemSize == 300 * 1024)
            _ = try db.putItem(PutItemInput(tableName: "items", item: item))
        }
        let keys: [Item] = (0..<100).map { ["pk": .s(String(format: "k%02d", $0))] }
        let request = KeysAndAttributes(keys: keys, projectionExpression: "pk", consistentRead: true)
        let first = try db.batchGetItem(BatchGetItemInput(requestItems: ["items": request], returnConsumedCapacity: .total))
        #expect(first.responses["items"]?.count == 52)
        let rest = try #require(first.unprocessedKeys["items"])
        #expect(rest.keys.count == 48)
        #expect(rest.projectionExpression == "pk")
        #expect(rest.consistentRead == true)
        // Capacity is charged for what was read: 52 items of 75 read units each.
        #expect(first.consumedCapacity?.first?.capacityUnits == Double(52 * 75))
        let second = try db.batchGetItem(BatchGetItemInput(requestItems: first.unprocessedKeys))
        #expect(second.unprocessedKeys.isEmpty)
        let all = (first.responses["items"]! + second.responses["items"]!).map { $0["pk"]! }
        #expect(Set(all) == Set(keys.map { $0["pk"]! }))
        #expect(all.count == 100)
    }

    @Test func codableUsesAWSNames() throws {
        let input = BatchGetItemInput(requestItems: ["t1": KeysAndAttributes(keys: [["pk": "a"]], projectionExpression: "pk", consistentRead: true)],
                                      returnConsumedCapacity: .total)
        let json = String(decoding: try JSONEncoder().encode(input), as: UTF8.self)
        for name in ["RequestItems", "Keys", "ProjectionExpression", "ConsistentRead", "ReturnConsumedCapacity"] {
            #expect(json.contains("\"\(name)\""))
        }
        let back = try JSONDecoder().decode(BatchGetItemInput.self, from: Data(json.utf8))
        #expect(back.requestItems == input.requestItems)
    }
}

@Suite struct BatchWriteItemTests {
    @Test func putsAndDeletesAcrossTables() throws {
        let db = try makeDatabase()
        try addOtherTable(db)
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "old", "n": 1]))
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "replaced", "n": 1]))
        let out = try db.batchWriteItem(BatchWriteItemInput(requestItems: [
            "items": [.put(["pk": "a", "n": 1]), .put(["pk": "replaced", "n": 2]), .delete(key: ["pk": "old"]), .delete(key: ["pk": "never"])],
            "other": [.put(["id": "x", "s": "y"])],
        ], returnConsumedCapacity: .total))
        #expect(out.unprocessedItems.isEmpty)
        #expect(out.consumedCapacity == [ConsumedCapacity(tableName: "items", capacityUnits: 4, writeCapacityUnits: 4),
                                         ConsumedCapacity(tableName: "other", capacityUnits: 1, writeCapacityUnits: 1)])
        #expect(try db.getItem(GetItemInput(tableName: "items", key: ["pk": "a"])).item == ["pk": "a", "n": 1])
        #expect(try db.getItem(GetItemInput(tableName: "items", key: ["pk": "replaced"])).item == ["pk": "replaced", "n": 2])
        #expect(try db.getItem(GetItemInput(tableName: "items", key: ["pk": "old"])).item == nil)
        #expect(try db.getItem(GetItemInput(tableName: "other", key: ["id": "x"])).item == ["id": "x", "s": "y"])
        #expect(try itemCount(db, "items") == 2)
        #expect(try itemCount(db, "other") == 1)
    }

    @Test func twentyFiveRequestsAreAllowed() throws {
        let db = try makeDatabase()
        let out = try db.batchWriteItem(BatchWriteItemInput(requestItems: ["items": (0..<25).map { .put(["pk": .s("k\($0)")]) }]))
        #expect(out.unprocessedItems.isEmpty)
        #expect(try itemCount(db, "items") == 25)
    }

    @Test func moreThanTwentyFiveInOneTableEchoesTheRequest() throws {
        let db = try makeDatabase()
        let e = #expect(throws: DynamoDBError.self) {
            try db.batchWriteItem(BatchWriteItemInput(requestItems: ["items": (0..<26).map { .put(["pk": .s("k\($0)")]) }]))
        }
        let message = try #require(e?.message)
        #expect(message.hasPrefix("1 validation error detected: Value '{items=[com.amazonaws.dynamodb.v20120810.WriteRequest@"))
        #expect(message.hasSuffix("]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"))
        #expect(message.components(separatedBy: "WriteRequest@").count == 27)
    }

    @Test(arguments: [
        ([:], "The requestItems parameter is required for BatchWriteItem"),
        (["items": (0..<13).map { WriteRequest.put(["pk": .s("k\($0)")]) }, "other": (0..<13).map { WriteRequest.put(["id": .s("k\($0)")]) }],
         "Too many items requested for the BatchWriteItem call"),
        (["items": [.put(["pk": "d"]), .delete(key: ["pk": "d"])]], "Provided list of item keys contains duplicates"),
        (["items": [.put(["pk": "d", "v": 1]), .put(["pk": "d", "v": 2])]], "Provided list of item keys contains duplicates"),
        (["items": [WriteRequest()]], "Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest"),
        (["items": [WriteRequest(putRequest: PutRequest(item: ["pk": "a"]), deleteRequest: DeleteRequest(key: ["pk": "b"]))]],
         "Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest"),
        (["items": [.put(["pk": 5])]], "The provided key element does not match the schema"),
        (["items": [.put(["pk": .l(["x"])])]], "The provided key element does not match the schema"),
        (["items": [.put(["x": 1])]], "The provided key element does not match the schema"),
        (["items": [.delete(key: ["pk": "a", "x": 1])]], "The provided key element does not match the schema"),
        (["items": [.put(["pk": ""])]],
         "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
        (["items": [.delete(key: ["pk": ""])]],
         "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
        (["items": [.put(["pk": "big", "data": .s(String(repeating: "x", count: 400 * 1024))])]], "Item size has exceeded the maximum allowed size"),
    ] as [([String: [WriteRequest]], String)])
    func validation(_ request: [String: [WriteRequest]], _ message: String) throws {
        let db = try makeDatabase()
        try addOtherTable(db)
        let e = #expect(throws: DynamoDBError.self) { try db.batchWriteItem(BatchWriteItemInput(requestItems: request)) }
        #expect(e?.code == .validation)
        #expect(e?.message == message)
        #expect(try itemCount(db, "items") == 0)
        #expect(try itemCount(db, "other") == 0)
    }

    @Test func anInvalidRequestWritesNothing() throws {
        let db = try makeDatabase()
        try addOtherTable(db)
        let e = #expect(throws: DynamoDBError.self) {
            try db.batchWriteItem(BatchWriteItemInput(requestItems: ["items": [.put(["pk": "fine"])], "other": [.put(["id": 1])]]))
        }
        #expect(e?.message == "The provided key element does not match the schema")
        #expect(try db.getItem(GetItemInput(tableName: "items", key: ["pk": "fine"])).item == nil)
        let missing = #expect(throws: DynamoDBError.self) {
            try db.batchWriteItem(BatchWriteItemInput(requestItems: ["items": [.put(["pk": "fine"])], "nope": [.put(["id": "1"])]]))
        }
        #expect(missing?.code == .resourceNotFound)
        #expect(missing?.message == "Requested resource not found")
        #expect(try itemCount(db, "items") == 0)
    }

    /// The API Reference's BatchWriteItem and BatchGetItem examples, on the Forum and Thread tables.
    @Test func apiReferenceForumExample() throws {
        var o = DatabaseOptions()
        o.inMemory = true
        let db = try Database.open(at: "", options: o)
        _ = try db.createTable(CreateTableInput(tableName: "Forum", attributeDefinitions: [AttributeDefinition(attributeName: "Name", attributeType: .s)],
                                                keySchema: [KeySchemaElement(attributeName: "Name", keyType: .hash)]))
        _ = try db.createTable(CreateTableInput(tableName: "Thread",
                                                attributeDefinitions: [AttributeDefinition(attributeName: "ForumName", attributeType: .s),
                                                                       AttributeDefinition(attributeName: "Subject", attributeType: .s)],
                                                keySchema: [KeySchemaElement(attributeName: "ForumName", keyType: .hash),
                                                            KeySchemaElement(attributeName: "Subject", keyType: .range)]))
        let write = try db.batchWriteItem(BatchWriteItemInput(requestItems: [
            "Forum": [
                .put(["Name": "Amazon DynamoDB", "Category": "Amazon Web Services", "Threads": 2, "Messages": 4, "Views": 1000]),
                .put(["Name": "Amazon RDS", "Category": "Amazon Web Services", "Threads": 0, "Messages": 0, "Views": 0]),
                .put(["Name": "Amazon Redshift", "Category": "Amazon Web Services", "Threads": 1, "Messages": 1, "Views": 1]),
                .put(["Name": "Amazon ElastiCache", "Category": "Amazon Web Services"]),
            ],
            "Thread": [.put(["ForumName": "Amazon DynamoDB", "Subject": "Concurrent reads", "Tags": .ss(["Reads", "MultipleUsers"]),
                             "Message": "How many users can read a single data item at a time? Are there any limits?"])],
        ], returnConsumedCapacity: .total))
        #expect(write.unprocessedItems.isEmpty)
        _ = try db.batchWriteItem(BatchWriteItemInput(requestItems: ["Forum": [.delete(key: ["Name": "Amazon ElastiCache"])]]))
        let read = try db.batchGetItem(BatchGetItemInput(requestItems: [
            "Forum": KeysAndAttributes(keys: [["Name": "Amazon DynamoDB"], ["Name": "Amazon RDS"], ["Name": "Amazon Redshift"]],
                                       projectionExpression: "Threads, Messages, #v",
                                       expressionAttributeNames: ["#v": "Views"]),
            "Thread": KeysAndAttributes(keys: [["ForumName": "Amazon DynamoDB", "Subject": "Concurrent reads"]], projectionExpression: "Tags, Message"),
        ], returnConsumedCapacity: .total))
        #expect(Set(read.responses["Forum"] ?? []) == [["Threads": 2, "Messages": 4, "Views": 1000],
                                                       ["Threads": 0, "Messages": 0, "Views": 0],
                                                       ["Threads": 1, "Messages": 1, "Views": 1]])
        #expect(read.responses["Thread"] == [["Tags": .ss(["Reads", "MultipleUsers"]),
                                              "Message": "How many users can read a single data item at a time? Are there any limits?"]])
        #expect(read.unprocessedKeys.isEmpty)
        #expect(read.consumedCapacity?.map(\.tableName) == ["Forum", "Thread"])
        #expect(try itemCount(db, "Forum") == 3)
    }
}
