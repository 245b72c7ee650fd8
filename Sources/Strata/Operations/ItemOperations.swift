// PutItem, GetItem, UpdateItem and DeleteItem.

public struct PutItemInput: Codable, Sendable {
    public var tableName: String
    public var item: Item
    public var conditionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: [String: AttributeValue]?
    public var returnValues: ReturnValue?
    public var returnConsumedCapacity: ReturnConsumedCapacity?
    public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
    public var expected: [String: ExpectedAttributeValue]?
    public var conditionalOperator: ConditionalOperator?

    public init(tableName: String, item: Item, conditionExpression: String? = nil,
                expressionAttributeNames: [String: String]? = nil, expressionAttributeValues: [String: AttributeValue]? = nil,
                returnValues: ReturnValue? = nil) {
        self.tableName = tableName
        self.item = item
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.returnValues = returnValues
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", item = "Item", conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        case returnValues = "ReturnValues", returnConsumedCapacity = "ReturnConsumedCapacity"
        case returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        case expected = "Expected", conditionalOperator = "ConditionalOperator"
    }
}

public struct DeleteItemInput: Codable, Sendable {
    public var tableName: String
    public var key: Item
    public var conditionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: [String: AttributeValue]?
    public var returnValues: ReturnValue?
    public var returnConsumedCapacity: ReturnConsumedCapacity?
    public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
    public var expected: [String: ExpectedAttributeValue]?
    public var conditionalOperator: ConditionalOperator?

    public init(tableName: String, key: Item, conditionExpression: String? = nil,
                expressionAttributeNames: [String: String]? = nil, expressionAttributeValues: [String: AttributeValue]? = nil,
                returnValues: ReturnValue? = nil) {
        self.tableName = tableName
        self.key = key
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.returnValues = returnValues
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        case returnValues = "ReturnValues", returnConsumedCapacity = "ReturnConsumedCapacity"
        case returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        case expected = "Expected", conditionalOperator = "ConditionalOperator"
    }
}

public struct UpdateItemInput: Codable, Sendable {
    public var tableName: String
    public var key: Item
    public var updateExpression: String?
    public var conditionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: [String: AttributeValue]?
    public var returnValues: ReturnValue?
    public var returnConsumedCapacity: ReturnConsumedCapacity?
    public var returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure?
    public var attributeUpdates: [String: AttributeValueUpdate]?
    public var expected: [String: ExpectedAttributeValue]?
    public var conditionalOperator: ConditionalOperator?

    public init(tableName: String, key: Item, updateExpression: String? = nil, conditionExpression: String? = nil,
                expressionAttributeNames: [String: String]? = nil, expressionAttributeValues: [String: AttributeValue]? = nil,
                returnValues: ReturnValue? = nil) {
        self.tableName = tableName
        self.key = key
        self.updateExpression = updateExpression
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.returnValues = returnValues
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", updateExpression = "UpdateExpression", conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        case returnValues = "ReturnValues", returnConsumedCapacity = "ReturnConsumedCapacity"
        case returnValuesOnConditionCheckFailure = "ReturnValuesOnConditionCheckFailure"
        case attributeUpdates = "AttributeUpdates", expected = "Expected", conditionalOperator = "ConditionalOperator"
    }
}

public struct WriteItemOutput: Codable, Sendable {
    public var attributes: Item?
    public var consumedCapacity: ConsumedCapacity?
    enum CodingKeys: String, CodingKey { case attributes = "Attributes", consumedCapacity = "ConsumedCapacity" }
}

public struct GetItemInput: Codable, Sendable {
    public var tableName: String
    public var key: Item
    public var consistentRead: Bool?
    public var projectionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var attributesToGet: [String]?
    public var returnConsumedCapacity: ReturnConsumedCapacity?

