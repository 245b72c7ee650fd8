import Foundation
import Synchronization
import Testing
@testable import Strata

private func txPut(_ item: Item, _ condition: String? = nil, values: [String: AttributeValue]? = nil,
                 onFailure: ReturnValuesOnConditionCheckFailure? = nil) -> TransactWriteItem {
    .put(TransactPut(tableName: "items", item: item, conditionExpression: condition, expressionAttributeValues: values,
                     returnValuesOnConditionCheckFailure: onFailure))
}

private func txUpdate(_ key: Item, _ expression: String, _ condition: String? = nil, values: [String: AttributeValue]? = nil) -> TransactWriteItem {
    .update(TransactUpdate(tableName: "items", key: key, updateExpression: expression, conditionExpression: condition,
                           expressionAttributeValues: values))
}

private func txCheck(_ key: Item, _ condition: String, values: [String: AttributeValue]? = nil,
                   onFailure: ReturnValuesOnConditionCheckFailure? = nil) -> TransactWriteItem {
    .conditionCheck(TransactConditionCheck(tableName: "items", key: key, conditionExpression: condition, expressionAttributeValues: values,
                                           returnValuesOnConditionCheckFailure: onFailure))
}

private func txDelete(_ key: Item, _ condition: String? = nil) -> TransactWriteItem {
    .delete(TransactDelete(tableName: "items", key: key, conditionExpression: condition))
}

private func fetch(_ db: Database, _ pk: String) throws -> Item? {
    try db.getItem(GetItemInput(tableName: "items", key: ["pk": .s(pk)])).item
}

private func balance(_ item: Item?) -> Int? {
    guard case .n(let n)? = item?["balance"] else { return nil }
    return Int(n.description)
}

private func cancelledMessage(_ codes: String...) -> String {
    "Transaction cancelled, please refer cancellation reasons for specific reasons [\(codes.joined(separator: ", "))]"
}

