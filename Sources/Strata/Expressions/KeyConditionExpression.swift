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

    static func error(_ detail: String) -> DynamoDBError { ExpressionKind.keyCondition.error(detail) }

    /// Flattens the ANDs and turns each comparison into (attribute, condition).
    static func collect(_ node: ConditionNode, into out: inout [(String, SortKeyCondition)]) throws(DynamoDBError) {
        func keyName(_ p: DocumentPath) throws(DynamoDBError) -> String {
            guard p.isTopLevel else { throw error("KeyConditionExpressions cannot have conditions on nested attributes") }
            return p.attributeName
        }
        func invalid(_ op: String) -> DynamoDBError { error("Invalid operator used in KeyConditionExpression: \(op)") }
        func noSize(_ operands: [Operand]) throws(DynamoDBError) {
            for o in operands {
                if case .size = o { throw invalid("size") }
            }
        }
        switch node {
        case .and(let l, let r):
            try collect(l, into: &out)
            try collect(r, into: &out)
        case .or: throw invalid("OR")
        case .not: throw invalid("NOT")
        case .in: throw invalid("IN")
        case .attributeExists: throw invalid("attribute_exists")
        case .attributeNotExists: throw invalid("attribute_not_exists")
        case .attributeType: throw invalid("attribute_type")
        case .contains: throw invalid("contains")
        case .compare(let a, let op, let b):
            try noSize([a, b])
            if op == .ne { throw invalid("<>") }
            let flipped: [Comparator: Comparator] = [.eq: .eq, .lt: .gt, .le: .ge, .gt: .lt, .ge: .le]
            switch (a, b) {
            case (.path(let p), .value(let v)):
                out.append((try keyName(p), SortKeyCondition(op, v)))
            case (.value(let v), .path(let p)):
                out.append((try keyName(p), SortKeyCondition(flipped[op]!, v)))
            default:
                throw .validation("Query key condition not supported")
            }
        case .between(let a, let lo, let hi):
            try noSize([a, lo, hi])
            guard case .path(let p) = a, case .value(let l) = lo, case .value(let h) = hi else {
                throw .validation("Query key condition not supported")
            }
            out.append((try keyName(p), .between(l, h)))
        case .beginsWith(let a, let b):
            try noSize([a, b])
            guard case .path(let p) = a, case .value(let v) = b else {
                throw .validation("Query key condition not supported")
            }
            out.append((try keyName(p), .beginsWith(v)))
        }
    }

    static func build(_ conditions: [(String, SortKeyCondition)], partitionKey: String, sortKey: String?,
                      attributeTypes: [String: String]) throws(DynamoDBError) -> KeyConditionExpression {
        guard conditions.count <= 2 else { throw .validation("Conditions can be of length 1 or 2 only") }
        if conditions.count == 2, conditions[0].0 == conditions[1].0 {
            throw .validation("KeyConditionExpressions must only contain one condition per key")
        }
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