    public init(tableName: String, key: Item, consistentRead: Bool? = nil, projectionExpression: String? = nil,
                expressionAttributeNames: [String: String]? = nil) {
        self.tableName = tableName
        self.key = key
        self.consistentRead = consistentRead
        self.projectionExpression = projectionExpression
        self.expressionAttributeNames = expressionAttributeNames
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", consistentRead = "ConsistentRead"
        case projectionExpression = "ProjectionExpression", expressionAttributeNames = "ExpressionAttributeNames"
        case attributesToGet = "AttributesToGet", returnConsumedCapacity = "ReturnConsumedCapacity"
    }
}

public struct GetItemOutput: Codable, Sendable {
    public var item: Item?
    public var consumedCapacity: ConsumedCapacity?
    enum CodingKeys: String, CodingKey { case item = "Item", consumedCapacity = "ConsumedCapacity" }
}

/// Capacity units as DynamoDB computes them: reads in 4 KB units (half for eventually consistent
/// reads), writes in 1 KB units, at least one unit; transactions cost double.
enum CapacityUnits {
    static func read(bytes: Int, consistent: Bool) -> Double {
        let units = Double(max(1, (bytes + 4095) / 4096))
        return consistent ? units : units / 2
    }

    static func write(bytes: Int) -> Double { Double(max(1, (bytes + 1023) / 1024)) }

    /// The units are autoclosures: sizes are only computed when the caller asked for capacity.
    static func report(_ mode: ReturnConsumedCapacity?, table: String, read: @autoclosure () -> Double = 0,
                       write: @autoclosure () -> Double = 0) -> ConsumedCapacity? {
        guard let mode, mode != .none else { return nil }
        let read = read(), write = write()
        var c = ConsumedCapacity(tableName: table, capacityUnits: read + write)
        if read > 0 { c.readCapacityUnits = read }
        if write > 0 { c.writeCapacityUnits = write }
        if mode == .indexes {
            c.table = Capacity(capacityUnits: read + write, readCapacityUnits: read > 0 ? read : nil, writeCapacityUnits: write > 0 ? write : nil)
        }
        return c
    }
}

extension Database {
    /// Parses a write's condition (ConditionExpression or the legacy Expected), checking the
    /// rules on mixing parameter kinds.
    static func writeCondition(expression: String?, expected: [String: ExpectedAttributeValue]?,
                               conditionalOperator: ConditionalOperator?, otherExpressions: [String] = [],
                               otherLegacy: [String] = [],
                               attributes: inout ExpressionAttributes) throws(DynamoDBError) -> ConditionExpression? {
        var legacy = otherLegacy
        if expected != nil { legacy.append("Expected") }
        if conditionalOperator != nil { legacy.append("ConditionalOperator") }
        var modern = otherExpressions
        if expression != nil { modern.append("ConditionExpression") }
        try ExpressionParameters.checkNotMixed(nonExpression: legacy, expression: modern)
        if let expression {
            if expression.isEmpty { throw .validation("Invalid ConditionExpression: The expression can not be empty;") }
            return try ConditionExpression.parse(expression, kind: .condition, attributes: &attributes)
        }
        if conditionalOperator != nil && expected == nil {
            throw .validation("ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")
        }
        if let expected { return try ConditionExpression.expected(expected, conditionalOperator: conditionalOperator) }
        return nil
    }

    /// A PutItem's or DeleteItem's condition with its parameters checked (ExpressionAttributeNames
    /// and Values well formed, all used, not mixed with legacy parameters); a ConditionExpression
    /// seen before with the same names and values comes from the expression cache.
    func writeCondition(expression: String?, expected: [String: ExpectedAttributeValue]?, conditionalOperator: ConditionalOperator?,
                        names: [String: String]?, values: [String: AttributeValue]?) throws(DynamoDBError) -> ConditionExpression? {
        // A write without any condition parameter has nothing to check.
        if expression == nil, expected == nil, conditionalOperator == nil, names == nil, values == nil { return nil }
        let parse = { () throws(DynamoDBError) -> ExpressionCache.Parsed in
            var attributes = try ExpressionAttributes(names: names, values: values)
            try ExpressionParameters.checkAttributesNeedExpressions(names: names, values: values, anyExpression: expression != nil)
            let condition = try Self.writeCondition(expression: expression, expected: expected,
                                                    conditionalOperator: conditionalOperator, attributes: &attributes)
            try attributes.checkAllUsed()
            return ExpressionCache.Parsed(update: nil, condition: condition)
        }
        guard let expression, expected == nil, conditionalOperator == nil else { return try parse().condition }
        return try expressions.parsed(.init(update: nil, condition: expression, names: names), values: values, parse: parse).condition
    }

