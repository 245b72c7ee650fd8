// TransactWriteItems and TransactGetItems.
import Foundation

// MARK: Shapes

/// TransactWriteItems' ConditionCheck: a condition on an item the transaction does not write.
public struct TransactConditionCheck: Codable, Sendable {
    public var tableName: String
    public var key: Item
    public var conditionExpression: String
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: [String: AttributeValue]?
    public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?

    public init(tableName: String, key: Item, conditionExpression: String, expressionAttributeNames: [String: String]? = nil,
                expressionAttributeValues: [String: AttributeValue]? = nil,
                returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil) {
        self.tableName = tableName
        self.key = key
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        case returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
    }
}

/// TransactWriteItems' Put.
public struct TransactPut: Codable, Sendable {
    public var tableName: String
    public var item: Item
    public var conditionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: [String: AttributeValue]?
    public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?

    public init(tableName: String, item: Item, conditionExpression: String? = nil, expressionAttributeNames: [String: String]? = nil,
                expressionAttributeValues: [String: AttributeValue]? = nil,
                returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil) {
        self.tableName = tableName
        self.item = item
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", item = "Item", conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        case returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
    }
}

/// TransactWriteItems' Delete.
public struct TransactDelete: Codable, Sendable {
    public var tableName: String
    public var key: Item
    public var conditionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: [String: AttributeValue]?
    public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?

    public init(tableName: String, key: Item, conditionExpression: String? = nil, expressionAttributeNames: [String: String]? = nil,
                expressionAttributeValues: [String: AttributeValue]? = nil,
                returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil) {
        self.tableName = tableName
        self.key = key
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        case returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
    }
}

/// TransactWriteItems' Update.
public struct TransactUpdate: Codable, Sendable {
    public var tableName: String
    public var key: Item
    public var updateExpression: String
    public var conditionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: [String: AttributeValue]?
    public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?

    public init(tableName: String, key: Item, updateExpression: String, conditionExpression: String? = nil,
                expressionAttributeNames: [String: String]? = nil, expressionAttributeValues: [String: AttributeValue]? = nil,
                returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure? = nil) {
        self.tableName = tableName
        self.key = key
        self.updateExpression = updateExpression
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.returnValuesOnConditionCheckFailure = returnValuesOnConditionCheckFailure
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", updateExpression = "UpdateExpression", conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        case returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
    }
}

/// One action of a TransactWriteItems: exactly one of the four is set.
public struct TransactWriteItem: Codable, Sendable {
    public var conditionCheck: TransactConditionCheck?
    public var put: TransactPut?
    public var delete: TransactDelete?
    public var update: TransactUpdate?

    public init(conditionCheck: TransactConditionCheck? = nil, put: TransactPut? = nil, delete: TransactDelete? = nil,
                update: TransactUpdate? = nil) {
        self.conditionCheck = conditionCheck
        self.put = put
        self.delete = delete
        self.update = update
    }

    public static func conditionCheck(_ c: TransactConditionCheck) -> TransactWriteItem { TransactWriteItem(conditionCheck: c) }
    public static func put(_ p: TransactPut) -> TransactWriteItem { TransactWriteItem(put: p) }
    public static func delete(_ d: TransactDelete) -> TransactWriteItem { TransactWriteItem(delete: d) }
    public static func update(_ u: TransactUpdate) -> TransactWriteItem { TransactWriteItem(update: u) }

    enum CodingKeys: String, CodingKey {
        case conditionCheck = "ConditionCheck", put = "Put", delete = "Delete", update = "Update"
    }
}

public struct TransactWriteItemsInput: Codable, Sendable {
    public var transactItems: [TransactWriteItem]
    public var clientRequestToken: String?
    public var returnConsumedCapacity: ReturnConsumedCapacity?
    /// Accepted; item collection metrics are not reported.
    public var returnItemCollectionMetrics: String?

