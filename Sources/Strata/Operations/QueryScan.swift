// Query and Scan: the API Reference's inputs and outputs, and the operations over the page
// reader in Pagination.swift.

public struct QueryInput: Codable, Sendable {
    public var tableName: String
    public var indexName: String?
    public var keyConditionExpression: String?
    public var filterExpression: String?
    public var projectionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: [String: AttributeValue]?
    public var select: Select?
    public var limit: Int?
    public var consistentRead: Bool?
    public var scanIndexForward: Bool?
    public var exclusiveStartKey: Item?
    public var returnConsumedCapacity: ReturnConsumedCapacity?
    public var keyConditions: [String: Condition]?
    public var queryFilter: [String: Condition]?
    public var attributesToGet: [String]?
    public var conditionalOperator: ConditionalOperator?

    public init(tableName: String, indexName: String? = nil, keyConditionExpression: String? = nil,
                filterExpression: String? = nil, projectionExpression: String? = nil,
                expressionAttributeNames: [String: String]? = nil, expressionAttributeValues: [String: AttributeValue]? = nil,
                select: Select? = nil, limit: Int? = nil, consistentRead: Bool? = nil, scanIndexForward: Bool? = nil,
                exclusiveStartKey: Item? = nil, returnConsumedCapacity: ReturnConsumedCapacity? = nil) {
        self.tableName = tableName
        self.indexName = indexName
        self.keyConditionExpression = keyConditionExpression
        self.filterExpression = filterExpression
        self.projectionExpression = projectionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.select = select
        self.limit = limit
        self.consistentRead = consistentRead
        self.scanIndexForward = scanIndexForward
        self.exclusiveStartKey = exclusiveStartKey
        self.returnConsumedCapacity = returnConsumedCapacity
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", indexName = "IndexName", keyConditionExpression = "KeyConditionExpression"
        case filterExpression = "FilterExpression", projectionExpression = "ProjectionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        case select = "Select", limit = "Limit", consistentRead = "ConsistentRead", scanIndexForward = "ScanIndexForward"
        case exclusiveStartKey = "ExclusiveStartKey", returnConsumedCapacity = "ReturnConsumedCapacity"
        case keyConditions = "KeyConditions", queryFilter = "QueryFilter", attributesToGet = "AttributesToGet"
        case conditionalOperator = "ConditionalOperator"
    }
}

public struct QueryOutput: Codable, Sendable {
    /// The matching items of the page, projected; nil with Select=COUNT.
    public var items: [Item]?
    /// Items that matched the filter.
    public var count: Int
    /// Items evaluated, before the filter.
    public var scannedCount: Int
    /// Present when the page stopped on Limit or 1 MB: pass it as ExclusiveStartKey.
    public var lastEvaluatedKey: Item?
    public var consumedCapacity: ConsumedCapacity?

    enum CodingKeys: String, CodingKey {
        case items = "Items", count = "Count", scannedCount = "ScannedCount"
        case lastEvaluatedKey = "LastEvaluatedKey", consumedCapacity = "ConsumedCapacity"
    }
}

public struct ScanInput: Codable, Sendable {
    public var tableName: String
    public var indexName: String?
    public var filterExpression: String?
    public var projectionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: [String: AttributeValue]?
    public var select: Select?
    public var limit: Int?
    public var consistentRead: Bool?
    public var exclusiveStartKey: Item?
    public var returnConsumedCapacity: ReturnConsumedCapacity?
    public var segment: Int?
    public var totalSegments: Int?
    public var scanFilter: [String: Condition]?
    public var attributesToGet: [String]?
    public var conditionalOperator: ConditionalOperator?

    public init(tableName: String, indexName: String? = nil, filterExpression: String? = nil,
                projectionExpression: String? = nil, expressionAttributeNames: [String: String]? = nil,
                expressionAttributeValues: [String: AttributeValue]? = nil, select: Select? = nil, limit: Int? = nil,
                consistentRead: Bool? = nil, exclusiveStartKey: Item? = nil,
                returnConsumedCapacity: ReturnConsumedCapacity? = nil, segment: Int? = nil, totalSegments: Int? = nil) {
        self.tableName = tableName
        self.indexName = indexName
        self.filterExpression = filterExpression
        self.projectionExpression = projectionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.select = select
        self.limit = limit
        self.consistentRead = consistentRead
        self.exclusiveStartKey = exclusiveStartKey
        self.returnConsumedCapacity = returnConsumedCapacity
        self.segment = segment
        self.totalSegments = totalSegments
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", indexName = "IndexName", filterExpression = "FilterExpression"
        case projectionExpression = "ProjectionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        case select = "Select", limit = "Limit", consistentRead = "ConsistentRead"
        case exclusiveStartKey = "ExclusiveStartKey", returnConsumedCapacity = "ReturnConsumedCapacity"
        case segment = "Segment", totalSegments = "TotalSegments"
        case scanFilter = "ScanFilter", attributesToGet = "AttributesToGet", conditionalOperator = "ConditionalOperator"
    }
}