    static func conditionFailed(_ old: Item?, _ returnOnFailure: ReturnValuesOnConditionCheckFailure?) -> DynamoDBError {
        DynamoDBError(.conditionalCheckFailed, "The conditional request failed",
                      item: returnOnFailure == .allOld ? old : nil)
    }

    /// Writes (or deletes, when `new` is nil) one item and keeps the table's counts.
    /// `newSize` is the new item's size when the caller has it already.
    func store(_ table: TableMetadata, key: [UInt8], old: Item?, new: Item?, newSize: Int? = nil) throws(DynamoDBError) {
        try store(table, key: key, oldSize: old?.itemSize, new: new, newSize: newSize)
    }

    /// `oldSize` is nil when there is no old item.
    func store(_ table: TableMetadata, key: [UInt8], oldSize: Int?, new: Item?, newSize: Int? = nil,
               nonBlocking: Bool = false) throws(DynamoDBError) {
        if let new {
            let size = newSize ?? new.itemSize
            try store(table, key: key, oldSize: oldSize, encoded: ItemCodec.encode(new, sizeHint: size), size: size, nonBlocking: nonBlocking)
        } else {
            // One engine operation: the engine's single-write path needs no batch.
            try storage { try engine.delete(key, options: WriteOptions(nonBlocking: nonBlocking)) }
            catalog.adjust(table: table.id, items: oldSize == nil ? 0 : -1, bytes: Int64(-(oldSize ?? 0)))
        }
    }

    /// Writes an item already encoded (`size` is its DynamoDB size).
    func store(_ table: TableMetadata, key: [UInt8], oldSize: Int?, encoded: [UInt8], size: Int,
               nonBlocking: Bool = false) throws(DynamoDBError) {
        try storage { try engine.put(key, encoded, options: WriteOptions(nonBlocking: nonBlocking)) }
        catalog.adjust(table: table.id, items: oldSize == nil ? 1 : 0, bytes: Int64(size - (oldSize ?? 0)))
    }

    /// Writes an item already encoded over whatever the key holds, and returns the old item's
    /// size (nil when there was none): the engine finds the old item while it inserts the new
    /// one, so the key is searched once. The caller holds the item's lock.
    ///
    /// An old item whose bytes do not decode counts as an item of size 0: it is replaced, and
    /// the write is not failed after it has landed.
    func storeReplacing(_ table: TableMetadata, key: [UInt8], encoded: [UInt8], size: Int,
                        nonBlocking: Bool = false) throws(DynamoDBError) -> Int? {
        let oldSize = try storage {
            try engine.put(key, encoded, options: WriteOptions(nonBlocking: nonBlocking), measuringPrevious: { (try? ItemCodec.itemSize(ofEncoded: Array($0))) ?? 0 })
        }
        catalog.adjust(table: table.id, items: oldSize == nil ? 1 : 0, bytes: Int64(size - (oldSize ?? 0)))
        return oldSize
    }

    // MARK: PutItem

    public func putItem(_ input: PutItemInput) throws(DynamoDBError) -> WriteItemOutput {
        try putItem(input, nonBlocking: false)
    }

