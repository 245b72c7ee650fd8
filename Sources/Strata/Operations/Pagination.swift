// The page reader shared by Query and Scan: one engine iterator (one consistent view of the
// engine) per page, items evaluated in key order up to Limit or 1 MB, the filter applied after.

/// Which attributes a Query or Scan returns (the API Reference's Select).
public enum Select: String, Codable, Sendable, Hashable {
    case allAttributes = "ALL_ATTRIBUTES"
    case allProjectedAttributes = "ALL_PROJECTED_ATTRIBUTES"
    case specificAttributes = "SPECIFIC_ATTRIBUTES"
    case count = "COUNT"
}

/// What one page of a Query or Scan reads and how it treats what it reads.
struct PagePlan {
    /// The engine keys the operation covers, `lower` inclusive, `upper` exclusive.
    var range: KeyRange
    /// Ascending key order (false: a Query with ScanIndexForward=false).
    var forward = true
    /// Resume strictly after this engine key (the ExclusiveStartKey), in the reading direction.
    var after: [UInt8]?
    /// At most this many items are evaluated (ScannedCount), before the filter.
    var limit: Int?
    var filter: ConditionExpression?
    var projection: ProjectionExpression?
    /// Select=COUNT: count matching items, return none.
    var countOnly = false
    /// A parallel scan's segment: items of other segments are skipped unread.
    var segment: ScanSegment?
    /// Bulk reads (Scan) leave the block cache alone.
    var fillCache = true
}

/// One page's result.
struct Page {
    var items: [Item] = []
    var count = 0
    var scannedCount = 0
    /// The sum of the sizes of the items evaluated: the basis of the page limit and of capacity.
    var bytesRead = 0
    var lastEvaluatedKey: Item?
}

/// Segment `index` of `total` in a parallel scan. An item's segment is a hash of its encoded
/// partition key mapped onto 0..<total, so every item of a partition is in one segment, each
/// item is in exactly one, and segments are about the same size whatever the keys look like.
/// The hash is fixed (FNV-1a then a SplitMix64 finalizer), so a LastEvaluatedKey stays in its
/// segment across restarts.
struct ScanSegment: Hashable {
    var index: Int
    var total: Int

    /// The segment of the item stored at `key` (an engine key of an item).
    static func of(key: [UInt8], total: Int) -> Int {
        var end = KeyEncoding.Format.tableIDSize
        if (try? KeyEncoding.decodeComponent(key, at: &end)) == nil { end = key.count }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key[KeyEncoding.Format.tableIDSize..<end] { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        return Int(h.multipliedFullWidth(by: UInt64(total)).high)
    }

    func contains(key: [UInt8]) -> Bool { Self.of(key: key, total: total) == index }
}

extension Database {
    /// DynamoDB's page size: a page ends once the items it evaluated reach 1 MB.
    static let maxPageBytes = 1 << 20