@Suite struct TransactWriteItemsTests {
    /// The Developer Guide's example: check the customer exists, put the order if it is new,
    /// and mark the product sold if it is in stock — all or nothing.
    @Test func developerGuideOrderExample() throws {
        var o = DatabaseOptions()
        o.inMemory = true
        let db = try Database.open(at: "", options: o)
        for (table, key) in [("Customers", "CustomerId"), ("Orders", "OrderId"), ("ProductCatalog", "ProductId")] {
            _ = try db.createTable(CreateTableInput(tableName: table, attributeDefinitions: [AttributeDefinition(attributeName: key, attributeType: .s)],
                                                    keySchema: [KeySchemaElement(attributeName: key, keyType: .hash)]))
        }
        _ = try db.putItem(PutItemInput(tableName: "Customers", item: ["CustomerId": "09e8e9c8-ec48"]))
        _ = try db.putItem(PutItemInput(tableName: "ProductCatalog", item: ["ProductId": "1234567890", "ProductStatus": "IN_STOCK"]))
        let order: [TransactWriteItem] = [
            .conditionCheck(TransactConditionCheck(tableName: "Customers", key: ["CustomerId": "09e8e9c8-ec48"],
                                                   conditionExpression: "attribute_exists(CustomerId)")),
            .put(TransactPut(tableName: "Orders", item: ["OrderId": "ord-1", "CustomerId": "09e8e9c8-ec48", "ProductId": "1234567890",
                                                         "OrderStatus": "CONFIRMED", "OrderTotal": 100],
                             conditionExpression: "attribute_not_exists(OrderId)")),
            .update(TransactUpdate(tableName: "ProductCatalog", key: ["ProductId": "1234567890"],
                                   updateExpression: "SET ProductStatus = :new", conditionExpression: "ProductStatus = :expected",
                                   expressionAttributeValues: [":new": "SOLD", ":expected": "IN_STOCK"],
                                   returnValuesOnConditionCheckFailure: .allOld)),
        ]
        let out = try db.transactWriteItems(TransactWriteItemsInput(transactItems: order, clientRequestToken: "order-ord-1",
                                                                    returnConsumedCapacity: .total))
        #expect(try db.getItem(GetItemInput(tableName: "Orders", key: ["OrderId": "ord-1"])).item?["OrderStatus"] == "CONFIRMED")
        #expect(try db.getItem(GetItemInput(tableName: "ProductCatalog", key: ["ProductId": "1234567890"])).item?["ProductStatus"] == "SOLD")
        // Transactions cost double: two units per 1 KB written, two per 4 KB checked.
        #expect(out.consumedCapacity == [
            ConsumedCapacity(tableName: "Customers", capacityUnits: 2, readCapacityUnits: 2),
            ConsumedCapacity(tableName: "Orders", capacityUnits: 2, writeCapacityUnits: 2),
            ConsumedCapacity(tableName: "ProductCatalog", capacityUnits: 2, writeCapacityUnits: 2),
        ])
        // The same order for another id now fails: the product is sold.
        var again = order
        again[1].put!.item["OrderId"] = "ord-2"
        let e = #expect(throws: DynamoDBError.self) { try db.transactWriteItems(TransactWriteItemsInput(transactItems: again)) }
        #expect(e?.code == .transactionCanceled)
        #expect(e?.message == cancelledMessage("None", "None", "ConditionalCheckFailed"))
        #expect(e?.cancellationReasons?[2].item == ["ProductId": "1234567890", "ProductStatus": "SOLD"])
        #expect(try db.getItem(GetItemInput(tableName: "Orders", key: ["OrderId": "ord-2"])).item == nil)
    }

    @Test func cancellationReasonsInActionOrderAndNothingWritten() throws {
        let db = try makeDatabase()
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "taken", "v": 1]))
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "low", "balance": 5]))
        let e = #expect(throws: DynamoDBError.self) {
            try db.transactWriteItems(TransactWriteItemsInput(transactItems: [
                txPut(["pk": "new", "v": 1], "attribute_not_exists(pk)"),
                txPut(["pk": "taken", "v": 2], "attribute_not_exists(pk)", onFailure: .allOld),
                txUpdate(["pk": "counter"], "ADD n :one", values: [":one": 1]),
                txCheck(["pk": "low"], "balance >= :amount", values: [":amount": 10]),
                txDelete(["pk": "ghost"]),
            ]))
        }
        #expect(e?.code == .transactionCanceled)
        #expect(e?.message == cancelledMessage("None", "ConditionalCheckFailed", "None", "ConditionalCheckFailed", "None"))
        #expect(e?.cancellationReasons == [
            .init(code: "None"),
            .init(code: "ConditionalCheckFailed", message: "The conditional request failed", item: ["pk": "taken", "v": 1]),
            .init(code: "None"),
            .init(code: "ConditionalCheckFailed", message: "The conditional request failed"),
            .init(code: "None"),
        ])
        #expect(try fetch(db, "new") == nil)
        #expect(try fetch(db, "counter") == nil)
        #expect(try fetch(db, "taken") == ["pk": "taken", "v": 1])
        #expect(try itemCount(db, "items") == 2)
    }

    @Test func allActionsApplyTogether() throws {
        let db = try makeDatabase()
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "gone", "v": 1]))
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "kept", "v": 1]))
        _ = try db.transactWriteItems(TransactWriteItemsInput(transactItems: [
            txPut(["pk": "new", "v": 1], "attribute_not_exists(pk)"),
            txUpdate(["pk": "counter"], "ADD n :one SET label = :l", values: [":one": 1, ":l": "x"]),
            txDelete(["pk": "gone"], "attribute_exists(pk)"),
            txCheck(["pk": "kept"], "v = :one", values: [":one": 1]),
        ]))
        #expect(try fetch(db, "new") == ["pk": "new", "v": 1])
        #expect(try fetch(db, "counter") == ["pk": "counter", "n": 1, "label": "x"])
        #expect(try fetch(db, "gone") == nil)
        #expect(try fetch(db, "kept") == ["pk": "kept", "v": 1])
        #expect(try itemCount(db, "items") == 3)
    }

    @Test func errorsWhileApplyingAnUpdateAreValidationErrorReasons() throws {
        let db = try makeDatabase()
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "a", "s": "text"]))
        let e = #expect(throws: DynamoDBError.self) {
            try db.transactWriteItems(TransactWriteItemsInput(transactItems: [
                txPut(["pk": "b"]),
                txUpdate(["pk": "a"], "SET n = nothere + :one", values: [":one": 1]),
                txUpdate(["pk": "c"], "SET big = :big", values: [":big": .s(String(repeating: "x", count: 400 * 1024))]),
            ]))
        }
        #expect(e?.message == cancelledMessage("None", "ValidationError", "ValidationError"))
        #expect(e?.cancellationReasons?[1].message == "The provided expression refers to an attribute that does not exist in the item")
        #expect(e?.cancellationReasons?[2].message == "Item size has exceeded the maximum allowed size")
        #expect(try fetch(db, "b") == nil)
    }

    /// A missing or mistyped key attribute cancels the action with a ValidationError reason (the
    /// Put keeps PutItem's wording, a Key parameter gets the schema message); an empty key value
    /// is rejected for the whole request.
    @Test(arguments: [
        (txPut(["pk": 5]), "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"),
        (txPut(["x": 1]), "One or more parameter values were invalid: Missing the key pk in the item"),
        (txUpdate(["pk": 5], "SET a = :a", values: [":a": 1]), "The provided key element does not match the schema"),
        (txDelete(["pk": .l(["x"])]), "The provided key element does not match the schema"),
        (txCheck(["pk": "a", "extra": 1], "attribute_exists(pk)"), "The provided key element does not match the schema"),
    ] as [(TransactWriteItem, String)])
    func keyErrorsCancelTheAction(_ action: TransactWriteItem, _ message: String) throws {
        let db = try makeDatabase()
        let e = #expect(throws: DynamoDBError.self) {
            try db.transactWriteItems(TransactWriteItemsInput(transactItems: [txPut(["pk": "ok"]), action]))
        }
        #expect(e?.code == .transactionCanceled)
        #expect(e?.message == cancelledMessage("None", "ValidationError"))
        #expect(e?.cancellationReasons?[1] == .init(code: "ValidationError", message: message))
        #expect(try fetch(db, "ok") == nil)
    }

    static let emptyKey = "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"

    @Test(arguments: [
        ([], "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"),
        ((0...100).map { txPut(["pk": .s("k\($0)")]) },
         "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length less than or equal to 100"),
        ([TransactWriteItem()], "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request"),
        ([TransactWriteItem(put: TransactPut(tableName: "items", item: ["pk": "a"]), delete: TransactDelete(tableName: "items", key: ["pk": "b"]))],
         "TransactItems can only contain one of Check, Put, Update or Delete"),
        ([txPut(["pk": "a"]), txPut(["pk": "a"])], "Transaction request cannot include multiple operations on one item"),
        ([txCheck(["pk": "a"], "attribute_exists(pk)"), txUpdate(["pk": "a"], "SET v = :v", values: [":v": 1])],
         "Transaction request cannot include multiple operations on one item"),
        ([txPut(["pk": ""])], emptyKey),
        ([txUpdate(["pk": ""], "SET a = :a", values: [":a": 1])], emptyKey),
        ([txDelete(["pk": ""])], emptyKey),
        ([txCheck(["pk": ""], "attribute_exists(pk)")], emptyKey),
        ([txPut(["pk": "a"], "")], "Invalid ConditionExpression: The expression can not be empty;"),
        ([txCheck(["pk": "a"], "")], "Invalid ConditionExpression: The expression can not be empty;"),
        ([txCheck(["pk": "a"], "attribute_not_exists(pk)", values: [":v": "x"])],
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"),
        ([txPut(["pk": "first"]), txUpdate(["pk": "a"], "SET a = :a", values: [":a": "x", ":v": "x"])],
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"),
        ([txUpdate(["pk": "a"], "SET pk = :v", values: [":v": "b"])],
         "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"),
        ([txPut(["pk": "big", "data": .s(String(repeating: "x", count: 400 * 1024))])], "Item size has exceeded the maximum allowed size"),
        ((0..<11).map { txPut(["pk": .s("k\($0)"), "data": .s(String(repeating: "x", count: 390 * 1024))]) },
         "Collection size of items exceeded, which can also be caused by the aggregate size of the items in the transaction exceeding the 4MB limit"),
    ] as [([TransactWriteItem], String)])
    func requestValidation(_ items: [TransactWriteItem], _ message: String) throws {
        let db = try makeDatabase()
        let e = #expect(throws: DynamoDBError.self) { try db.transactWriteItems(TransactWriteItemsInput(transactItems: items)) }
        #expect(e?.code == .validation)
        #expect(e?.message == message)
        #expect(try itemCount(db, "items") == 0)
    }

    @Test func oneHundredActionsAreAllowed() throws {
        let db = try makeDatabase()
        _ = try db.transactWriteItems(TransactWriteItemsInput(transactItems: (0..<100).map { txPut(["pk": .s("k\($0)")]) }))
        #expect(try itemCount(db, "items") == 100)
    }

    @Test func missingTable() throws {
        let db = try makeDatabase()
        let e = #expect(throws: DynamoDBError.self) {
            try db.transactWriteItems(TransactWriteItemsInput(transactItems: [txPut(["pk": "a"]), .put(TransactPut(tableName: "nope", item: ["pk": "a"]))]))
        }
        #expect(e?.code == .resourceNotFound)
        #expect(e?.message == "Requested resource not found")
        #expect(try fetch(db, "a") == nil)
    }

    @Test func clientRequestTokenMakesTheCallIdempotent() throws {
        let db = try makeDatabase()
        let add = TransactWriteItemsInput(transactItems: [txUpdate(["pk": "c"], "ADD n :one", values: [":one": 1])],
                                          clientRequestToken: "token-1", returnConsumedCapacity: .total)
        let t0 = 1_000_000.0
        let first = try db.transactWriteItems(add, now: t0)
        #expect(first.consumedCapacity == [ConsumedCapacity(tableName: "items", capacityUnits: 2, writeCapacityUnits: 2)])
        // The same request again within ten minutes: not applied again, and charged as a read.
        let replay = try db.transactWriteItems(add, now: t0 + 599)
        #expect(replay.consumedCapacity == [ConsumedCapacity(tableName: "items", capacityUnits: 2, readCapacityUnits: 2)])
        var quiet = add
        quiet.returnConsumedCapacity = nil
        #expect(try db.transactWriteItems(quiet, now: t0 + 600).consumedCapacity == nil)
        #expect(try fetch(db, "c")?["n"] == 1)
        // The same token with other parameters.
        var other = add
        other.transactItems = [txUpdate(["pk": "c"], "ADD n :five", values: [":five": 5])]
        let e = #expect(throws: DynamoDBError.self) { try db.transactWriteItems(other, now: t0 + 10) }
        #expect(e?.code == .idempotentParameterMismatch)
        #expect(e?.message == "DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used.")
        // After the window the token is new again.
        _ = try db.transactWriteItems(other, now: t0 + 601)
        #expect(try fetch(db, "c")?["n"] == 6)
        // A different token applies again.
        var next = add
        next.clientRequestToken = "token-2"
        _ = try db.transactWriteItems(next, now: t0 + 602)
        #expect(try fetch(db, "c")?["n"] == 7)
    }

    @Test func aCancelledRequestDoesNotUseUpItsToken() throws {
        let db = try makeDatabase()
        let input = TransactWriteItemsInput(transactItems: [txPut(["pk": "x", "v": 1], "attribute_exists(ready)")], clientRequestToken: "t")
        let e = #expect(throws: DynamoDBError.self) { try db.transactWriteItems(input) }
        #expect(e?.code == .transactionCanceled)
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "x", "ready": true]))
        _ = try db.transactWriteItems(input)
        #expect(try fetch(db, "x") == ["pk": "x", "v": 1])
    }

    @Test(arguments: [("", "greater than or equal to 1"), (String(repeating: "t", count: 37), "less than or equal to 36")])
    func tokenLength(_ token: String, _ bound: String) throws {
        let db = try makeDatabase()
        let e = #expect(throws: DynamoDBError.self) {
            try db.transactWriteItems(TransactWriteItemsInput(transactItems: [txPut(["pk": "a"])], clientRequestToken: token))
        }
        #expect(e?.message == "1 validation error detected: Value '\(token)' at 'clientRequestToken' failed to satisfy constraint: Member must have length \(bound)")
    }

    @Test func capacityIsDoubleAndSizedOnTheLargerImage() throws {
        let db = try makeDatabase()
        let big = String(repeating: "x", count: 3000)
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "a", "s": .s(big)]))
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "r", "s": .s(String(repeating: "y", count: 5000))]))
        let out = try db.transactWriteItems(TransactWriteItemsInput(transactItems: [
            txPut(["pk": "a", "s": "small"]),             // old image 3 KB: 3 units, doubled
            txCheck(["pk": "r"], "attribute_exists(pk)"), // 5 KB read: 2 units, doubled
        ], returnConsumedCapacity: .indexes))
        let c = try #require(out.consumedCapacity?.first)
        #expect(c.writeCapacityUnits == 6)
        #expect(c.readCapacityUnits == 4)
        #expect(c.capacityUnits == 10)
        #expect(c.table?.capacityUnits == 10)
    }

    @Test func codableUsesAWSNames() throws {
        let input = TransactWriteItemsInput(transactItems: [txCheck(["pk": "a"], "attribute_exists(pk)"), txPut(["pk": "b"]),
                                                           txUpdate(["pk": "c"], "SET a = :a", values: [":a": 1]), txDelete(["pk": "d"])],
                                            clientRequestToken: "tok")
        let json = String(decoding: try JSONEncoder().encode(input), as: UTF8.self)
        for name in ["TransactItems", "ConditionCheck", "Put", "Update", "Delete", "TableName", "Key", "Item", "UpdateExpression",
                     "ConditionExpression", "ExpressionAttributeValues", "ClientRequestToken"] {
            #expect(json.contains("\"\(name)\""))
        }
        let back = try JSONDecoder().decode(TransactWriteItemsInput.self, from: Data(json.utf8))
        #expect(IdempotencyCache.fingerprint(back.transactItems) == IdempotencyCache.fingerprint(input.transactItems))
        #expect(IdempotencyCache.fingerprint(Array(back.transactItems.dropLast())) != IdempotencyCache.fingerprint(input.transactItems))
    }
}