    /// `nonBlocking`: see `tryPutItem`; throws `.wouldWait` having changed nothing.
    func putItem(_ input: PutItemInput, nonBlocking: Bool) throws(DynamoDBError) -> WriteItemOutput {
        let table = try table(input.tableName)
        if let rv = input.returnValues, rv != .none && rv != .allOld {
            throw .validation("Return values set to invalid value")
        }
        let condition = try writeCondition(expression: input.conditionExpression, expected: input.expected,
                                           conditionalOperator: input.conditionalOperator,
                                           names: input.expressionAttributeNames, values: input.expressionAttributeValues)
        let item = input.item
        let key = try table.engineKey(from: item) { "One or more parameter values were invalid: Missing the key \($0) in the item" }
        // Validated and encoded before the lock is taken: the item does not depend on the old one.
        let (encoded, size) = try ItemCodec.encodeValidated(item)
        // Without a condition or ALL_OLD only the old item's size is needed (for the counters
        // and capacity): it is read from the encoding without decoding the item.
        let needsOld = condition != nil || input.returnValues == .allOld
        let returnOnFailure = input.returnValuesOnConditionCheckFailure  // the closure need not copy the input
        let (old, oldSize) = try locks.withLock(key, nonBlocking: nonBlocking) { () throws(DynamoDBError) -> (Item?, Int?) in
            guard needsOld else {
                return (nil, try storeReplacing(table, key: key, encoded: encoded, size: size, nonBlocking: nonBlocking))
            }
            let old = try readItem(key, nonBlocking: nonBlocking)
            if let condition, !condition.evaluate(old ?? [:]) {
                throw Self.conditionFailed(old, returnOnFailure)
            }
            let oldSize = old?.itemSize
            try store(table, key: key, oldSize: oldSize, encoded: encoded, size: size, nonBlocking: nonBlocking)
            return (old, oldSize)
        }
        return WriteItemOutput(attributes: input.returnValues == .allOld ? old : nil,
                               consumedCapacity: CapacityUnits.report(input.returnConsumedCapacity, table: table.name,
                                                                      write: CapacityUnits.write(bytes: max(size, oldSize ?? 0))))
    }

    // MARK: GetItem

    public func getItem(_ input: GetItemInput) throws(DynamoDBError) -> GetItemOutput {
        try getItem(input, nonBlocking: false)
    }

    /// `nonBlocking`: see `tryGetItem`; throws `.wouldWait` having changed nothing.
    func getItem(_ input: GetItemInput, nonBlocking: Bool) throws(DynamoDBError) -> GetItemOutput {
        let table = try table(input.tableName)
        try ExpressionParameters.checkNotMixed(nonExpression: input.attributesToGet == nil ? [] : ["AttributesToGet"],
                                               expression: input.projectionExpression == nil ? [] : ["ProjectionExpression"])
        try ExpressionParameters.checkAttributesNeedExpressions(names: input.expressionAttributeNames, values: nil,
                                                                anyExpression: input.projectionExpression != nil)
        var attributes = try ExpressionAttributes(names: input.expressionAttributeNames)
        var projection: ProjectionExpression?
        if let p = input.projectionExpression {
            projection = try ProjectionExpression.parse(p, attributes: &attributes)
        } else if let names = input.attributesToGet {
            projection = try ProjectionExpression.attributesToGet(names)
        }
        try attributes.checkAllUsed()
        let key = try table.engineKey(fromKey: input.key)
        let item = try readItem(key, nonBlocking: nonBlocking)
        return GetItemOutput(item: item.map { projection?.apply(to: $0) ?? $0 },
                             consumedCapacity: CapacityUnits.report(input.returnConsumedCapacity, table: table.name,
                                                                    read: CapacityUnits.read(bytes: item?.itemSize ?? 0, consistent: input.consistentRead ?? false)))
    }

    // MARK: DeleteItem

    public func deleteItem(_ input: DeleteItemInput) throws(DynamoDBError) -> WriteItemOutput {
        try deleteItem(input, nonBlocking: false)
    }