    public init(transactItems: [TransactWriteItem], clientRequestToken: String? = nil,
                returnConsumedCapacity: ReturnConsumedCapacity? = nil) {
        self.transactItems = transactItems
        self.clientRequestToken = clientRequestToken
        self.returnConsumedCapacity = returnConsumedCapacity
    }

    enum CodingKeys: String, CodingKey {
        case transactItems = "TransactItems", clientRequestToken = "ClientRequestToken"
        case returnConsumedCapacity = "ReturnConsumedCapacity", returnItemCollectionMetrics = "ReturnItemCollectionMetrics"
    }
}

public struct TransactWriteItemsOutput: Codable, Sendable {
    public var consumedCapacity: [ConsumedCapacity]?
    enum CodingKeys: String, CodingKey { case consumedCapacity = "ConsumedCapacity" }
}

/// TransactGetItems' Get.
public struct TransactGet: Codable, Sendable {
    public var tableName: String
    public var key: Item
    public var projectionExpression: String?
    public var expressionAttributeNames: [String: String]?

    public init(tableName: String, key: Item, projectionExpression: String? = nil, expressionAttributeNames: [String: String]? = nil) {
        self.tableName = tableName
        self.key = key
        self.projectionExpression = projectionExpression
        self.expressionAttributeNames = expressionAttributeNames
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", projectionExpression = "ProjectionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames"
    }
}

public struct TransactGetItem: Codable, Sendable {
    public var get: TransactGet
    public init(get: TransactGet) { self.get = get }
    public static func get(_ g: TransactGet) -> TransactGetItem { TransactGetItem(get: g) }
    enum CodingKeys: String, CodingKey { case get = "Get" }
}

public struct TransactGetItemsInput: Codable, Sendable {
    public var transactItems: [TransactGetItem]
    public var returnConsumedCapacity: ReturnConsumedCapacity?

    public init(transactItems: [TransactGetItem], returnConsumedCapacity: ReturnConsumedCapacity? = nil) {
        self.transactItems = transactItems
        self.returnConsumedCapacity = returnConsumedCapacity
    }

    enum CodingKeys: String, CodingKey { case transactItems = "TransactItems", returnConsumedCapacity = "ReturnConsumedCapacity" }
}

/// One entry of TransactGetItems' Responses: the item, or nothing when it does not exist.
public struct ItemResponse: Codable, Sendable, Equatable {
    public var item: Item?
    public init(item: Item?) { self.item = item }
    enum CodingKeys: String, CodingKey { case item = "Item" }
}

public struct TransactGetItemsOutput: Codable, Sendable {
    /// In the order of TransactItems.
    public var responses: [ItemResponse]
    public var consumedCapacity: [ConsumedCapacity]?
    enum CodingKeys: String, CodingKey { case responses = "Responses", consumedCapacity = "ConsumedCapacity" }
}

// MARK: Limits and errors

enum TransactionLimits {
    static let maxActions = 100
    /// "The aggregate size of the items in the transaction cannot exceed 4 MB."
    static let maxRequestBytes = 4 * 1024 * 1024
    static let maxTokenLength = 36
}

extension DynamoDBError.Code {
    public static let transactionInProgress = DynamoDBError.Code("TransactionInProgressException")
}

extension DynamoDBError {
    /// TransactionCanceledException with DynamoDB's summary of the reason codes, in action order.
    static func transactionCanceled(_ reasons: [CancellationReason]) -> DynamoDBError {
        DynamoDBError(.transactionCanceled,
                      "Transaction cancelled, please refer cancellation reasons for specific reasons [\(reasons.map(\.code).joined(separator: ", "))]",
                      cancellationReasons: reasons)
    }

    /// A key error DynamoDB reports for the whole request (an empty key value) rather than as
    /// the action's ValidationError cancellation reason (a missing or mistyped key attribute).
    var isRequestLevelKeyError: Bool {
        message.hasPrefix("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty")
    }
}

// MARK: Idempotency

extension IdempotencyCache {
    /// A client request token stays valid for 10 minutes after its request completes.
    static let window: Double = 600
    /// The time of an entry whose request is still running (never expires).
    static let pending = Double.infinity

