// BatchGetItem and BatchWriteItem.

/// The keys to read from one table in a BatchGetItem, and how to read them. UnprocessedKeys
/// uses the same shape, so a caller can send it back as the next RequestItems.
public struct KeysAndAttributes: Codable, Sendable, Equatable {
    public var keys: [Item]
    public var projectionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var attributesToGet: [String]?
    public var consistentRead: Bool?

    public init(keys: [Item], projectionExpression: String? = nil, expressionAttributeNames: [String: String]? = nil,
                attributesToGet: [String]? = nil, consistentRead: Bool? = nil) {
        self.keys = keys
        self.projectionExpression = projectionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.attributesToGet = attributesToGet
        self.consistentRead = consistentRead
    }

    enum CodingKeys: String, CodingKey {
        case keys = "Keys", projectionExpression = "ProjectionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", attributesToGet = "AttributesToGet"
        case consistentRead = "ConsistentRead"
    }
}

public struct BatchGetItemInput: Codable, Sendable {
    public var requestItems: [String: KeysAndAttributes]
    public var returnConsumedCapacity: ReturnConsumedCapacity?

    public init(requestItems: [String: KeysAndAttributes], returnConsumedCapacity: ReturnConsumedCapacity? = nil) {
        self.requestItems = requestItems
        self.returnConsumedCapacity = returnConsumedCapacity
    }

    enum CodingKeys: String, CodingKey { case requestItems = "RequestItems", returnConsumedCapacity = "ReturnConsumedCapacity" }
}

public struct BatchGetItemOutput: Codable, Sendable {
    /// Per table, the items found (projected), in no particular order.
    public var responses: [String: [Item]]
    /// The keys not read because the response reached its size limit; empty when all were read.
    public var unprocessedKeys: [String: KeysAndAttributes]
    public var consumedCapacity: [ConsumedCapacity]?

    enum CodingKeys: String, CodingKey {
        case responses = "Responses", unprocessedKeys = "UnprocessedKeys", consumedCapacity = "ConsumedCapacity"
    }
}

public struct PutRequest: Codable, Sendable, Equatable {
    public var item: Item
    public init(item: Item) { self.item = item }
    enum CodingKeys: String, CodingKey { case item = "Item" }
}

public struct DeleteRequest: Codable, Sendable, Equatable {
    public var key: Item
    public init(key: Item) { self.key = key }
    enum CodingKeys: String, CodingKey { case key = "Key" }
}

/// One put or delete of a BatchWriteItem: exactly one of the two is set.
public struct WriteRequest: Codable, Sendable, Equatable {
    public var putRequest: PutRequest?
    public var deleteRequest: DeleteRequest?

    public init(putRequest: PutRequest? = nil, deleteRequest: DeleteRequest? = nil) {
        self.putRequest = putRequest
        self.deleteRequest = deleteRequest
    }

    public static func put(_ item: Item) -> WriteRequest { WriteRequest(putRequest: PutRequest(item: item)) }
    public static func delete(key: Item) -> WriteRequest { WriteRequest(deleteRequest: DeleteRequest(key: key)) }

    enum CodingKeys: String, CodingKey { case putRequest = "PutRequest", deleteRequest = "DeleteRequest" }
}

public struct BatchWriteItemInput: Codable, Sendable {
    public var requestItems: [String: [WriteRequest]]
    public var returnConsumedCapacity: ReturnConsumedCapacity?
    /// Accepted; item collection metrics are not reported.
    public var returnItemCollectionMetrics: String?

    public init(requestItems: [String: [WriteRequest]], returnConsumedCapacity: ReturnConsumedCapacity? = nil) {
        self.requestItems = requestItems
        self.returnConsumedCapacity = returnConsumedCapacity
    }

    enum CodingKeys: String, CodingKey {
        case requestItems = "RequestItems", returnConsumedCapacity = "ReturnConsumedCapacity"
        case returnItemCollectionMetrics = "ReturnItemCollectionMetrics"
    }
}

public struct BatchWriteItemOutput: Codable, Sendable {
    /// The requests not applied; an empty map when every request was applied.
    public var unprocessedItems: [String: [WriteRequest]]
    public var consumedCapacity: [ConsumedCapacity]?

    enum CodingKeys: String, CodingKey { case unprocessedItems = "UnprocessedItems", consumedCapacity = "ConsumedCapacity" }
}

/// The limits of the batch operations, as DynamoDB documents them.
enum BatchLimits {
    static let maxGetKeys = 100
    static let maxWriteRequests = 25
    /// BatchGetItem's response limit: "16 MB". Counted in decimal megabytes, which reproduces the
    /// API Reference's example exactly (100 items of 300 KB: 52 returned, 48 unprocessed).
    static let maxGetResponseBytes = 16_000_000
}

