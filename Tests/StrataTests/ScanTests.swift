import Foundation
import Testing
@testable import Strata

/// Runs a Scan to its end through LastEvaluatedKey, returning every page.
func scanPages(_ db: Database, _ input: ScanInput, maxPages: Int = 100_000) throws -> [ScanOutput] {
    var pages: [ScanOutput] = []
    var s = input
    while pages.count < maxPages {
        let out = try db.scan(s)
        pages.append(out)
        guard let lek = out.lastEvaluatedKey else { break }
        s.exclusiveStartKey = lek
    }
    return pages
}

@Suite struct ScanTests {
    /// `partitions` partitions of `perPartition` items each, with a `tag` 0..<4.
    static func populated(partitions: Int, perPartition: Int, seed: UInt64 = 7) throws -> (Database, [Item]) {
        var rng = SeededGenerator(seed: seed)
        let db = try makeReadTable(sk: .n)
        var items: [Item] = []
        for p in 0..<partitions {
            for s in 0..<perPartition {
                items.append(["pk": .s("user#\(p)"), "sk": .n(Number(s)), "tag": .n(Number(Int.random(in: 0..<4, using: &rng)))])
            }
        }
        try put(db, items)
        return (db, items)
    }

    static func key(_ item: Item) -> Item { ["pk": item["pk"]!, "sk": item["sk"]!] }