@Suite struct TransactGetItemsTests {
    @Test func readsInOrderWithProjectionAndMissingItems() throws {
        let db = try makeDatabase()
        try addOtherTable(db)
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "a", "x": 1, "y": 2]))
        _ = try db.putItem(PutItemInput(tableName: "other", item: ["id": "b", "z": "q"]))
        let out = try db.transactGetItems(TransactGetItemsInput(transactItems: [
            .get(TransactGet(tableName: "other", key: ["id": "b"])),
            .get(TransactGet(tableName: "items", key: ["pk": "missing"])),
            .get(TransactGet(tableName: "items", key: ["pk": "a"], projectionExpression: "#y", expressionAttributeNames: ["#y": "y"])),
        ], returnConsumedCapacity: .total))
        #expect(out.responses == [ItemResponse(item: ["id": "b", "z": "q"]), ItemResponse(item: nil), ItemResponse(item: ["y": 2])])
        #expect(out.consumedCapacity == [ConsumedCapacity(tableName: "items", capacityUnits: 4, readCapacityUnits: 4),
                                         ConsumedCapacity(tableName: "other", capacityUnits: 2, readCapacityUnits: 2)])
    }

    @Test(arguments: [
        ([], "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"),
        ((0...100).map { TransactGetItem.get(TransactGet(tableName: "items", key: ["pk": .s("k\($0)")])) },
         "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length less than or equal to 100"),
        ([.get(TransactGet(tableName: "items", key: ["pk": "a"], projectionExpression: "!!!"))],
         "Invalid ProjectionExpression: Syntax error; token: \"!\", near: \"!!\""),
        ([.get(TransactGet(tableName: "items", key: ["pk": ""]))],
         "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
    ] as [([TransactGetItem], String)])
    func requestValidation(_ items: [TransactGetItem], _ message: String) throws {
        let db = try makeDatabase()
        let e = #expect(throws: DynamoDBError.self) { try db.transactGetItems(TransactGetItemsInput(transactItems: items)) }
        #expect(e?.code == .validation)
        #expect(e?.message == message)
    }

    @Test func anInvalidKeyCancelsWithAValidationErrorReason() throws {
        let db = try makeDatabase()
        let e = #expect(throws: DynamoDBError.self) {
            try db.transactGetItems(TransactGetItemsInput(transactItems: [
                .get(TransactGet(tableName: "items", key: ["pk": "a"])),
                .get(TransactGet(tableName: "items", key: [:])),
            ]))
        }
        #expect(e?.code == .transactionCanceled)
        #expect(e?.message == cancelledMessage("None", "ValidationError"))
        #expect(e?.cancellationReasons?[1] == .init(code: "ValidationError", message: "The provided key element does not match the schema"))
    }

    @Test func missingTable() throws {
        let db = try makeDatabase()
        let e = #expect(throws: DynamoDBError.self) {
            try db.transactGetItems(TransactGetItemsInput(transactItems: [.get(TransactGet(tableName: "nope", key: ["pk": "a"]))]))
        }
        #expect(e?.code == .resourceNotFound)
    }
}

