import Foundation
import Testing
@testable import Strata

/// An in-memory database with table `name`: partition key `pk` of `pkType`, and a sort key
/// `sk` of `skType` when given; plus secondary indexes when asked.
func makeReadTable(_ name: String = "tbl", pk pkType: ScalarAttributeType = .s, sk skType: ScalarAttributeType? = nil,
                   indexes: Bool = false) throws -> Database {
    var o = DatabaseOptions()
    o.inMemory = true
    let db = try Database.open(at: "", options: o)
    var defs = [AttributeDefinition(attributeName: "pk", attributeType: pkType)]
    var schema = [KeySchemaElement(attributeName: "pk", keyType: .hash)]
    if let skType {
        defs.append(AttributeDefinition(attributeName: "sk", attributeType: skType))
        schema.append(KeySchemaElement(attributeName: "sk", keyType: .range))
    }
    var input = CreateTableInput(tableName: name, attributeDefinitions: defs, keySchema: schema)
    if indexes {
        defs.append(AttributeDefinition(attributeName: "g", attributeType: .s))
        input.attributeDefinitions = defs
        input.globalSecondaryIndexes = [SecondaryIndex(indexName: "byG", keySchema: [KeySchemaElement(attributeName: "g", keyType: .hash)],
                                                       projection: Projection(projectionType: "ALL"))]
        if skType != nil {
            input.localSecondaryIndexes = [SecondaryIndex(indexName: "local", keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash),
                                                                                          KeySchemaElement(attributeName: "g", keyType: .range)],
                                                          projection: Projection(projectionType: "KEYS_ONLY"))]
        }
    }
    _ = try db.createTable(input)
    return db
}

/// Puts each item into table `t`.
func put(_ db: Database, _ items: [Item], table: String = "tbl") throws {
    for item in items { _ = try db.putItem(PutItemInput(tableName: table, item: item)) }
}

/// A ValidationException's message, or nil when `body` does not throw one.
func validationMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as DynamoDBError {
        return error.code == .validation ? error.message : "\(error.code): \(error.message)"
    } catch {
        return "\(error)"
    }
}

/// Runs a Query to its end through LastEvaluatedKey, returning every page.
func queryPages(_ db: Database, _ input: QueryInput, maxPages: Int = 10_000) throws -> [QueryOutput] {
    var pages: [QueryOutput] = []
    var q = input
    while pages.count < maxPages {
        let out = try db.query(q)
        pages.append(out)
        guard let lek = out.lastEvaluatedKey else { break }
        q.exclusiveStartKey = lek
    }
    return pages
}

@Suite struct QueryTests {
    /// pk "p" with sort keys of every sign and scale, and a neighbour partition that must never appear.
    static let numbers = ["-1000", "-5", "-1.5", "-0.001", "0", "0.001", "1", "1.5", "2", "10", "99.99", "100", "1E+20"]

    static func numericTable() throws -> Database {
        let db = try makeReadTable(sk: .n)
        try put(db, numbers.map { ["pk": "p", "sk": num($0), "v": .s($0)] })
        try put(db, [["pk": "o", "sk": 1], ["pk": "q", "sk": 1], ["pk": "p0", "sk": 1]])
        return db
    }

    static func sortKeys(_ out: QueryOutput) -> [String] {
        (out.items ?? []).map { item -> String in
            if case .n(let n)? = item["sk"] { return n.description }
            if case .s(let s)? = item["sk"] { return s }
            return "?"
        }
    }

    // MARK: Sort-key operators