    @Test func scanReturnsEveryItemInKeyOrder() throws {
        let (db, items) = try Self.populated(partitions: 12, perPartition: 5)
        // Another table's items never appear.
        _ = try db.createTable(CreateTableInput(tableName: "other", attributeDefinitions: [AttributeDefinition(attributeName: "pk", attributeType: .s)],
                                                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash)]))
        try put(db, [["pk": "user#0"], ["pk": "zzz"]], table: "other")
        let out = try db.scan(ScanInput(tableName: "tbl"))
        #expect(out.count == items.count && out.scannedCount == items.count && out.lastEvaluatedKey == nil)
        let expected = items.sorted {
            KeyEncoding.encodeKey(tableID: 1, partitionKey: $0["pk"]!, sortKey: $0["sk"]!)
                .lexicographicallyPrecedes(KeyEncoding.encodeKey(tableID: 1, partitionKey: $1["pk"]!, sortKey: $1["sk"]!))
        }
        #expect(out.items == expected)
        // Each partition is contiguous, in sort-key order.
        var seen: [AttributeValue] = []
        for item in out.items ?? [] where seen.last != item["pk"] {
            #expect(!seen.contains(item["pk"]!))
            seen.append(item["pk"]!)
        }
        #expect(try db.scan(ScanInput(tableName: "other")).count == 2)
    }

    @Test func emptyTable() throws {
        let db = try makeReadTable()
        let out = try db.scan(ScanInput(tableName: "tbl", returnConsumedCapacity: .total))
        #expect(out.items == [] && out.count == 0 && out.scannedCount == 0 && out.lastEvaluatedKey == nil)
        #expect(out.consumedCapacity?.capacityUnits == 0.5)
    }

    @Test func limitAndFilter() throws {
        let db = try makeReadTable()
        try put(db, (0..<10).map { ["pk": .s("k\($0)"), "n": .n(Number($0))] })
        let out = try db.scan(ScanInput(tableName: "tbl", filterExpression: "n >= :five", expressionAttributeValues: [":five": 5], limit: 7))
        #expect(out.scannedCount == 7 && out.count == 2)
        #expect(out.items?.map { $0["pk"] } == ["k5", "k6"])
        #expect(out.lastEvaluatedKey == ["pk": "k6"])
        let rest = try db.scan(ScanInput(tableName: "tbl", filterExpression: "n >= :five", expressionAttributeValues: [":five": 5],
                                         limit: 7, exclusiveStartKey: out.lastEvaluatedKey))
        #expect(rest.scannedCount == 3 && rest.items?.map { $0["pk"] } == ["k7", "k8", "k9"] && rest.lastEvaluatedKey == nil)
        // Limit equal to the table's size: a key, then an empty last page.
        let exact = try scanPages(db, ScanInput(tableName: "tbl", limit: 10))
        #expect(exact.map(\.scannedCount) == [10, 0])
    }

    @Test(arguments: [(UInt64(11), false), (12, true), (13, true), (14, false)])
    func paginationVisitsEveryItemExactlyOnce(_ seed: UInt64, _ filtered: Bool) throws {
        let (db, items) = try Self.populated(partitions: 40, perPartition: 6, seed: seed)
        let all = try db.scan(ScanInput(tableName: "tbl")).items ?? []
        #expect(all.count == items.count)
        let expected = filtered ? all.filter { $0["tag"] == 2 } : all
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<5 {
            let limit = Int.random(in: 1...60, using: &rng)
            let pages = try scanPages(db, ScanInput(tableName: "tbl", filterExpression: filtered ? "tag = :two" : nil,
                                                    expressionAttributeValues: filtered ? [":two": 2] : nil, limit: limit))
            #expect(pages.flatMap { $0.items ?? [] } == expected, "limit \(limit)")
            #expect(pages.reduce(0) { $0 + $1.scannedCount } == items.count)
        }
    }

    @Test(arguments: [(262_144, 4), (262_143, 5), (100_000, 11)])
    func pageEndsOnceOneMegabyteIsRead(_ size: Int, _ perPage: Int) throws {
        let db = try makeReadTable()
        let items: [Item] = (0..<(2 * perPage + 1)).map { i in
            var item: Item = ["pk": .s(String(format: "k%03d", i)), "d": ""]
            item["d"] = .s(String(repeating: "y", count: size - item.itemSize))
            return item
        }
        try put(db, items)
        let pages = try scanPages(db, ScanInput(tableName: "tbl", consistentRead: true, returnConsumedCapacity: .total))
        #expect(pages.map(\.scannedCount) == [perPage, perPage, 1])
        #expect(pages[0].lastEvaluatedKey == ["pk": .s(String(format: "k%03d", perPage - 1))])
        #expect(pages[0].consumedCapacity?.capacityUnits == Double((perPage * size + 4095) / 4096))
        #expect(pages.flatMap { $0.items ?? [] } == items)
        let counted = try scanPages(db, ScanInput(tableName: "tbl", select: .count))
        #expect(counted.map(\.count) == [perPage, perPage, 1] && counted.allSatisfy { $0.items == nil })
    }

    // MARK: Parallel scan

    @Test(arguments: [1, 2, 3, 4, 7, 16, 100, 1_000_000])
    func segmentsAreDisjointAndComplete(_ total: Int) throws {
        let (db, items) = try Self.populated(partitions: 150, perPartition: 3, seed: UInt64(total))
        var rng = SeededGenerator(seed: UInt64(total) &* 31)
        var owner: [Item: Int] = [:]
        var partitionSegment: [AttributeValue: Int] = [:]
        let segments = total <= 100 ? Array(0..<total) : (0..<50).map { _ in Int.random(in: 0..<total, using: &rng) }
        for segment in Set(segments) {
            let limit = Bool.random(using: &rng) ? Int.random(in: 1...20, using: &rng) : nil
            let pages = try scanPages(db, ScanInput(tableName: "tbl", limit: limit, segment: segment, totalSegments: total))
            for item in pages.flatMap({ $0.items ?? [] }) {
                #expect(owner[Self.key(item)] == nil, "item in two segments")
                owner[Self.key(item)] = segment
                // A partition lives in one segment.
                #expect(partitionSegment[item["pk"]!, default: segment] == segment)
                partitionSegment[item["pk"]!] = segment
            }
        }
        if total <= 100 {
            #expect(owner.count == items.count)
            #expect(Set(owner.keys) == Set(items.map(Self.key)))
        }
        if total >= 2 && total <= 16 {
            // Hashing spreads 150 partitions over every segment.
            #expect(Set(owner.values).count == total)
        }
    }

    @Test func randomizedSegmentsWithFiltersAndHashKeys() throws {
        var rng = SeededGenerator(seed: 2024)
        let db = try makeReadTable(pk: .b)
        var keys: Set<[UInt8]> = []
        while keys.count < 300 {
            keys.insert((0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        try put(db, keys.map { ["pk": .b($0), "odd": .bool($0.last! % 2 == 1)] })
        for total in [2, 5, 9] {
            var union: [[UInt8]] = []
            for segment in 0..<total {
                let pages = try scanPages(db, ScanInput(tableName: "tbl", filterExpression: "odd = :t", expressionAttributeValues: [":t": true],
                                                        limit: Int.random(in: 1...30, using: &rng), segment: segment, totalSegments: total))
                for item in pages.flatMap({ $0.items ?? [] }) {
                    guard case .b(let b)? = item["pk"] else { continue }
                    union.append(b)
                }
            }
            #expect(union.count == Set(union).count)
            #expect(Set(union) == Set(keys.filter { $0.last! % 2 == 1 }))
        }
    }

    @Test func startKeyMustBelongToTheSegment() throws {
        let (db, _) = try Self.populated(partitions: 20, perPartition: 2)
        let first = try db.scan(ScanInput(tableName: "tbl", limit: 1, segment: 0, totalSegments: 2))
        let key = try #require(first.lastEvaluatedKey)
        let resumed = try db.scan(ScanInput(tableName: "tbl", exclusiveStartKey: key, segment: 0, totalSegments: 2))
        #expect(resumed.items?.contains { Self.key($0) == key } == false)
        let message = validationMessage { _ = try db.scan(ScanInput(tableName: "tbl", exclusiveStartKey: key, segment: 1, totalSegments: 2)) }
        #expect(message == "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 0")
        // Without segments any key is a valid start.
        #expect(try db.scan(ScanInput(tableName: "tbl", exclusiveStartKey: key)).lastEvaluatedKey == nil)
    }

    @Test func startKeyResumesStrictlyAfterItsPosition() throws {
        let db = try makeReadTable(sk: .n)
        try put(db, [["pk": "a", "sk": 1], ["pk": "a", "sk": 3], ["pk": "b", "sk": 1]])
        let out = try db.scan(ScanInput(tableName: "tbl", exclusiveStartKey: ["pk": "a", "sk": 2]))
        #expect(out.items == [["pk": "a", "sk": 3], ["pk": "b", "sk": 1]])
        let fromMissingPartition = try db.scan(ScanInput(tableName: "tbl", exclusiveStartKey: ["pk": "aa", "sk": 0]))
        #expect(fromMissingPartition.items == [["pk": "b", "sk": 1]])
    }

    // MARK: Select, projections, legacy parameters

    @Test func selectProjectionAndLegacyParameters() throws {
        let db = try makeReadTable()
        try put(db, [["pk": "a", "Price": 5, "Title": "Book 101", "Colors": .ss(["Red", "Black"])],
                     ["pk": "b", "Price": 500, "Title": "Bike 201"],
                     ["pk": "c", "Price": 50, "Title": "Book 102", "Colors": .ss(["Blue"])]])
        // The Developer Guide's ProductCatalog scan: "Price < :p" with a projection.
        let cheap = try db.scan(ScanInput(tableName: "tbl", filterExpression: "Price < :p", projectionExpression: "Title, Price",
                                          expressionAttributeValues: [":p": 100]))
        #expect(cheap.items == [["Title": "Book 101", "Price": 5], ["Title": "Book 102", "Price": 50]])
        #expect(cheap.count == 2 && cheap.scannedCount == 3)
        let counted = try db.scan(ScanInput(tableName: "tbl", filterExpression: "contains(Colors, :c)", expressionAttributeValues: [":c": "Red"],
                                            select: .count))
        #expect(counted.items == nil && counted.count == 1 && counted.scannedCount == 3)
        var legacy = ScanInput(tableName: "tbl")
        legacy.scanFilter = ["Price": Condition(.gt, [10]), "Colors": Condition(.notNull)]
        legacy.attributesToGet = ["pk"]
        #expect(try db.scan(legacy).items == [["pk": "c"]])
        legacy.conditionalOperator = .or
        #expect(try db.scan(legacy).items == [["pk": "a"], ["pk": "b"], ["pk": "c"]])
        legacy.scanFilter = ["pk": Condition(.beginsWith, ["b"])]
        legacy.conditionalOperator = nil
        // A Scan's filter may name key attributes.
        #expect(try db.scan(legacy).items == [["pk": "b"]])
        let keyFilter = try db.scan(ScanInput(tableName: "tbl", filterExpression: "pk IN (:a, :c)", expressionAttributeValues: [":a": "a", ":c": "c"],
                                              select: .count))
        #expect(keyFilter.count == 2)
    }

    @Test func wireNames() throws {
        let json = #"{"TableName":"tbl","Segment":1,"TotalSegments":4,"Select":"ALL_ATTRIBUTES","ScanFilter":{"a":{"ComparisonOperator":"NULL"}},"ConditionalOperator":"OR"}"#
        let input = try JSONDecoder().decode(ScanInput.self, from: Data(json.utf8))
        #expect(input.segment == 1 && input.totalSegments == 4 && input.select == .allAttributes)
        #expect(input.scanFilter == ["a": Condition(.null)] && input.conditionalOperator == .or)
        let encoded = String(decoding: try JSONEncoder().encode(ScanOutput(items: [], count: 0, scannedCount: 0)), as: UTF8.self)
        #expect(encoded.contains("\"Items\":[]") && !encoded.contains("LastEvaluatedKey"))
    }

    // MARK: Validation

    static let validationCases: [(ScanInput, String)] = {
        func s(filter: String? = nil, projection: String? = nil, names: [String: String]? = nil, values: [String: AttributeValue]? = nil,
               select: Select? = nil, limit: Int? = nil, index: String? = nil, consistent: Bool? = nil, start: Item? = nil,
               segment: Int? = nil, total: Int? = nil) -> ScanInput {
            ScanInput(tableName: "tbl", indexName: index, filterExpression: filter, projectionExpression: projection,
                      expressionAttributeNames: names, expressionAttributeValues: values, select: select, limit: limit,
                      consistentRead: consistent, exclusiveStartKey: start, segment: segment, totalSegments: total)
        }
        var mixed = s(filter: "a = :a", values: [":a": 1])
        mixed.scanFilter = ["a": Condition(.null)]
        mixed.attributesToGet = ["a"]
        var orphan = s()
        orphan.conditionalOperator = .and
        var badFilter = s()
        badFilter.scanFilter = ["a": Condition(.between, [1])]
        return [
            (s(segment: 0), "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"),
            (s(total: 4), "The Segment parameter is required but was not present in the request when parameter TotalSegments is present"),
            (s(segment: 5, total: 5), "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 5 is not less than TotalSegments: 5"),
            (s(segment: 1, total: 1), "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 1 is not less than TotalSegments: 1"),
            (s(segment: 0, total: 0), "1 validation error detected: Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1"),
            (s(segment: 0, total: 1_000_001), "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000"),
            (s(segment: -1, total: 2), "1 validation error detected: Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"),
            (s(segment: 1_000_000, total: 1_000_000), "1 validation error detected: Value '1000000' at 'segment' failed to satisfy constraint: Member must have value less than or equal to 999999"),
            (s(limit: 0), "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
            (mixed, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet, ScanFilter} Expression parameters: {FilterExpression}"),
            (s(projection: "pk", select: .allAttributes), "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
            (s(projection: "pk", select: .count), "Cannot specify the ProjectionExpression when choosing to get only the Count"),
            (s(select: .allProjectedAttributes), "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
            (s(projection: "pk", select: .allProjectedAttributes), "Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES"),
            (s(select: .specificAttributes), "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
            (orphan, "ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present"),
            (badFilter, "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
            (s(names: ["#a": "a"]), "ExpressionAttributeNames can only be specified when using expressions"),
            (s(values: [":a": 1]), "ExpressionAttributeValues can only be specified when using expressions"),
            (s(filter: "a = :a", values: [":a": 1, ":b": 2]), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}"),
            (s(filter: "a = :missing"), "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :missing"),
            (s(index: "nope"), "The table does not have the specified index: nope"),
            (s(index: "byG"), "Secondary index queries are not supported yet"),
            (s(index: "byG", consistent: true), "Consistent reads are not supported on global secondary indexes"),
            (s(start: ["pk": "a"]), "The provided starting key is invalid: The provided key element does not match the schema"),
            (s(start: ["pk": "a", "sk": "1"]), "The provided starting key is invalid: The provided key element does not match the schema"),
            (s(start: ["pk": "a", "sk": 1, "x": 1]), "The provided starting key is invalid: The provided key element does not match the schema"),
            (s(start: ["pk": "a", "sk": .bool(true)]), "The provided starting key is invalid: The provided key element does not match the schema"),
            (s(start: ["pk": "", "sk": 1]), "The provided starting key is invalid: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
        ]
    }()

    @Test(arguments: validationCases.indices)
    func validationErrors(_ index: Int) throws {
        let (input, message) = Self.validationCases[index]
        let db = try makeReadTable(sk: .n, indexes: true)
        try put(db, [["pk": "a", "sk": 1]])
        #expect(validationMessage { _ = try db.scan(input) } == message)
    }

    @Test func missingTable() throws {
        let db = try makeReadTable()
        let e = #expect(throws: DynamoDBError.self) { try db.scan(ScanInput(tableName: "nope")) }
        #expect(e?.code == .resourceNotFound && e?.message == "Requested resource not found")
    }
}