    enum Claim: Equatable { case fresh, replay, mismatch, inProgress }

    /// Claims `token` for a request with `fingerprint`: `.fresh` records it as pending and the
    /// caller must later `complete` or `abandon` it.
    func claim(_ token: String, fingerprint: [UInt8], now: Double) -> Claim {
        entries.withLock { entries in
            if let e = entries[token], e.time == Self.pending || now - e.time <= Self.window {
                if e.fingerprint != fingerprint { return .mismatch }
                return e.time == Self.pending ? .inProgress : .replay
            }
            entries[token] = Entry(fingerprint: fingerprint, time: Self.pending)
            if entries.count % 1024 == 0 {
                entries = entries.filter { $0.value.time == Self.pending || now - $0.value.time <= Self.window }
            }
            return .fresh
        }
    }

    func complete(_ token: String, now: Double) { entries.withLock { $0[token]?.time = now } }

    func abandon(_ token: String) { entries.withLock { $0[token] = nil } }

    /// A digest of the request's parameters (everything but the token and the Return* options):
    /// two independent 64-bit FNV-1a hashes of its canonical JSON, and its length.
    static func fingerprint(_ items: [TransactWriteItem]) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(items)).map { [UInt8]($0) } ?? []
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
            b = (b ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01b3 &+ 0x9e37_79b9_7f4a_7c15
        }
        var out: [UInt8] = []
        for v in [a, b, UInt64(bytes.count)] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
        }
        return out
    }
}

// MARK: Operations

/// One validated action of a TransactWriteItems.
struct TransactionAction {
    enum Kind {
        case check
        case put(Item)
        case delete
        case update(UpdateExpression?)
    }

    var kind: Kind
    var table: TableMetadata
    /// The key attributes (Update writes them into the item).
    var keyItem: Item
    /// The engine key, or the message of the action's ValidationError when the key is invalid.
    var key: Result<[UInt8], DynamoDBError>
    var condition: ConditionExpression?
    var returnOnFailure: ReturnValuesOnConditionCheckFailure?
    /// What the action contributes to the 4 MB request limit.
    var requestBytes: Int
}

extension Database {
    public func transactWriteItems(_ input: TransactWriteItemsInput) throws(DynamoDBError) -> TransactWriteItemsOutput {
        try transactWriteItems(input, now: Date().timeIntervalSince1970)
    }

    /// TransactWriteItems at time `now` (seconds; the idempotency window is measured with it).
    package func transactWriteItems(_ input: TransactWriteItemsInput, now: Double) throws(DynamoDBError) -> TransactWriteItemsOutput {
        try Self.checkTransactItemCount(input.transactItems.count)
        for item in input.transactItems {
            let count = [item.conditionCheck != nil, item.put != nil, item.delete != nil, item.update != nil].filter { $0 }.count
            if count == 0 { throw .validation("Invalid Request: TransactWriteRequest should contain Delete or Put or Update request") }
            if count > 1 { throw .validation("TransactItems can only contain one of Check, Put, Update or Delete") }
        }
        guard let token = input.clientRequestToken else { return try executeTransaction(input) }
        if token.isEmpty || token.count > TransactionLimits.maxTokenLength {
            let bound = token.isEmpty ? "greater than or equal to 1" : "less than or equal to \(TransactionLimits.maxTokenLength)"
            throw .validation("1 validation error detected: Value '\(token)' at 'clientRequestToken' failed to satisfy constraint: Member must have length \(bound)")
        }
        switch idempotency.claim(token, fingerprint: IdempotencyCache.fingerprint(input.transactItems), now: now) {
        case .mismatch:
            throw DynamoDBError(.idempotentParameterMismatch,
                                "DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used.")
        case .inProgress:
            throw DynamoDBError(.transactionInProgress, "Transaction from previous request is still in progress")
        case .replay:
            return try replayTransaction(input)
        case .fresh:
            do {
                let output = try executeTransaction(input)
                idempotency.complete(token, now: now)
                return output
            } catch {
                idempotency.abandon(token)
                throw error
            }
        }
    }