public struct ScanOutput: Codable, Sendable {
    /// The matching items of the page, projected; nil with Select=COUNT.
    public var items: [Item]?
    public var count: Int
    public var scannedCount: Int
    public var lastEvaluatedKey: Item?
    public var consumedCapacity: ConsumedCapacity?

    enum CodingKeys: String, CodingKey {
        case items = "Items", count = "Count", scannedCount = "ScannedCount"
        case lastEvaluatedKey = "LastEvaluatedKey", consumedCapacity = "ConsumedCapacity"
    }
}

extension Database {
    // MARK: Query

    /// Reads one page of the items of one partition whose sort keys satisfy the key condition,
    /// in sort-key order (descending with ScanIndexForward=false): a single range read of the
    /// engine.
    public func query(_ input: QueryInput) throws(DynamoDBError) -> QueryOutput {
        try ReadRequest.checkLimit(input.limit)
        var legacy: [String] = []
        if input.attributesToGet != nil { legacy.append("AttributesToGet") }
        if input.queryFilter != nil { legacy.append("QueryFilter") }
        if input.conditionalOperator != nil { legacy.append("ConditionalOperator") }
        if input.keyConditions != nil { legacy.append("KeyConditions") }
        var modern: [String] = []
        if input.projectionExpression != nil { modern.append("ProjectionExpression") }
        if input.filterExpression != nil { modern.append("FilterExpression") }
        if input.keyConditionExpression != nil { modern.append("KeyConditionExpression") }
        try ExpressionParameters.checkNotMixed(nonExpression: legacy, expression: modern)
        try ReadRequest.checkSelect(input.select, projectionExpression: input.projectionExpression,
                                    attributesToGet: input.attributesToGet, indexName: input.indexName)
        if input.keyConditions == nil && input.keyConditionExpression == nil {
            throw .validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
        }
        if input.conditionalOperator != nil && input.queryFilter == nil {
            throw .validation("ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")
        }
        try ExpressionParameters.checkAttributesNeedExpressions(names: input.expressionAttributeNames, values: input.expressionAttributeValues,
                                                                anyExpression: !modern.isEmpty)
        var attributes = try ExpressionAttributes(names: input.expressionAttributeNames, values: input.expressionAttributeValues)

        let table = try table(input.tableName)
        try ReadRequest.checkIndex(input.indexName, table: table, consistentRead: input.consistentRead)

        // The key condition, then the filter and the projection, as DynamoDB reports them.
        var types: [String: String] = [:]
        for name in table.keyNames { types[name] = table.attributeType(name).rawValue }
        let key: KeyConditionExpression
        if let text = input.keyConditionExpression {
            key = try KeyConditionExpression.parse(text, partitionKey: table.partitionKey, sortKey: table.sortKey,
                                                   attributeTypes: types, attributes: &attributes)
        } else {
            key = try KeyConditionExpression.keyConditions(input.keyConditions ?? [:], partitionKey: table.partitionKey,
                                                           sortKey: table.sortKey, attributeTypes: types)
        }
        var filter: ConditionExpression?
        var filterNames: Set<String> = []
        if let text = input.filterExpression {
            filter = try ConditionExpression.parse(text, kind: .filter, attributes: &attributes)
            filterNames = filter!.attributeNames
        } else if let conditions = input.queryFilter {
            filter = try ConditionExpression.filter(conditions, conditionalOperator: input.conditionalOperator)
            filterNames = Set(conditions.keys)
        }
        for name in table.keyNames where filterNames.contains(name) {
            let parameter = input.queryFilter != nil ? "QueryFilter" : "Filter Expression"
            throw .validation("\(parameter) can only contain non-primary key attributes: Primary key attribute: \(name)")
        }
        let projection = try ReadRequest.projection(input.projectionExpression, attributesToGet: input.attributesToGet,
                                                    attributes: &attributes)
        try attributes.checkAllUsed()
        try AttributeValue.validateKey(key.partitionValue, name: table.partitionKey,
                                       type: table.attributeType(table.partitionKey), role: .partition)
        if let sortKey = key.sortKey, let condition = key.sortCondition {
            for v in condition.values {
                try AttributeValue.validateKey(v, name: sortKey, type: table.attributeType(sortKey), role: .sort)
            }
        }

        var plan = PagePlan(range: KeyEncoding.queryRange(tableID: table.id, partitionKey: key.partitionValue,
                                                          condition: key.sortCondition))
        plan.forward = input.scanIndexForward ?? true
        plan.limit = input.limit
        plan.filter = filter
        plan.projection = projection
        plan.countOnly = input.select == .count
        if let start = input.exclusiveStartKey {
            plan.after = try ReadRequest.startKey(start, table: table, mismatch: "The provided starting key is invalid")
            guard ValueOrder.equal(start[table.partitionKey]!, key.partitionValue) else {
                throw .validation("The provided starting key is outside query boundaries based on provided conditions")
            }
            if let sortKey = table.sortKey, let condition = key.sortCondition, !condition.matches(start[sortKey]!) {
                throw .validation("The provided starting key does not match the range key predicate")
            }
        }
        let page = try readPage(plan, table: table)
        let units = CapacityUnits.read(bytes: page.bytesRead, consistent: input.consistentRead ?? false)
        return QueryOutput(items: plan.countOnly ? nil : page.items, count: page.count, scannedCount: page.scannedCount,
                           lastEvaluatedKey: page.lastEvaluatedKey,
                           consumedCapacity: CapacityUnits.report(input.returnConsumedCapacity, table: table.name, read: units))
    }