extension TableMetadata {
    /// The engine key named by a Key parameter of a batch or transaction request. A missing,
    /// extra or wrongly typed key attribute is "The provided key element does not match the
    /// schema"; empty and oversized key values keep their own messages.
    func engineKey(fromRequestKey key: Item) throws(DynamoDBError) -> [UInt8] {
        try checkSchema(of: key, exact: true)
        return try engineKey(fromKey: key)
    }

    /// The engine key of an item written by BatchWriteItem, whose key errors DynamoDB reports
    /// as schema mismatches (not PutItem's "Missing the key" and "Type mismatch" wording).
    func engineKey(fromBatchItem item: Item) throws(DynamoDBError) -> [UInt8] {
        try checkSchema(of: item, exact: false)
        return try engineKey(from: item) { _ in "The provided key element does not match the schema" }
    }

    private func checkSchema(of item: Item, exact: Bool) throws(DynamoDBError) {
        let mismatch = DynamoDBError.validation("The provided key element does not match the schema")
        if exact && item.count != keyNames.count { throw mismatch }
        for name in keyNames {
            guard let v = item[name], v.typeDescriptor == attributeType(name).rawValue else { throw mismatch }
        }
    }
}

extension Database {
    // MARK: BatchGetItem

    /// Reads up to 100 items from one or more tables. Keys past the 16 MB response limit come
    /// back in UnprocessedKeys; a missing item is simply absent from Responses.
    public func batchGetItem(_ input: BatchGetItemInput) throws(DynamoDBError) -> BatchGetItemOutput {
        let request = input.requestItems
        if request.isEmpty { throw .validation("The requestItems parameter is required for BatchGetItem") }
        let names = request.keys.sorted()
        var total = 0
        for name in names {
            let count = request[name]!.keys.count
            if count < 1 {
                throw .validation("1 validation error detected: Value at 'RequestItems.\(name).member.Keys' failed to satisfy constraint: Member must have length greater than or equal to 1")
            }
            if count > BatchLimits.maxGetKeys {
                throw .validation("1 validation error detected: Value at 'RequestItems.\(name).member.Keys' failed to satisfy constraint: Member must have length less than or equal to \(BatchLimits.maxGetKeys)")
            }
            total += count
        }
        if total > BatchLimits.maxGetKeys { throw .validation("Too many items requested for the BatchGetItem call") }
        try ExpressionParameters.checkNotMixed(
            nonExpression: names.contains { request[$0]!.attributesToGet != nil } ? ["AttributesToGet"] : [],
            expression: names.contains { request[$0]!.projectionExpression != nil } ? ["ProjectionExpression"] : [])

        struct Plan {
            var name: String
            var table: TableMetadata
            var request: KeysAndAttributes
            var projection: ProjectionExpression?
            var keys: [[UInt8]]
        }
        var plans: [Plan] = []
        for name in names {
            let table = try table(name)
            let r = request[name]!
            var seen: Set<[UInt8]> = []
            var keys: [[UInt8]] = []
            for key in r.keys {
                let k = try table.engineKey(fromRequestKey: key)
                guard seen.insert(k).inserted else { throw .validation("Provided list of item keys contains duplicates") }
                keys.append(k)
            }
            try ExpressionParameters.checkAttributesNeedExpressions(names: r.expressionAttributeNames, values: nil,
                                                                    anyExpression: r.projectionExpression != nil)
            var attributes = try ExpressionAttributes(names: r.expressionAttributeNames)
            var projection: ProjectionExpression?
            if let p = r.projectionExpression {
                projection = try ProjectionExpression.parse(p, attributes: &attributes)
            } else if let a = r.attributesToGet {
                projection = try ProjectionExpression.attributesToGet(a)
            }
            try attributes.checkAllUsed()
            plans.append(Plan(name: name, table: table, request: r, projection: projection, keys: keys))
        }

        var responses: [String: [Item]] = [:]
        var unprocessed: [String: KeysAndAttributes] = [:]
        var capacity: [ConsumedCapacity] = []
        var responseBytes = 0
        var full = false
        for plan in plans {
            var items: [Item] = []
            var left: [Item] = []
            var units = 0.0
            for (i, key) in plan.keys.enumerated() {
                if full {
                    left.append(plan.request.keys[i])
                    continue
                }
                let item = try readItem(key)
                let size = item?.itemSize ?? 0
                if responseBytes + size > BatchLimits.maxGetResponseBytes {
                    full = true
                    left.append(plan.request.keys[i])
                    continue
                }
                responseBytes += size
                units += CapacityUnits.read(bytes: size, consistent: plan.request.consistentRead ?? false)
                if let item { items.append(plan.projection?.apply(to: item) ?? item) }
            }
            if left.count < plan.keys.count {
                responses[plan.name] = items
                if let c = CapacityUnits.report(input.returnConsumedCapacity, table: plan.name, read: units) { capacity.append(c) }
            }
            if !left.isEmpty {
                var rest = plan.request
                rest.keys = left
                unprocessed[plan.name] = rest
            }
        }
        let reportCapacity = input.returnConsumedCapacity.map { $0 != .none } ?? false
        return BatchGetItemOutput(responses: responses, unprocessedKeys: unprocessed, consumedCapacity: reportCapacity ? capacity : nil)
    }