    @Test(arguments: [
        ("pk = :p", [:] as [String: AttributeValue], numbers),
        ("pk = :p AND sk = :a", [":a": num("1.5")], ["1.5"]),
        ("pk = :p AND sk = :a", [":a": num("1.50")], ["1.5"]),
        ("pk = :p AND sk = :a", [":a": num("3")], []),
        ("pk = :p AND sk < :a", [":a": num("0")], ["-1000", "-5", "-1.5", "-0.001"]),
        ("pk = :p AND sk <= :a", [":a": num("0")], ["-1000", "-5", "-1.5", "-0.001", "0"]),
        ("pk = :p AND sk > :a", [":a": num("10")], ["99.99", "100", "1E+20"]),
        ("pk = :p AND sk >= :a", [":a": num("10")], ["10", "99.99", "100", "1E+20"]),
        ("pk = :p AND sk BETWEEN :a AND :b", [":a": num("-1.5"), ":b": num("2")], ["-1.5", "-0.001", "0", "0.001", "1", "1.5", "2"]),
        ("pk = :p AND sk BETWEEN :a AND :b", [":a": num("2"), ":b": num("2")], ["2"]),
        ("pk = :p AND sk BETWEEN :a AND :b", [":a": num("3"), ":b": num("9")], []),
        ("sk > :a AND pk = :p", [":a": num("100")], ["1E+20"]),
        (":a > sk AND pk = :p", [":a": num("-1.5")], ["-1000", "-5"]),
        ("(pk = :p) AND (sk <= :a)", [":a": num("-1000")], ["-1000"]),
    ])
    func numericSortKeyOperators(_ condition: String, _ values: [String: AttributeValue], _ expected: [String]) throws {
        let db = try Self.numericTable()
        var v = values
        v[":p"] = "p"
        let forward = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: condition, expressionAttributeValues: v))
        #expect(Self.sortKeys(forward) == expected.map { try! Number($0).description })
        #expect(forward.count == expected.count)
        #expect(forward.scannedCount == expected.count)
        #expect(forward.lastEvaluatedKey == nil)
        let backward = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: condition, expressionAttributeValues: v,
                                               scanIndexForward: false))
        #expect(Self.sortKeys(backward) == expected.reversed().map { try! Number($0).description })
    }

    @Test(arguments: [
        ("sk = :a", "b", ["b"]),
        ("sk < :a", "b", ["B", "a", "a\u{0}", "aa"]),
        ("sk <= :a", "b", ["B", "a", "a\u{0}", "aa", "b"]),
        ("sk > :a", "b", ["ba", "z", "ä", "\u{FF61}", "𝄞"]),
        ("sk >= :a", "z", ["z", "ä", "\u{FF61}", "𝄞"]),
        ("begins_with(sk, :a)", "a", ["a", "a\u{0}", "aa"]),
        ("begins_with(sk, :a)", "b", ["b", "ba"]),
        ("begins_with(sk, :a)", "\u{FF}", []),
        ("begins_with(sk, :a)", "ä", ["ä"]),
        ("begins_with ( sk , :a )", "z", ["z"]),
    ])
    func stringSortKeyOperators(_ condition: String, _ value: String, _ expected: [String]) throws {
        let db = try makeReadTable(sk: .s)
        let keys = ["a", "aa", "a\u{0}", "B", "b", "ba", "z", "ä", "\u{FF61}", "𝄞"]
        try put(db, keys.map { ["pk": "p", "sk": .s($0)] })
        try put(db, [["pk": "pp", "sk": "a"], ["pk": "o", "sk": "b"]])
        let out = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p AND \(condition)",
                                          expressionAttributeValues: [":p": "p", ":a": .s(value)]))
        #expect(Self.sortKeys(out) == expected)
    }

    @Test func stringsSortByUTF8BytesNotUTF16() throws {
        let db = try makeReadTable(sk: .s)
        // U+FF61 is EF BD A1 in UTF-8 but FF61 in UTF-16; U+1D11E is F0 9D 84 9E in UTF-8 but a
        // D834 surrogate in UTF-16: DynamoDB (UTF-8 bytes) puts U+FF61 first.
        let keys = ["𝄞", "\u{FF61}", "Z", "a", "é", "e", "A", "0", " ", "~"]
        try put(db, keys.map { ["pk": "p", "sk": .s($0)] })
        let out = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "p"]))
        let expected = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        #expect(Self.sortKeys(out) == expected)
        #expect(expected.firstIndex(of: "\u{FF61}")! < expected.firstIndex(of: "𝄞")!)
    }

    @Test func numbersSortNumericallyNotAsText() throws {
        let db = try makeReadTable(sk: .n)
        let values = ["9", "10", "-10", "-9", "0.5", "1e2", "-1E-130", "1E-130", "9.9999999999999999999999999999999999999E+125",
                      "-9.9999999999999999999999999999999999999E+125", "12345678901234567890123456789012345678", "0"]
        try put(db, values.map { ["pk": "p", "sk": num($0)] })
        let out = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "p"]))
        let got = (out.items ?? []).map { item -> Number in
            guard case .n(let n)? = item["sk"] else { return .zero }
            return n
        }
        #expect(got.count == values.count)
        for (a, b) in zip(got, got.dropFirst()) { #expect(a < b) }
        #expect(got.first == (try Number("-9.9999999999999999999999999999999999999E+125")))
        #expect(got.last == (try Number("9.9999999999999999999999999999999999999E+125")))
    }

    @Test func binarySortKeysOrderAsUnsignedBytes() throws {
        let db = try makeReadTable(sk: .b)
        let keys: [[UInt8]] = [[0x80], [0x00], [0x00, 0x00], [0x7F], [0xFF], [0xFF, 0x00], [0x01], [0x00, 0x01], [0xFE, 0xFF]]
        try put(db, keys.map { ["pk": "p", "sk": .b($0)] })
        let out = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "p"]))
        let got = (out.items ?? []).map { item -> [UInt8] in
            guard case .b(let b)? = item["sk"] else { return [] }
            return b
        }
        #expect(got == keys.sorted { $0.lexicographicallyPrecedes($1) })
        let prefixed = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p AND begins_with(sk, :b)",
                                               expressionAttributeValues: [":p": "p", ":b": .b([0x00])]))
        #expect(prefixed.items?.map { $0["sk"] } == [.b([0x00]), .b([0x00, 0x00]), .b([0x00, 0x01])])
        let between = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b",
                                              expressionAttributeValues: [":p": "p", ":a": .b([0x7F]), ":b": .b([0xFF])]))
        #expect(between.items?.map { $0["sk"] } == [.b([0x7F]), .b([0x80]), .b([0xFE, 0xFF]), .b([0xFF])])
    }

    @Test func numericAndBinaryPartitionKeys() throws {
        let db = try makeReadTable(pk: .n, sk: .s)
        try put(db, [["pk": 1, "sk": "a"], ["pk": num("1.0"), "sk": "b"], ["pk": 10, "sk": "a"], ["pk": -1, "sk": "a"]])
        let out = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": num("1.00")]))
        #expect(Self.sortKeys(out) == ["a", "b"])
        let bdb = try makeReadTable(pk: .b)
        try put(bdb, [["pk": .b([1, 0]), "x": 1], ["pk": .b([1]), "x": 2]])
        let one = try bdb.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": .b([1])]))
        #expect(one.items == [["pk": .b([1]), "x": 2]])
    }

    @Test func hashOnlyTableQueryReturnsTheOneItem() throws {
        let db = try makeReadTable()
        try put(db, [["pk": "a", "x": 1], ["pk": "ab", "x": 2], ["pk": "b", "x": 3]])
        let out = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "a"]))
        #expect(out.items == [["pk": "a", "x": 1]])
        #expect(out.count == 1 && out.scannedCount == 1 && out.lastEvaluatedKey == nil)
        let none = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "zz"]))
        #expect(none.items == [])
        #expect(none.count == 0 && none.scannedCount == 0 && none.lastEvaluatedKey == nil)
    }

    // MARK: Limit, filter, LastEvaluatedKey

    @Test func limitCountsItemsBeforeTheFilter() throws {
        let db = try makeReadTable(sk: .n)
        try put(db, (1...10).map { ["pk": "p", "sk": .n(Number($0)), "even": .bool($0 % 2 == 0)] })
        let out = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", filterExpression: "even = :t",
                                          expressionAttributeValues: [":p": "p", ":t": true], limit: 3))
        #expect(out.scannedCount == 3)
        #expect(out.count == 1)
        #expect(out.items?.map { $0["sk"] } == [2])
        #expect(out.lastEvaluatedKey == ["pk": "p", "sk": 3])
        // A page whose evaluated items all fail the filter is empty but still has a LastEvaluatedKey.
        let empty = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", filterExpression: "even = :t",
                                            expressionAttributeValues: [":p": "p", ":t": true], limit: 1))
        #expect(empty.items == [] && empty.count == 0 && empty.scannedCount == 1)
        #expect(empty.lastEvaluatedKey == ["pk": "p", "sk": 1])
    }

    @Test func limitReachedOnTheLastItemStillReturnsLastEvaluatedKey() throws {
        let db = try makeReadTable(sk: .n)
        try put(db, (1...4).map { ["pk": "p", "sk": .n(Number($0))] })
        let q = QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "p"], limit: 4)
        let first = try db.query(q)
        #expect(first.count == 4)
        #expect(first.lastEvaluatedKey == ["pk": "p", "sk": 4])
        var next = q
        next.exclusiveStartKey = first.lastEvaluatedKey
        let second = try db.query(next)
        #expect(second.items == [] && second.scannedCount == 0 && second.lastEvaluatedKey == nil)
        // A limit above the number of items: one page, no key.
        var big = q
        big.limit = 5
        #expect(try db.query(big).lastEvaluatedKey == nil)
    }

    @Test func backwardQueryWithLimitAndStartKey() throws {
        let db = try makeReadTable(sk: .n)
        try put(db, (1...10).map { ["pk": "p", "sk": .n(Number($0))] })
        var q = QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b",
                           expressionAttributeValues: [":p": "p", ":a": 3, ":b": 8], limit: 2, scanIndexForward: false)
        let first = try db.query(q)
        #expect(Self.sortKeys(first) == ["8", "7"])
        #expect(first.lastEvaluatedKey == ["pk": "p", "sk": 7])
        q.exclusiveStartKey = first.lastEvaluatedKey
        #expect(Self.sortKeys(try db.query(q)) == ["6", "5"])
        // A start key that names no stored item resumes strictly after its position.
        q.exclusiveStartKey = ["pk": "p", "sk": num("5.5")]
        #expect(Self.sortKeys(try db.query(q)) == ["5", "4"])
        q.scanIndexForward = true
        #expect(Self.sortKeys(try db.query(q)) == ["6", "7"])
        q.exclusiveStartKey = ["pk": "p", "sk": 3]
        q.limit = nil
        #expect(Self.sortKeys(try db.query(q)) == ["4", "5", "6", "7", "8"])
        q.scanIndexForward = false
        #expect(Self.sortKeys(try db.query(q)) == [])
    }

    @Test(arguments: [(UInt64(1), true, false), (2, false, false), (3, true, true), (4, false, true), (5, true, true), (6, false, false)])
    func paginationVisitsEveryItemExactlyOnce(_ seed: UInt64, _ forward: Bool, _ filtered: Bool) throws {
        var rng = SeededGenerator(seed: seed)
        let db = try makeReadTable(sk: .n)
        var expected: [Item] = []
        var used: Set<Int> = []
        for _ in 0..<300 {
            let k = Int.random(in: -100_000...100_000, using: &rng)
            guard used.insert(k).inserted else { continue }
            let item: Item = ["pk": "p", "sk": .n(Number(k)), "tag": .n(Number(Int.random(in: 0..<4, using: &rng))),
                              "pad": .s(String(repeating: "x", count: Int.random(in: 0..<200, using: &rng)))]
            expected.append(item)
        }
        try put(db, expected)
        try put(db, [["pk": "o", "sk": 1], ["pk": "q", "sk": 1]])
        expected.sort { ValueOrder.compare($0["sk"]!, $1["sk"]!) == .orderedAscending }
        if !forward { expected.reverse() }
        if filtered { expected = expected.filter { $0["tag"] == 1 } }
        for limit in [1, 2, 7, 50, 299, 300, 1000] {
            let q = QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", filterExpression: filtered ? "tag = :one" : nil,
                               expressionAttributeValues: filtered ? [":p": "p", ":one": 1] : [":p": "p"],
                               limit: limit, scanIndexForward: forward)
            let pages = try queryPages(db, q)
            let got = pages.flatMap { $0.items ?? [] }
            #expect(got == expected, "limit \(limit)")
            #expect(pages.reduce(0) { $0 + $1.scannedCount } >= used.count)
            #expect(pages.dropLast().allSatisfy { $0.scannedCount == limit })
            #expect(pages.allSatisfy { $0.count == ($0.items?.count ?? -1) })
        }
    }

    /// Items of exactly `size` bytes (DynamoDB's item size) with sort keys 1...count.
    static func sizedItems(count: Int, size: Int) -> [Item] {
        (1...count).map { i in
            var item: Item = ["pk": "p", "sk": .n(Number(i)), "d": ""]
            item["d"] = .s(String(repeating: "x", count: size - item.itemSize))
            precondition(item.itemSize == size)
            return item
        }
    }

    @Test(arguments: [(262_144, 4), (262_143, 5), (300_000, 4), (100_000, 11), (400 * 1024, 3)])
    func pageEndsOnceOneMegabyteIsRead(_ size: Int, _ perPage: Int) throws {
        let db = try makeReadTable(sk: .n)
        let items = Self.sizedItems(count: 2 * perPage + 1, size: size)
        try put(db, items)
        let q = QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "p"],
                           returnConsumedCapacity: .total)
        let first = try db.query(q)
        #expect(first.scannedCount == perPage)
        #expect(first.lastEvaluatedKey == ["pk": "p", "sk": .n(Number(perPage))])
        #expect(first.consumedCapacity?.capacityUnits == Double((perPage * size + 4095) / 4096) / 2)
        let pages = try queryPages(db, q)
        #expect(pages.map(\.scannedCount) == [perPage, perPage, 1])
        #expect(pages.flatMap { $0.items ?? [] } == items)
        // A filter that drops everything still stops at 1 MB.
        let none = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", filterExpression: "attribute_exists(nothing)",
                                           expressionAttributeValues: [":p": "p"]))
        #expect(none.count == 0 && none.scannedCount == perPage && none.lastEvaluatedKey != nil)
    }

    @Test func limitBelowTheMegabyteWins() throws {
        let db = try makeReadTable(sk: .n)
        try put(db, Self.sizedItems(count: 6, size: 300_000))
        let out = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "p"], limit: 2))
        #expect(out.scannedCount == 2 && out.lastEvaluatedKey == ["pk": "p", "sk": 2])
    }

    // MARK: Select and projections

    @Test func selectCount() throws {
        let db = try makeReadTable(sk: .s)
        try put(db, [["pk": "p", "sk": "a", "status": "active"], ["pk": "p", "sk": "b", "status": "inactive"],
                     ["pk": "p", "sk": "c", "status": "active"]])
        let all = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "p"],
                                          select: .count))
        #expect(all.items == nil && all.count == 3 && all.scannedCount == 3)
        let active = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", filterExpression: "#s = :s",
                                             expressionAttributeNames: ["#s": "status"], expressionAttributeValues: [":p": "p", ":s": "active"],
                                             select: .count))
        #expect(active.items == nil && active.count == 2 && active.scannedCount == 3)
        let limited = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "p"],
                                              select: .count, limit: 2))
        #expect(limited.count == 2 && limited.lastEvaluatedKey == ["pk": "p", "sk": "b"])
        // Encoded, COUNT omits Items altogether.
        let json = String(decoding: try JSONEncoder().encode(all), as: UTF8.self)
        #expect(!json.contains("Items"))
    }

    @Test func projections() throws {
        let db = try makeReadTable(sk: .s)
        try put(db, [["pk": "p", "sk": "a", "data": "hello", "extra": "world", "m": ["x": 1, "y": [1, 2, 3]]],
                     ["pk": "p", "sk": "b", "data": "foo"]])
        let specific = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "#pk = :p", projectionExpression: "#pk, #sk",
                                               expressionAttributeNames: ["#pk": "pk", "#sk": "sk"], expressionAttributeValues: [":p": "p"],
                                               select: .specificAttributes))
        #expect(specific.items == [["pk": "p", "sk": "a"], ["pk": "p", "sk": "b"]])
        let nested = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", projectionExpression: "m.y[1], m.x, extra",
                                             expressionAttributeValues: [":p": "p"], limit: 1))
        #expect(nested.items == [["m": ["x": 1, "y": [2]], "extra": "world"]])
        // The key of the page comes from the item, not from the projection.
        #expect(nested.lastEvaluatedKey == ["pk": "p", "sk": "a"])
        var legacy = QueryInput(tableName: "tbl", select: .specificAttributes)
        legacy.keyConditions = ["pk": Condition(.eq, ["p"])]
        legacy.attributesToGet = ["data", "missing"]
        #expect(try db.query(legacy).items == [["data": "hello"], ["data": "foo"]])
        let none = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", projectionExpression: "nothing",
                                           expressionAttributeValues: [":p": "p"]))
        #expect(none.items == [[:], [:]] && none.count == 2)
    }

    // MARK: Legacy parameters

    @Test func legacyKeyConditionsAndQueryFilter() throws {
        let db = try makeReadTable(sk: .s)
        try put(db, [["pk": "p", "sk": "2024-01", "a": 1, "b": "x"], ["pk": "p", "sk": "2024-02", "a": 2, "b": "y"],
                     ["pk": "p", "sk": "2024-03", "a": 3], ["pk": "p", "sk": "2025-01", "a": 4, "b": "x"]])
        var q = QueryInput(tableName: "tbl")
        q.keyConditions = ["pk": Condition(.eq, ["p"]), "sk": Condition(.beginsWith, ["2024"])]
        #expect(Self.sortKeys(try db.query(q)) == ["2024-01", "2024-02", "2024-03"])
        q.keyConditions = ["pk": Condition(.eq, ["p"]), "sk": Condition(.between, ["2024-02", "2025-01"])]
        #expect(Self.sortKeys(try db.query(q)) == ["2024-02", "2024-03", "2025-01"])
        q.queryFilter = ["a": Condition(.ge, [3]), "b": Condition(.eq, ["y"])]
        #expect(Self.sortKeys(try db.query(q)) == [])
        q.conditionalOperator = .or
        #expect(Self.sortKeys(try db.query(q)) == ["2024-02", "2024-03", "2025-01"])
        q.queryFilter = ["b": Condition(.null)]
        q.conditionalOperator = nil
        q.limit = 2
        let page = try db.query(q)
        #expect(Self.sortKeys(page) == ["2024-03"] && page.scannedCount == 2 && page.lastEvaluatedKey == ["pk": "p", "sk": "2024-03"])
        q.keyConditions = ["pk": Condition(.eq, ["p"]), "sk": Condition(.lt, ["2024-02"])]
        q.queryFilter = nil
        q.limit = nil
        #expect(Self.sortKeys(try db.query(q)) == ["2024-01"])
    }

    // MARK: Examples from the Developer Guide

    /// The Developer Guide's Reply table: Id (S) and ReplyDateTime (S).
    @Test func developerGuideReplyTable() throws {
        let db = try makeReadTable("Reply", sk: .s)
        // makeReadTable names the keys pk and sk; the guide's names go through placeholders.
        let thread = "Amazon DynamoDB#DynamoDB Thread 1"
        try put(db, [["pk": .s(thread), "sk": "2015-09-15T19:58:22.947Z", "PostedBy": "User A", "Message": "DynamoDB Thread 1 Reply 1 text"],
                     ["pk": .s(thread), "sk": "2015-09-22T19:58:22.947Z", "PostedBy": "User B", "Message": "DynamoDB Thread 1 Reply 2 text"],
                     ["pk": .s(thread), "sk": "2015-09-29T19:58:22.947Z", "PostedBy": "User B", "Message": "DynamoDB Thread 1 Reply 3 text"],
                     ["pk": "Amazon DynamoDB#DynamoDB Thread 2", "sk": "2015-09-29T19:58:22.947Z", "PostedBy": "User A"]],
                table: "Reply")
        // "Id = :id and ReplyDateTime > :dt" with "PostedBy = :user" as the filter.
        let out = try db.query(QueryInput(tableName: "Reply", keyConditionExpression: "#Id = :id and #ReplyDateTime > :dt",
                                          filterExpression: "PostedBy = :user",
                                          expressionAttributeNames: ["#Id": "pk", "#ReplyDateTime": "sk"],
                                          expressionAttributeValues: [":id": .s(thread), ":dt": "2015-09-20", ":user": "User B"],
                                          returnConsumedCapacity: .total))
        #expect(out.count == 2 && out.scannedCount == 2)
        #expect(out.items?.map { $0["Message"] } == ["DynamoDB Thread 1 Reply 2 text", "DynamoDB Thread 1 Reply 3 text"])
        #expect(out.consumedCapacity == ConsumedCapacity(tableName: "Reply", capacityUnits: 0.5, readCapacityUnits: 0.5))
        // "begins_with(ReplyDateTime, :dt)" for the replies of one month, newest first.
        let month = try db.query(QueryInput(tableName: "Reply", keyConditionExpression: "pk = :id and begins_with(sk, :dt)",
                                            expressionAttributeValues: [":id": .s(thread), ":dt": "2015-09-2"], scanIndexForward: false))
        #expect(Self.sortKeys(month) == ["2015-09-29T19:58:22.947Z", "2015-09-22T19:58:22.947Z"])
    }

    /// The Developer Guide's Movies example: "#yr = :yyyy and title between :letter1 and :letter2".
    @Test func developerGuideMoviesExample() throws {
        var o = DatabaseOptions()
        o.inMemory = true
        let db = try Database.open(at: "", options: o)
        _ = try db.createTable(CreateTableInput(tableName: "Movies",
                                                attributeDefinitions: [AttributeDefinition(attributeName: "year", attributeType: .n),
                                                                       AttributeDefinition(attributeName: "title", attributeType: .s)],
                                                keySchema: [KeySchemaElement(attributeName: "year", keyType: .hash),
                                                            KeySchemaElement(attributeName: "title", keyType: .range)]))
        let titles = ["A Bronx Tale", "A Perfect World", "Addams Family Values", "Alive", "Benny & Joon", "Body Snatchers",
                      "Cliffhanger", "Hocus Pocus", "Jurassic Park", "Kalifornia"]
        try put(db, titles.map { ["year": 1992, "title": .s($0), "info": ["rating": 6.5]] }, table: "Movies")
        try put(db, [["year": 1993, "title": "Groundhog Day"]], table: "Movies")
        let out = try db.query(QueryInput(tableName: "Movies", keyConditionExpression: "#yr = :yyyy and title between :letter1 and :letter2",
                                          projectionExpression: "#yr, title, info.rating",
                                          expressionAttributeNames: ["#yr": "year"],
                                          expressionAttributeValues: [":yyyy": 1992, ":letter1": "A", ":letter2": "L"]))
        #expect(out.items?.map { $0["title"] } == titles.map { .s($0) })
        #expect(out.items?.first == ["year": 1992, "title": "A Bronx Tale", "info": ["rating": 6.5]])
        // The CLI's --page-size 5 is Limit 5: two full pages, each with a key, then an empty one.
        let pages = try queryPages(db, QueryInput(tableName: "Movies", keyConditionExpression: "#y = :yyyy", projectionExpression: "title",
                                                  expressionAttributeNames: ["#y": "year"], expressionAttributeValues: [":yyyy": 1992], limit: 5))
        #expect(pages.map(\.count) == [5, 5, 0])
        #expect(pages[0].lastEvaluatedKey == ["year": 1992, "title": "Benny & Joon"])
    }

    // MARK: Capacity

    @Test func consumedCapacityCountsTheBytesRead() throws {
        let db = try makeReadTable(sk: .n)
        try put(db, Self.sizedItems(count: 3, size: 3000))
        func units(_ consistent: Bool?, _ mode: ReturnConsumedCapacity?, filter: String? = nil) throws -> ConsumedCapacity? {
            try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", filterExpression: filter,
                                    expressionAttributeValues: [":p": "p"], consistentRead: consistent,
                                    returnConsumedCapacity: mode)).consumedCapacity
        }
        // 9000 bytes: three 4 KB units, half for an eventually consistent read.
        #expect(try units(true, .total)?.capacityUnits == 3)
        #expect(try units(false, .total)?.capacityUnits == 1.5)
        #expect(try units(nil, .total)?.capacityUnits == 1.5)
        #expect(try units(true, .total, filter: "attribute_exists(nothing)")?.capacityUnits == 3)
        #expect(try units(true, .indexes)?.table?.capacityUnits == 3)
        #expect(try units(true, ReturnConsumedCapacity.none) == nil)
        #expect(try units(true, nil) == nil)
        let empty = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "zzz"],
                                            returnConsumedCapacity: .total))
        #expect(empty.consumedCapacity?.capacityUnits == 0.5)
    }

    @Test func wireNamesRoundTrip() throws {
        let json = #"""
        {"TableName":"tbl","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},
         "Select":"COUNT","Limit":2,"ScanIndexForward":false,"ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL",
         "ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"5"}}}
        """#
        let input = try JSONDecoder().decode(QueryInput.self, from: Data(json.utf8))
        #expect(input.select == .count && input.limit == 2 && input.scanIndexForward == false && input.consistentRead == true)
        #expect(input.exclusiveStartKey == ["pk": "p", "sk": 5])
        let db = try makeReadTable(sk: .n)
        try put(db, (1...9).map { ["pk": "p", "sk": .n(Number($0))] })
        let out = try db.query(input)
        let encoded = String(decoding: try JSONEncoder().encode(out), as: UTF8.self)
        #expect(encoded.contains("\"Count\":2") && encoded.contains("\"ScannedCount\":2") && encoded.contains("\"LastEvaluatedKey\""))
        #expect(out.lastEvaluatedKey == ["pk": "p", "sk": 3])
    }

    // MARK: Validation

    static let validationCases: [(String, QueryInput, String)] = {
        func q(_ condition: String? = "pk = :p", filter: String? = nil, projection: String? = nil, names: [String: String]? = nil,
               values: [String: AttributeValue]? = [":p": "p"], select: Select? = nil, limit: Int? = nil, index: String? = nil,
               consistent: Bool? = nil, start: Item? = nil, table: String = "tbl") -> QueryInput {
            QueryInput(tableName: table, indexName: index, keyConditionExpression: condition, filterExpression: filter,
                       projectionExpression: projection, expressionAttributeNames: names, expressionAttributeValues: values,
                       select: select, limit: limit, consistentRead: consistent, exclusiveStartKey: start)
        }
        var legacyMixed = q(values: [":p": "p"])
        legacyMixed.queryFilter = ["a": Condition(.eq, ["x"])]
        var legacyProjection = q(nil, values: nil)
        legacyProjection.keyConditions = ["pk": Condition(.eq, ["p"])]
        legacyProjection.attributesToGet = ["a"]
        legacyProjection.select = .allAttributes
        var legacyCount = legacyProjection
        legacyCount.select = .count
        var queryFilterOnKey = q(nil, values: nil)
        queryFilterOnKey.keyConditions = ["pk": Condition(.eq, ["p"])]
        queryFilterOnKey.queryFilter = ["sk": Condition(.gt, [1])]
        var orphanOperator = q(nil, values: nil)
        orphanOperator.keyConditions = ["pk": Condition(.eq, ["p"])]
        orphanOperator.conditionalOperator = .or
        var legacyIndexable = q(nil, values: nil)
        legacyIndexable.keyConditions = ["pk": Condition(.eq, ["p"]), "sk": Condition(.ne, [1])]
        var duplicateGet = q(nil, values: nil)
        duplicateGet.keyConditions = ["pk": Condition(.eq, ["p"])]
        duplicateGet.attributesToGet = ["a", "a"]
        return [
            ("no key condition", q(nil, values: nil), "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."),
            ("limit 0", q(limit: 0), "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
            ("limit -3", q(limit: -3), "1 validation error detected: Value '-3' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
            ("mixed", legacyMixed, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}"),
            ("specific without projection", q(select: .specificAttributes), "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
            ("all with projection", q(projection: "sk", select: .allAttributes), "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
            ("count with projection", q(projection: "sk", select: .count), "Cannot specify the ProjectionExpression when choosing to get only the Count"),
            ("all projected without index", q(select: .allProjectedAttributes), "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
            ("all projected with projection", q(projection: "sk", select: .allProjectedAttributes), "Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES"),
            ("all with AttributesToGet", legacyProjection, "Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES"),
            ("count with AttributesToGet", legacyCount, "Cannot specify the AttributesToGet when choosing to get only the Count"),
            ("unknown index", q(index: "nope"), "The table does not have the specified index: nope"),
            ("global index", q(index: "byG"), "Secondary index queries are not supported yet"),
            ("local index", q(index: "local"), "Secondary index queries are not supported yet"),
            ("consistent global index", q(index: "byG", consistent: true), "Consistent reads are not supported on global secondary indexes"),
            ("filter on sort key", q(filter: "sk > :one", values: [":p": "p", ":one": 1]), "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"),
            ("filter on both keys", q(filter: "sk > :one OR pk = :p", values: [":p": "p", ":one": 1]), "Filter Expression can only contain non-primary key attributes: Primary key attribute: pk"),
            ("filter on key via name", q(filter: "size(#k) > :one", names: ["#k": "sk"], values: [":p": "p", ":one": 1]), "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"),
            ("QueryFilter on key", queryFilterOnKey, "QueryFilter can only contain non-primary key attributes: Primary key attribute: sk"),
            ("orphan ConditionalOperator", orphanOperator, "ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present"),
            ("not indexable", legacyIndexable, "Attempted conditional constraint is not an indexable operation"),
            ("duplicate AttributesToGet", duplicateGet, "One or more parameter values were invalid: Duplicate value in attribute name: a"),
            ("missing partition key", q("sk = :one", values: [":one": 1]), "Query condition missed key schema element: pk"),
            ("partition key range", q("pk > :p"), "Query key condition not supported"),
            ("OR", q("pk = :p OR sk = :one", values: [":p": "p", ":one": 1]), "Invalid operator used in KeyConditionExpression: OR"),
            ("type mismatch", q("pk = :p AND sk > :s", values: [":p": "p", ":s": "x"]), "One or more parameter values were invalid: Condition parameter type does not match schema type"),
            ("partition type", q(values: [":p": 1]), "One or more parameter values were invalid: Condition parameter type does not match schema type"),
            ("empty partition value", q(values: [":p": ""]), "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
            ("non-key attribute", q("pk = :p AND extra = :one", values: [":p": "p", ":one": 1]), "Query condition missed key schema element: sk"),
            ("empty expression", q(""), "Invalid KeyConditionExpression: The expression can not be empty;"),
            ("empty filter", q(filter: ""), "Invalid FilterExpression: The expression can not be empty;"),
            ("unused value", q(values: [":p": "p", ":x": 1]), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"),
            ("unused name", q(names: ["#n": "a"]), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"),
            ("start key without sort key", q(start: ["pk": "p"]), "The provided starting key is invalid"),
            ("start key with extra attribute", q(start: ["pk": "p", "sk": 1, "x": 1]), "The provided starting key is invalid"),
            ("start key wrong type", q(start: ["pk": "p", "sk": "1"]), "The provided starting key is invalid"),
            ("start key wrong name", q(start: ["pk": "p", "other": 1]), "The provided starting key is invalid"),
            ("start key empty value", q(start: ["pk": "", "sk": 1]), "The provided starting key is invalid: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
            ("start key other partition", q(start: ["pk": "other", "sk": 1]), "The provided starting key is outside query boundaries based on provided conditions"),
            ("start key outside range", q("pk = :p AND sk > :one", values: [":p": "p", ":one": 1], start: ["pk": "p", "sk": 0]), "The provided starting key does not match the range key predicate"),
            ("start key outside prefix", q(filter: nil, values: [":p": "p"], start: ["pk": "p", "sk": 1], table: "sss").withCondition("pk = :p AND begins_with(sk, :b)", [":p": "p", ":b": "ab"]).withStart(["pk": "p", "sk": "b"]), "The provided starting key does not match the range key predicate"),
        ]
    }()

    @Test(arguments: validationCases.indices)
    func validationErrors(_ index: Int) throws {
        let (name, input, message) = Self.validationCases[index]
        let db = try makeReadTable("tbl", sk: .n, indexes: true)
        _ = try db.createTable(CreateTableInput(tableName: "sss", attributeDefinitions: [AttributeDefinition(attributeName: "pk", attributeType: .s),
                                                                                      AttributeDefinition(attributeName: "sk", attributeType: .s)],
                                                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash),
                                                            KeySchemaElement(attributeName: "sk", keyType: .range)]))
        try put(db, [["pk": "p", "sk": 1]])
        #expect(validationMessage { _ = try db.query(input) } == message, "\(name)")
    }

    @Test func missingTable() throws {
        let db = try makeReadTable()
        let e = #expect(throws: DynamoDBError.self) {
            try db.query(QueryInput(tableName: "nope", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "p"]))
        }
        #expect(e?.code == .resourceNotFound)
        #expect(e?.message == "Requested resource not found")
    }

    @Test func aQueryReadsOneConsistentView() throws {
        // Writes that land after a page began are invisible to it; the next page sees them.
        let db = try makeReadTable(sk: .n)
        try put(db, (1...5).map { ["pk": "p", "sk": .n(Number($0))] })
        let first = try db.query(QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "p"], limit: 2))
        try put(db, [["pk": "p", "sk": num("2.5")], ["pk": "p", "sk": num("0.5")]])
        _ = try db.deleteItem(DeleteItemInput(tableName: "tbl", key: ["pk": "p", "sk": 4]))
        var next = QueryInput(tableName: "tbl", keyConditionExpression: "pk = :p", expressionAttributeValues: [":p": "p"])
        next.exclusiveStartKey = first.lastEvaluatedKey
        #expect(Self.sortKeys(try db.query(next)) == ["2.5", "3", "5"])
    }
}

extension QueryInput {
    func withCondition(_ condition: String, _ values: [String: AttributeValue]) -> QueryInput {
        var q = self
        q.keyConditionExpression = condition
        q.expressionAttributeValues = values
        return q
    }

    func withStart(_ key: Item) -> QueryInput {
        var q = self
        q.exclusiveStartKey = key
        return q
    }
}