    /// Reads one page. Items are evaluated in key order; each counts toward ScannedCount, Limit
    /// and the 1 MB page size, then the filter decides whether it is returned. A page that
    /// stops on Limit or on 1 MB returns the key of the last item evaluated as
    /// LastEvaluatedKey, even when no item follows (as DynamoDB does); a page that runs out of
    /// items returns none.
    func readPage(_ plan: PagePlan, table: TableMetadata) throws(DynamoDBError) -> Page {
        try storage { () throws -> Page in
            let it = try engine.makeIterator(options: ReadOptions(fillCache: plan.fillCache),
                                             lowerBound: plan.range.lower, upperBound: plan.range.upper)
            if plan.forward {
                if let after = plan.after { it.seek(after + [0x00]) } else { it.seekToFirst() }
            } else if let after = plan.after {
                it.seekForPrev(after)
                if it.isValid && it.key == after { it.prev() }
            } else {
                it.seekToLast()
            }
            var page = Page()
            while it.isValid {
                if let segment = plan.segment, !segment.contains(key: it.key) {
                    if plan.forward { it.next() } else { it.prev() }
                    continue
                }
                let item = try ItemCodec.decode(it.value)
                page.scannedCount += 1
                page.bytesRead += item.itemSize
                if plan.filter?.evaluate(item) ?? true {
                    page.count += 1
                    if !plan.countOnly { page.items.append(plan.projection?.apply(to: item) ?? item) }
                }
                if page.scannedCount == plan.limit || page.bytesRead >= Self.maxPageBytes {
                    page.lastEvaluatedKey = table.keyAttributes(of: item)
                    break
                }
                if plan.forward { it.next() } else { it.prev() }
            }
            try it.check()
            return page
        }
    }
}

// MARK: Request checks shared by Query and Scan

enum ReadRequest {
    /// Limit is 1 or more.
    static func checkLimit(_ limit: Int?) throws(DynamoDBError) {
        if let limit, limit < 1 {
            throw .validation("1 validation error detected: Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
        }
    }

    /// Select against the projection parameters and IndexName, in DynamoDB's order: a
    /// projection beside any Select but SPECIFIC_ATTRIBUTES first, then
    /// ALL_PROJECTED_ATTRIBUTES without an index, then SPECIFIC_ATTRIBUTES without a projection.
    static func checkSelect(_ select: Select?, projectionExpression: String?, attributesToGet: [String]?,
                            indexName: String?) throws(DynamoDBError) {
        guard let select else { return }
        let projectionParameter = projectionExpression != nil ? "ProjectionExpression" : attributesToGet != nil ? "AttributesToGet" : nil
        if let p = projectionParameter {
            switch select {
            case .allAttributes: throw .validation("Cannot specify the \(p) when choosing to get ALL_ATTRIBUTES")
            case .allProjectedAttributes: throw .validation("Cannot specify the \(p) when choosing to get ALL_PROJECTED_ATTRIBUTES")
            case .count: throw .validation("Cannot specify the \(p) when choosing to get only the Count")
            case .specificAttributes: break
            }
        }
        if select == .allProjectedAttributes && indexName == nil {
            throw .validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
        }
        if select == .specificAttributes && projectionParameter == nil {
            throw .validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
        }
    }

    /// Secondary indexes are described by the catalog but not maintained yet: a name the table
    /// does not have is DynamoDB's error; one it has is refused until indexes are built.
    static func checkIndex(_ name: String?, table: TableMetadata, consistentRead: Bool?) throws(DynamoDBError) {
        guard let name else { return }
        let global = table.description.globalSecondaryIndexes ?? []
        let local = table.description.localSecondaryIndexes ?? []
        if global.contains(where: { $0.indexName == name }) {
            if consistentRead == true { throw .validation("Consistent reads are not supported on global secondary indexes") }
        } else if !local.contains(where: { $0.indexName == name }) {
            throw .validation("The table does not have the specified index: \(name)")
        }
        throw .validation("Secondary index queries are not supported yet")
    }

    /// The projection of ProjectionExpression or AttributesToGet.
    static func projection(_ expression: String?, attributesToGet: [String]?,
                           attributes: inout ExpressionAttributes) throws(DynamoDBError) -> ProjectionExpression? {
        if let expression { return try ProjectionExpression.parse(expression, attributes: &attributes) }
        if let attributesToGet { return try ProjectionExpression.attributesToGet(attributesToGet) }
        return nil
    }

    /// The engine key of an ExclusiveStartKey: exactly the table's key attributes, of the
    /// schema's types (else `mismatch`), with valid key values (else DynamoDB's key message
    /// behind "The provided starting key is invalid: ").
    static func startKey(_ key: Item, table: TableMetadata, mismatch: String) throws(DynamoDBError) -> [UInt8] {
        guard key.count == table.keyNames.count else { throw .validation(mismatch) }
        for name in table.keyNames {
            guard let v = key[name], v.typeDescriptor == table.attributeType(name).rawValue else { throw .validation(mismatch) }
        }
        do {
            return try table.engineKey(from: key) { _ in mismatch }
        } catch {
            if error.message == mismatch { throw error }
            throw .validation("The provided starting key is invalid: \(error.message)")
        }
    }
}