    /// `nonBlocking`: see `tryDeleteItem`; throws `.wouldWait` having changed nothing.
    func deleteItem(_ input: DeleteItemInput, nonBlocking: Bool) throws(DynamoDBError) -> WriteItemOutput {
        let table = try table(input.tableName)
        if let rv = input.returnValues, rv != .none && rv != .allOld {
            throw .validation("Return values set to invalid value")
        }
        let condition = try writeCondition(expression: input.conditionExpression, expected: input.expected,
                                           conditionalOperator: input.conditionalOperator,
                                           names: input.expressionAttributeNames, values: input.expressionAttributeValues)
        let key = try table.engineKey(fromKey: input.key)
        let needsOld = condition != nil || input.returnValues == .allOld
        let (old, oldSize) = try locks.withLock(key, nonBlocking: nonBlocking) { () throws(DynamoDBError) -> (Item?, Int?) in
            guard needsOld else {
                let oldSize = try readItemSize(key, nonBlocking: nonBlocking)
                if oldSize != nil { try store(table, key: key, oldSize: oldSize, new: nil, nonBlocking: nonBlocking) }
                return (nil, oldSize)
            }
            let old = try readItem(key, nonBlocking: nonBlocking)
            if let condition, !condition.evaluate(old ?? [:]) {
                throw Self.conditionFailed(old, input.returnValuesOnConditionCheckFailure)
            }
            let oldSize = old?.itemSize
            if old != nil { try store(table, key: key, oldSize: oldSize, new: nil, nonBlocking: nonBlocking) }
            return (old, oldSize)
        }
        return WriteItemOutput(attributes: input.returnValues == .allOld ? old : nil,
                               consumedCapacity: CapacityUnits.report(input.returnConsumedCapacity, table: table.name,
                                                                      write: CapacityUnits.write(bytes: oldSize ?? 0)))
    }

    // MARK: UpdateItem

    /// Parses an UpdateItem's update (UpdateExpression or legacy AttributeUpdates) and condition.
    static func parseUpdate(_ input: UpdateItemInput, table: TableMetadata) throws(DynamoDBError) -> (UpdateExpression?, ConditionExpression?) {
        let parsed = try parseUpdateExpressions(input)
        try checkUpdateSparesKey(parsed.update, table: table)
        return (parsed.update, parsed.condition)
    }

    /// `parseUpdate`, with the expressions of a request seen before (same texts, names and
    /// values, no legacy parameters) taken from the expression cache.
    func parsedUpdate(_ input: UpdateItemInput, table: TableMetadata) throws(DynamoDBError) -> (UpdateExpression?, ConditionExpression?) {
        guard input.attributeUpdates == nil, input.expected == nil, input.conditionalOperator == nil,
              input.updateExpression != nil || input.conditionExpression != nil else {
            return try Self.parseUpdate(input, table: table)
        }
        let key = ExpressionCache.Key(update: input.updateExpression, condition: input.conditionExpression, names: input.expressionAttributeNames)
        let parsed = try expressions.parsed(key, values: input.expressionAttributeValues) { () throws(DynamoDBError) in
            try Self.parseUpdateExpressions(input)
        }
        // The only check that depends on the table: it runs on every request.
        try Self.checkUpdateSparesKey(parsed.update, table: table)
        return (parsed.update, parsed.condition)
    }

    static func checkUpdateSparesKey(_ update: UpdateExpression?, table: TableMetadata) throws(DynamoDBError) {
        guard let update else { return }
        for action in update.actions where table.keyNames.contains(action.path.attributeName) {
            let name = action.path.attributeName
            throw .validation("One or more parameter values were invalid: Cannot update attribute \(name). This attribute is part of the key")
        }
    }