@Suite struct TransactionIsolationTests {
    /// One thread moves amounts between two accounts with transactions; others read both with
    /// TransactGetItems thousands of times: every read sees the same total.
    @Test func readersNeverSeeHalfATransaction() throws {
        let db = try makeDatabase()
        _ = try db.transactWriteItems(TransactWriteItemsInput(transactItems: [txPut(["pk": "A", "balance": 500]), txPut(["pk": "B", "balance": 500])]))
        let transfers = 3000, readers = 2, minReads = 2000
        let done = Atomic<Bool>(false)
        let reads = Atomic<Int>(0), torn = Atomic<Int>(0), failures = Atomic<Int>(0)
        let group = DispatchGroup()
        group.enter()
        Thread.detachNewThread {
            for i in 0..<transfers {
                let (from, to) = i % 3 == 0 ? ("B", "A") : ("A", "B")
                let amount = AttributeValue.n(try! Number(String(i % 7 + 1)))
                do {
                    _ = try db.transactWriteItems(TransactWriteItemsInput(transactItems: [
                        txUpdate(["pk": .s(from)], "SET balance = balance - :amt", "balance >= :amt", values: [":amt": amount]),
                        txUpdate(["pk": .s(to)], "SET balance = balance + :amt", values: [":amt": amount]),
                    ]))
                } catch let e as DynamoDBError where e.code == .transactionCanceled {
                    // An account ran dry: the whole transfer is refused.
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
            done.store(true, ordering: .releasing)
            group.leave()
        }
        for _ in 0..<readers {
            group.enter()
            Thread.detachNewThread {
                var count = 0
                while !done.load(ordering: .acquiring) || count < minReads {
                    guard let out = try? db.transactGetItems(TransactGetItemsInput(transactItems: [
                        .get(TransactGet(tableName: "items", key: ["pk": "A"])), .get(TransactGet(tableName: "items", key: ["pk": "B"])),
                    ])) else {
                        failures.add(1, ordering: .relaxed)
                        break
                    }
                    if let a = balance(out.responses[0].item), let b = balance(out.responses[1].item), a + b == 1000 {
                    } else {
                        torn.add(1, ordering: .relaxed)
                    }
                    count += 1
                }
                reads.add(count, ordering: .relaxed)
                group.leave()
            }
        }
        group.wait()
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(torn.load(ordering: .relaxed) == 0)
        #expect(reads.load(ordering: .relaxed) >= readers * minReads)
        #expect(try balance(fetch(db, "A")).map { $0 + (try balance(fetch(db, "B")) ?? 0) } == 1000)
    }

    /// Transactions and single-item writes on the same item serialize: no increment is lost.
    @Test func transactionsAndUpdateItemDoNotLoseWrites() throws {
        let db = try makeDatabase()
        let threads = 4, perThread = 1000
        let group = DispatchGroup()
        for t in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                for i in 0..<perThread {
                    if (t + i) % 2 == 0 {
                        _ = try! db.transactWriteItems(TransactWriteItemsInput(transactItems: [
                            txUpdate(["pk": "counter"], "ADD n :one", values: [":one": 1]),
                            txUpdate(["pk": .s("t\(t)")], "ADD n :one", values: [":one": 1]),
                        ]))
                    } else {
                        _ = try! db.updateItem(UpdateItemInput(tableName: "items", key: ["pk": "counter"], updateExpression: "ADD n :one",
                                                               expressionAttributeValues: [":one": 1]))
                    }
                }
                group.leave()
            }
        }
        group.wait()
        #expect(try fetch(db, "counter")?["n"] == num(String(threads * perThread)))
        #expect(try itemCount(db, "items") == Int64(1 + threads))
    }
}