    // MARK: Scan

    /// Reads one page of the whole table in key order, or of one segment of a parallel scan.
    public func scan(_ input: ScanInput) throws(DynamoDBError) -> ScanOutput {
        try ReadRequest.checkLimit(input.limit)
        let segment = try Self.scanSegment(segment: input.segment, totalSegments: input.totalSegments)
        var legacy: [String] = []
        if input.attributesToGet != nil { legacy.append("AttributesToGet") }
        if input.scanFilter != nil { legacy.append("ScanFilter") }
        if input.conditionalOperator != nil { legacy.append("ConditionalOperator") }
        var modern: [String] = []
        if input.projectionExpression != nil { modern.append("ProjectionExpression") }
        if input.filterExpression != nil { modern.append("FilterExpression") }
        try ExpressionParameters.checkNotMixed(nonExpression: legacy, expression: modern)
        try ReadRequest.checkSelect(input.select, projectionExpression: input.projectionExpression,
                                    attributesToGet: input.attributesToGet, indexName: input.indexName)
        if input.conditionalOperator != nil && input.scanFilter == nil {
            throw .validation("ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")
        }
        try ExpressionParameters.checkAttributesNeedExpressions(names: input.expressionAttributeNames, values: input.expressionAttributeValues,
                                                                anyExpression: !modern.isEmpty)
        var attributes = try ExpressionAttributes(names: input.expressionAttributeNames, values: input.expressionAttributeValues)

        let table = try table(input.tableName)
        try ReadRequest.checkIndex(input.indexName, table: table, consistentRead: input.consistentRead)

        var filter: ConditionExpression?
        if let text = input.filterExpression {
            filter = try ConditionExpression.parse(text, kind: .filter, attributes: &attributes)
        } else if let conditions = input.scanFilter {
            filter = try ConditionExpression.filter(conditions, conditionalOperator: input.conditionalOperator)
        }
        let projection = try ReadRequest.projection(input.projectionExpression, attributesToGet: input.attributesToGet,
                                                    attributes: &attributes)
        try attributes.checkAllUsed()

        let prefix = KeyEncoding.tablePrefix(table.id)
        var plan = PagePlan(range: KeyRange(lower: prefix, upper: KeyEncoding.successor(of: prefix)))
        plan.limit = input.limit
        plan.filter = filter
        plan.projection = projection
        plan.countOnly = input.select == .count
        plan.segment = segment
        plan.fillCache = false
        if let start = input.exclusiveStartKey {
            let key = try ReadRequest.startKey(start, table: table,
                                               mismatch: "The provided starting key is invalid: The provided key element does not match the schema")
            if let segment, !segment.contains(key: key) {
                throw .validation("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: \(segment.total) Segment: \(ScanSegment.of(key: key, total: segment.total))")
            }
            plan.after = key
        }
        let page = try readPage(plan, table: table)
        let units = CapacityUnits.read(bytes: page.bytesRead, consistent: input.consistentRead ?? false)
        return ScanOutput(items: plan.countOnly ? nil : page.items, count: page.count, scannedCount: page.scannedCount,
                          lastEvaluatedKey: page.lastEvaluatedKey,
                          consumedCapacity: CapacityUnits.report(input.returnConsumedCapacity, table: table.name, read: units))
    }

    /// Segment and TotalSegments: both or neither, TotalSegments 1...1000000, Segment below it.
    static func scanSegment(segment: Int?, totalSegments: Int?) throws(DynamoDBError) -> ScanSegment? {
        if let total = totalSegments {
            if total < 1 {
                throw .validation("1 validation error detected: Value '\(total)' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1")
            }
            if total > 1_000_000 {
                throw .validation("1 validation error detected: Value '\(total)' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000")
            }
        }
        if let segment {
            if segment < 0 {
                throw .validation("1 validation error detected: Value '\(segment)' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0")
            }
            if segment > 999_999 {
                throw .validation("1 validation error detected: Value '\(segment)' at 'segment' failed to satisfy constraint: Member must have value less than or equal to 999999")
            }
        }
        switch (segment, totalSegments) {
        case (nil, nil):
            return nil
        case (_?, nil):
            throw .validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
        case (nil, _?):
            throw .validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
        case (let s?, let t?):
            guard s < t else {
                throw .validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: \(s) is not less than TotalSegments: \(t)")
            }
            return ScanSegment(index: s, total: t)
        }
    }
}