    static func checkTransactItemCount(_ count: Int) throws(DynamoDBError) {
        if count < 1 {
            throw .validation("1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
        }
        if count > TransactionLimits.maxActions {
            throw .validation("1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length less than or equal to \(TransactionLimits.maxActions)")
        }
    }

    /// Validates every action as DynamoDB does before running any: request-level errors throw;
    /// a missing or mistyped key is kept as that action's ValidationError.
    func planTransaction(_ items: [TransactWriteItem]) throws(DynamoDBError) -> [TransactionAction] {
        var actions: [TransactionAction] = []
        var seen: Set<[UInt8]> = []
        var requestBytes = 0
        for item in items {
            let action: TransactionAction
            if let p = item.put {
                action = try planPut(p)
            } else if let u = item.update {
                action = try planUpdate(u)
            } else if let d = item.delete {
                let table = try table(d.tableName)
                let condition = try transactCondition(d.conditionExpression, names: d.expressionAttributeNames, values: d.expressionAttributeValues)
                action = TransactionAction(kind: .delete, table: table, keyItem: d.key, key: try Self.actionKey { () throws(DynamoDBError) in try table.engineKey(fromRequestKey: d.key) },
                                           condition: condition, returnOnFailure: d.returnValuesOnConditionCheckFailure, requestBytes: d.key.itemSize)
            } else {
                let c = item.conditionCheck!
                let table = try table(c.tableName)
                let condition = try transactCondition(c.conditionExpression, names: c.expressionAttributeNames, values: c.expressionAttributeValues)
                action = TransactionAction(kind: .check, table: table, keyItem: c.key, key: try Self.actionKey { () throws(DynamoDBError) in try table.engineKey(fromRequestKey: c.key) },
                                           condition: condition, returnOnFailure: c.returnValuesOnConditionCheckFailure, requestBytes: c.key.itemSize)
            }
            if case .success(let key) = action.key, !seen.insert(key).inserted {
                throw .validation("Transaction request cannot include multiple operations on one item")
            }
            requestBytes += action.requestBytes
            actions.append(action)
        }
        if requestBytes > TransactionLimits.maxRequestBytes {
            throw .validation("Collection size of items exceeded, which can also be caused by the aggregate size of the items in the transaction exceeding the 4MB limit")
        }
        return actions
    }

    private func planPut(_ p: TransactPut) throws(DynamoDBError) -> TransactionAction {
        let table = try table(p.tableName)
        let condition = try transactCondition(p.conditionExpression, names: p.expressionAttributeNames, values: p.expressionAttributeValues)
        let key = try Self.actionKey { () throws(DynamoDBError) in
            try table.engineKey(from: p.item) { "One or more parameter values were invalid: Missing the key \($0) in the item" }
        }
        try p.item.validateItem()
        return TransactionAction(kind: .put(p.item), table: table, keyItem: table.keyAttributes(of: p.item), key: key,
                                 condition: condition, returnOnFailure: p.returnValuesOnConditionCheckFailure, requestBytes: p.item.itemSize)
    }

    private func planUpdate(_ u: TransactUpdate) throws(DynamoDBError) -> TransactionAction {
        let table = try table(u.tableName)
        var input = UpdateItemInput(tableName: u.tableName, key: u.key, updateExpression: u.updateExpression,
                                    conditionExpression: u.conditionExpression, expressionAttributeNames: u.expressionAttributeNames,
                                    expressionAttributeValues: u.expressionAttributeValues)
        input.returnValuesOnConditionCheckFailure = u.returnValuesOnConditionCheckFailure
        let (update, condition) = try parsedUpdate(input, table: table)
        let key = try Self.actionKey { () throws(DynamoDBError) in try table.engineKey(fromRequestKey: u.key) }
        let valueBytes = (u.expressionAttributeValues ?? [:]).itemSize
        return TransactionAction(kind: .update(update), table: table, keyItem: u.key, key: key, condition: condition,
                                 returnOnFailure: u.returnValuesOnConditionCheckFailure, requestBytes: u.key.itemSize + valueBytes)
    }

    /// A Put, Delete or ConditionCheck condition: expressions only, every placeholder used (the
    /// single-item writes' check, expression cache included).
    func transactCondition(_ expression: String?, names: [String: String]?,
                           values: [String: AttributeValue]?) throws(DynamoDBError) -> ConditionExpression? {
        try writeCondition(expression: expression, expected: nil, conditionalOperator: nil, names: names, values: values)
    }

    /// Computes an action's key, throwing the errors DynamoDB reports for the whole request and
    /// keeping the others for the action's cancellation reason.
    static func actionKey(_ body: () throws(DynamoDBError) -> [UInt8]) throws(DynamoDBError) -> Result<[UInt8], DynamoDBError> {
        do {
            return .success(try body())
        } catch {
            if error.isRequestLevelKeyError { throw error }
            return .failure(error)
        }
    }

    /// Runs a validated transaction: under every item's lock, reads the items, evaluates all the
    /// conditions and updates, and either cancels with a reason per action or applies every
    /// write in one engine batch (atomic and durable as a unit; readers see all of it or none).
    func executeTransaction(_ input: TransactWriteItemsInput) throws(DynamoDBError) -> TransactWriteItemsOutput {
        let actions = try planTransaction(input.transactItems)
        let keys = actions.compactMap { try? $0.key.get() }
        let applied = try locks.withLocks(keys) { () throws(DynamoDBError) -> [(old: Item?, new: Item?)] in
            var reasons: [DynamoDBError.CancellationReason] = []
            var results: [(old: Item?, new: Item?)] = []
            var cancelled = false
            for a in actions {
                let key: [UInt8]
                switch a.key {
                case .success(let k): key = k
                case .failure(let e):
                    reasons.append(.init(code: "ValidationError", message: e.message))
                    results.append((nil, nil))
                    cancelled = true
                    continue
                }
                let old = try readItem(key)
                if let c = a.condition, !c.evaluate(old ?? [:]) {
                    reasons.append(.init(code: "ConditionalCheckFailed", message: "The conditional request failed",
                                         item: a.returnOnFailure == .allOld ? old : nil))
                    results.append((old, old))
                    cancelled = true
                    continue
                }
                var new: Item?
                switch a.kind {
                case .check: new = old
                case .put(let item): new = item
                case .delete: new = nil
                case .update(let update):
                    do throws(DynamoDBError) {
                        var result = try update?.apply(to: old) ?? UpdateResult(item: old ?? [:], updatedPaths: [])
                        for (k, v) in a.keyItem { result.item[k] = v }
                        try result.item.validateItem()
                        new = result.item
                    } catch {
                        reasons.append(.init(code: "ValidationError", message: error.message))
                        results.append((old, old))
                        cancelled = true
                        continue
                    }
                }
                reasons.append(.init(code: "None"))
                results.append((old, new))
            }
            if cancelled { throw .transactionCanceled(reasons) }

            var batch = WriteBatch()
            for (a, r) in zip(actions, results) {
                guard case .success(let key) = a.key else { continue }
                switch a.kind {
                case .check: continue
                case .delete: if r.old != nil { batch.delete(key) }
                case .put, .update: batch.put(key, ItemCodec.encode(r.new!))
                }
            }
            if batch.count > 0 { try write(batch) }
            for (a, r) in zip(actions, results) where r.old != nil || r.new != nil {
                if case .check = a.kind { continue }
                catalog.adjust(table: a.table.id, items: Int64((r.new == nil ? 0 : 1) - (r.old == nil ? 0 : 1)),
                               bytes: Int64((r.new?.itemSize ?? 0) - (r.old?.itemSize ?? 0)))
            }
            return results
        }

        guard let mode = input.returnConsumedCapacity, mode != .none else { return TransactWriteItemsOutput() }
        var read: [String: Double] = [:], written: [String: Double] = [:]
        for (a, r) in zip(actions, applied) {
            if case .check = a.kind {
                read[a.table.name, default: 0] += 2 * CapacityUnits.read(bytes: r.old?.itemSize ?? 0, consistent: true)
            } else {
                written[a.table.name, default: 0] += 2 * CapacityUnits.write(bytes: max(r.old?.itemSize ?? 0, r.new?.itemSize ?? 0))
            }
        }
        return TransactWriteItemsOutput(consumedCapacity: Self.capacity(mode, read: read, write: written))
    }

    /// A repeated request with a known token: nothing is written again. As DynamoDB documents,
    /// the capacity reported is that of reading the items (transactional reads).
    func replayTransaction(_ input: TransactWriteItemsInput) throws(DynamoDBError) -> TransactWriteItemsOutput {
        guard let mode = input.returnConsumedCapacity, mode != .none else { return TransactWriteItemsOutput() }
        let actions = try planTransaction(input.transactItems)
        let snapshot = engine.snapshot()
        defer { snapshot.release() }
        var read: [String: Double] = [:]
        for a in actions {
            let item = try readItem(try a.key.get(), snapshot: snapshot)
            read[a.table.name, default: 0] += 2 * CapacityUnits.read(bytes: item?.itemSize ?? 0, consistent: true)
        }
        return TransactWriteItemsOutput(consumedCapacity: Self.capacity(mode, read: read, write: [:]))
    }

    static func capacity(_ mode: ReturnConsumedCapacity, read: [String: Double], write: [String: Double]) -> [ConsumedCapacity] {
        Set(read.keys).union(write.keys).sorted().compactMap {
            CapacityUnits.report(mode, table: $0, read: read[$0] ?? 0, write: write[$0] ?? 0)
        }
    }

    // MARK: TransactGetItems

    /// Reads up to 100 items at one engine snapshot, so the result is a consistent view: it never
    /// shows part of a transaction.
    public func transactGetItems(_ input: TransactGetItemsInput) throws(DynamoDBError) -> TransactGetItemsOutput {
        try Self.checkTransactItemCount(input.transactItems.count)
        var plans: [(table: TableMetadata, key: Result<[UInt8], DynamoDBError>, projection: ProjectionExpression?)] = []
        for item in input.transactItems {
            let g = item.get
            let table = try table(g.tableName)
            try ExpressionParameters.checkAttributesNeedExpressions(names: g.expressionAttributeNames, values: nil,
                                                                    anyExpression: g.projectionExpression != nil)
            var attributes = try ExpressionAttributes(names: g.expressionAttributeNames)
            let projection = try g.projectionExpression.map { (p: String) throws(DynamoDBError) -> ProjectionExpression in
                try ProjectionExpression.parse(p, attributes: &attributes)
            }
            try attributes.checkAllUsed()
            let key = try Self.actionKey { () throws(DynamoDBError) in try table.engineKey(fromRequestKey: g.key) }
            plans.append((table, key, projection))
        }
        if plans.contains(where: { if case .failure = $0.key { true } else { false } }) {
            throw .transactionCanceled(plans.map {
                if case .failure(let e) = $0.key { .init(code: "ValidationError", message: e.message) } else { .init(code: "None") }
            })
        }

        let snapshot = engine.snapshot()
        defer { snapshot.release() }
        var responses: [ItemResponse] = []
        var read: [String: Double] = [:]
        for p in plans {
            let item = try readItem(try p.key.get(), snapshot: snapshot)
            read[p.table.name, default: 0] += 2 * CapacityUnits.read(bytes: item?.itemSize ?? 0, consistent: true)
            responses.append(ItemResponse(item: item.map { p.projection?.apply(to: $0) ?? $0 }))
        }
        var capacity: [ConsumedCapacity]?
        if let mode = input.returnConsumedCapacity, mode != .none { capacity = Self.capacity(mode, read: read, write: [:]) }
        return TransactGetItemsOutput(responses: responses, consumedCapacity: capacity)
    }
}
