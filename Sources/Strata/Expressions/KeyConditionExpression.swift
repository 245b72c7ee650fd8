/// A Query's key condition (from KeyConditionExpression or the legacy KeyConditions):
/// equality on the partition key and at most one condition on the sort key.
public struct KeyConditionExpression: Sendable, Hashable {
    public var partitionKey: String
    public var partitionValue: AttributeValue
    /// The sort key's name and condition, when the query has one.
    public var sortKey: String?
    public var sortCondition: SortKeyCondition?

    public init(partitionKey: String, partitionValue: AttributeValue, sortKey: String? = nil,
                sortCondition: SortKeyCondition? = nil) {
        self.partitionKey = partitionKey
        self.partitionValue = partitionValue
        self.sortKey = sortKey
        self.sortCondition = sortCondition
    }

    /// Parses a KeyConditionExpression against the key schema of the table or index queried.
    /// `attributeTypes` ("S", "N" or "B" per key attribute), when given, must match the values.
    public static func parse(_ text: String, partitionKey: String, sortKey: String?,
                             attributeTypes: [String: String] = [:],
                             attributes: inout ExpressionAttributes) throws(DynamoDBError) -> KeyConditionExpression {
        var parser = try Parser(text, kind: .keyCondition, attributes: attributes)
        let root = try parser.parseWholeCondition()
        attributes = parser.attributes

        var conditions: [(String, SortKeyCondition)] = []
        try collect(root, into: &conditions)
        return try build(conditions, partitionKey: partitionKey, sortKey: sortKey, attributeTypes: attributeTypes)
    }

    /// Flattens the ANDs and turns each comparison into (attribute, condition), with DynamoDB's
    /// messages for what a key condition cannot hold.
    static func collect(_ node: ConditionNode, into out: inout [(String, SortKeyCondition)]) throws(DynamoDBError) {
        func invalidOperator(_ op: String) -> DynamoDBError {
            .validation("Invalid operator used in KeyConditionExpression: \(op)")
        }
        func invalidCondition(_ detail: String) -> DynamoDBError {
            .validation("Invalid condition in KeyConditionExpression: \(detail)")
        }
        /// The one key attribute among the operands, and its position.
        func key(_ operands: [Operand]) throws(DynamoDBError) -> (name: String, position: Int) {
            var found: (name: String, position: Int)?
            for (i, o) in operands.enumerated() {
                switch o {
                case .path(let p):
                    if found != nil { throw invalidCondition("Multiple attribute names used in one condition") }
                    guard p.isTopLevel else { throw .validation("KeyConditionExpressions cannot have conditions on nested attributes") }
                    found = (p.attributeName, i)
                case .size:
                    throw .validation("KeyConditionExpressions cannot contain nested operations")
                case .value:
                    continue
                }
            }
            guard let found else { throw invalidCondition("No key attribute specified") }
            if out.contains(where: { $0.0 == found.name }) {
                throw .validation("KeyConditionExpressions must only contain one condition per key")
            }
            return found
        }
        func value(_ o: Operand) -> AttributeValue {
            if case .value(let v) = o { return v }
            preconditionFailure("key(_:) admits one path")
        }
        switch node {
        case .and(let l, let r):
            try collect(l, into: &out)
            try collect(r, into: &out)
        case .or: throw invalidOperator("OR")
        case .not: throw invalidOperator("NOT")
        case .in: throw invalidOperator("IN")
        case .attributeExists: throw invalidOperator("attribute_exists")
        case .attributeNotExists: throw invalidOperator("attribute_not_exists")
        case .attributeType: throw invalidOperator("attribute_type")
        case .contains: throw invalidOperator("contains")
        case .compare(_, .ne, _): throw invalidOperator("<>")
        case .compare(let a, let op, let b):
            let k = try key([a, b])
            let flipped: [Comparator: Comparator] = [.eq: .eq, .lt: .gt, .le: .ge, .gt: .lt, .ge: .le]
            out.append(k.position == 0 ? (k.name, SortKeyCondition(op, value(b))) : (k.name, SortKeyCondition(flipped[op]!, value(a))))
        case .between(let a, let lo, let hi):
            guard case .path = a else { throw invalidCondition("BETWEEN operator must have the key attribute as its first operand") }
            let k = try key([a, lo, hi])
            out.append((k.name, .between(value(lo), value(hi))))
        case .beginsWith(let a, let b):
            guard case .path = a else { throw invalidCondition("begins_with operator must have the key attribute as its first operand") }
            let k = try key([a, b])
            out.append((k.name, .beginsWith(value(b))))
        }
    }