    /// An UpdateItem's update and condition, with the rules on their parameters checked.
    static func parseUpdateExpressions(_ input: UpdateItemInput) throws(DynamoDBError) -> ExpressionCache.Parsed {
        var legacy: [String] = []
        if input.attributeUpdates != nil { legacy.append("AttributeUpdates") }
        var modern: [String] = []
        if input.updateExpression != nil { modern.append("UpdateExpression") }
        var attributes = try ExpressionAttributes(names: input.expressionAttributeNames, values: input.expressionAttributeValues)
        try ExpressionParameters.checkAttributesNeedExpressions(names: input.expressionAttributeNames, values: input.expressionAttributeValues,
                                                                anyExpression: input.conditionExpression != nil || input.updateExpression != nil)
        if input.expected != nil || input.conditionalOperator != nil {
            try ExpressionParameters.checkNotMixed(nonExpression: legacy + (input.expected != nil ? ["Expected"] : []),
                                                   expression: modern + (input.conditionExpression != nil ? ["ConditionExpression"] : []))
        } else {
            try ExpressionParameters.checkNotMixed(nonExpression: legacy, expression: modern + (input.conditionExpression != nil ? ["ConditionExpression"] : []))
        }
        var update: UpdateExpression?
        if let text = input.updateExpression {
            update = try UpdateExpression.parse(text, attributes: &attributes)
        } else if let au = input.attributeUpdates {
            update = try UpdateExpression.attributeUpdates(au)
        }
        let condition = try writeCondition(expression: input.conditionExpression, expected: input.expected,
                                           conditionalOperator: input.conditionalOperator, attributes: &attributes)
        try attributes.checkAllUsed()
        return ExpressionCache.Parsed(update: update, condition: condition)
    }

    public func updateItem(_ input: UpdateItemInput) throws(DynamoDBError) -> WriteItemOutput {
        try updateItem(input, nonBlocking: false)
    }

    /// `nonBlocking`: see `tryUpdateItem`; throws `.wouldWait` having changed nothing.
    func updateItem(_ input: UpdateItemInput, nonBlocking: Bool) throws(DynamoDBError) -> WriteItemOutput {
        let table = try table(input.tableName)
        let (update, condition) = try parsedUpdate(input, table: table)
        let key = try table.engineKey(fromKey: input.key)
        // What the locked closure needs, so that it does not copy the whole input.
        let keepOld = input.returnValues == .allOld || input.returnValues == .updatedOld
        let returnOnFailure = input.returnValuesOnConditionCheckFailure
        let requestKey = input.key
        let (old, result, sizes) = try locks.withLock(key, nonBlocking: nonBlocking) { () throws(DynamoDBError) -> (Item?, UpdateResult, (old: Int, new: Int)) in
            var current = try readItem(key, nonBlocking: nonBlocking)
            if let condition, !condition.evaluate(current ?? [:]) {
                throw Self.conditionFailed(current, returnOnFailure)
            }
            let oldSize = current?.itemSize
            // Kept only when the answer shows it: otherwise the update changes the item in place.
            let old = keepOld ? current : nil
            var result = if let update { try update.apply(to: current.take()) } else { UpdateResult(item: current.take() ?? [:], updatedPaths: []) }
            // An item that existed holds these key values already (its engine key is their encoding).
            if oldSize == nil { for (k, v) in requestKey { result.item[k] = v } }
            // Validated, sized and encoded in one pass.
            let (encoded, size) = try ItemCodec.encodeValidated(result.item)
            try store(table, key: key, oldSize: oldSize, encoded: encoded, size: size, nonBlocking: nonBlocking)
            return (old, result, (oldSize ?? 0, size))
        }
        var returned: Item?
        switch input.returnValues ?? .none {
        case .none: returned = nil
        case .allOld: returned = old
        case .allNew: returned = result.item
        case .updatedOld: returned = old.map { result.updatedAttributes(of: $0) }
        case .updatedNew: returned = result.updatedAttributes(of: result.item)
        }
        if let r = returned, r.isEmpty { returned = nil }
        return WriteItemOutput(attributes: returned,
                               consumedCapacity: CapacityUnits.report(input.returnConsumedCapacity, table: table.name,
                                                                      write: CapacityUnits.write(bytes: max(sizes.new, sizes.old))))
    }
}