    // MARK: BatchWriteItem

    /// Puts and deletes up to 25 items in one or more tables. Every request is validated first
    /// (nothing is written if any is invalid); then all of them are applied as one engine batch
    /// under the items' locks, so UnprocessedItems is always empty.
    public func batchWriteItem(_ input: BatchWriteItemInput) throws(DynamoDBError) -> BatchWriteItemOutput {
        let request = input.requestItems
        if request.isEmpty { throw .validation("The requestItems parameter is required for BatchWriteItem") }
        let names = request.keys.sorted()
        if names.contains(where: { request[$0]!.isEmpty || request[$0]!.count > BatchLimits.maxWriteRequests }) {
            throw .validation("1 validation error detected: Value '\(Self.describeRequestItems(request, names: names))' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to \(BatchLimits.maxWriteRequests), Member must have length greater than or equal to 1]")
        }
        if names.reduce(0, { $0 + request[$1]!.count }) > BatchLimits.maxWriteRequests {
            throw .validation("Too many items requested for the BatchWriteItem call")
        }
        for name in names {
            for r in request[name]! where (r.putRequest == nil) == (r.deleteRequest == nil) {
                throw .validation("Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest")
            }
        }

        struct Plan {
            var table: TableMetadata
            var key: [UInt8]
            var item: Item?
            /// The item's encoding and size (validated, sized and encoded in one pass).
            var encoded: [UInt8] = []
            var size = 0
        }
        var plans: [Plan] = []
        var seen: Set<[UInt8]> = []
        for name in names {
            let table = try table(name)
            for r in request[name]! {
                let plan: Plan
                if let put = r.putRequest {
                    let key = try table.engineKey(fromBatchItem: put.item)
                    let (encoded, size) = try ItemCodec.encodeValidated(put.item)
                    plan = Plan(table: table, key: key, item: put.item, encoded: encoded, size: size)
                } else {
                    plan = Plan(table: table, key: try table.engineKey(fromRequestKey: r.deleteRequest!.key), item: nil)
                }
                guard seen.insert(plan.key).inserted else { throw .validation("Provided list of item keys contains duplicates") }
                plans.append(plan)
            }
        }

        // Only the old items' sizes are needed (counters and capacity): read from their bytes.
        let oldSizes = try locks.withLocks(plans.map(\.key)) { () throws(DynamoDBError) -> [Int?] in
            var batch = WriteBatch()
            var oldSizes: [Int?] = []
            for p in plans {
                let oldSize = try readItemSize(p.key)
                oldSizes.append(oldSize)
                if p.item != nil {
                    batch.put(p.key, p.encoded)
                } else if oldSize != nil {
                    batch.delete(p.key)
                }
            }
            if batch.count > 0 { try write(batch) }
            for (p, oldSize) in zip(plans, oldSizes) where p.item != nil || oldSize != nil {
                catalog.adjust(table: p.table.id, items: Int64((p.item == nil ? 0 : 1) - (oldSize == nil ? 0 : 1)),
                               bytes: Int64(p.size - (oldSize ?? 0)))
            }
            return oldSizes
        }

        var capacity: [ConsumedCapacity]?
        if let mode = input.returnConsumedCapacity, mode != .none {
            var units: [String: Double] = [:]
            for (p, oldSize) in zip(plans, oldSizes) {
                units[p.table.name, default: 0] += CapacityUnits.write(bytes: max(p.size, oldSize ?? 0))
            }
            capacity = units.keys.sorted().compactMap { CapacityUnits.report(mode, table: $0, write: units[$0]!) }
        }
        return BatchWriteItemOutput(unprocessedItems: [:], consumedCapacity: capacity)
    }

    /// RequestItems as DynamoDB's request validation echoes it: `{table=[WriteRequest@..., ...]}`.
    static func describeRequestItems(_ request: [String: [WriteRequest]], names: [String]) -> String {
        var n: UInt32 = 0x5f3a_1c00
        let tables = names.map { name in
            let members = request[name]!.map { _ -> String in
                n &+= 0x9e37
                return "com.amazonaws.dynamodb.v20120810.WriteRequest@" + String(n, radix: 16)
            }
            return "\(name)=[\(members.joined(separator: ", "))]"
        }
        return "{\(tables.joined(separator: ", "))}"
    }
}