    static func build(_ conditions: [(String, SortKeyCondition)], partitionKey: String, sortKey: String?,
                      attributeTypes: [String: String]) throws(DynamoDBError) -> KeyConditionExpression {
        for (_, condition) in conditions { try condition.comparisonOperator.validate(condition.values) }
        guard (1...2).contains(conditions.count) else { throw .validation("Conditions can be of length 1 or 2 only") }
        guard let hash = conditions.first(where: { $0.0 == partitionKey }) else {
            throw .validation("Query condition missed key schema element: \(partitionKey)")
        }
        guard case .equal(let hashValue) = hash.1 else { throw .validation("Query key condition not supported") }
        var result = KeyConditionExpression(partitionKey: partitionKey, partitionValue: hashValue)
        if let other = conditions.first(where: { $0.0 != partitionKey }) {
            guard let sortKey, other.0 == sortKey else {
                throw .validation("Query condition missed key schema element: \(sortKey ?? other.0)")
            }
            result.sortKey = sortKey
            result.sortCondition = other.1
        }
        for (name, condition) in conditions {
            guard let type = attributeTypes[name] else { continue }
            for v in condition.values where v.typeDescriptor != type {
                throw .validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
            }
        }
        return result
    }

    /// Whether `item`'s key attributes satisfy the condition.
    public func matches(_ item: Item) -> Bool {
        guard let pv = item[partitionKey], ValueOrder.equal(pv, partitionValue) else { return false }
        guard let sortKey, let sortCondition else { return true }
        guard let sv = item[sortKey] else { return false }
        return sortCondition.matches(sv)
    }
}

/// SortKeyCondition (declared with the key encoding, which turns it into an engine key range)
/// as the expression layer builds and checks it.
extension SortKeyCondition {
    init(_ op: Comparator, _ v: AttributeValue) {
        switch op {
        case .eq, .ne: self = .equal(v)
        case .lt: self = .lessThan(v)
        case .le: self = .lessThanOrEqual(v)
        case .gt: self = .greaterThan(v)
        case .ge: self = .greaterThanOrEqual(v)
        }
    }

    /// The legacy operator with the same meaning (for DynamoDB's shared value checks).
    var comparisonOperator: ComparisonOperator {
        switch self {
        case .equal: .eq
        case .lessThan: .lt
        case .lessThanOrEqual: .le
        case .greaterThan: .gt
        case .greaterThanOrEqual: .ge
        case .between: .between
        case .beginsWith: .beginsWith
        }
    }

    var values: [AttributeValue] {
        switch self {
        case .equal(let v), .lessThan(let v), .lessThanOrEqual(let v), .greaterThan(let v),
             .greaterThanOrEqual(let v), .beginsWith(let v): [v]
        case .between(let l, let h): [l, h]
        }
    }

    public func matches(_ value: AttributeValue) -> Bool {
        switch self {
        case .equal(let v): return ValueOrder.equal(value, v)
        case .lessThan(let v): return ValueOrder.compare(value, v) == .orderedAscending
        case .lessThanOrEqual(let v): return [.orderedAscending, .orderedSame].contains(ValueOrder.compare(value, v))
        case .greaterThan(let v): return ValueOrder.compare(value, v) == .orderedDescending
        case .greaterThanOrEqual(let v): return [.orderedDescending, .orderedSame].contains(ValueOrder.compare(value, v))
        case .between(let l, let h):
            guard let a = ValueOrder.compare(l, value), let b = ValueOrder.compare(value, h) else { return false }
            return a != .orderedDescending && b != .orderedDescending
        case .beginsWith(let v):
            switch (value, v) {
            case (.s(let x), .s(let y)): return x.utf8.starts(with: y.utf8)
            case (.b(let x), .b(let y)): return x.starts(with: y)
            default: return false
            }
        }
    }
}
