/// The legacy conditional parameters of the API Reference (Expected, KeyConditions,
/// QueryFilter, ScanFilter, AttributeUpdates, ConditionalOperator), which convert to the
/// same trees the expressions parse to.

/// ComparisonOperator of the legacy Condition and ExpectedAttributeValue.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case eq = "EQ", ne = "NE", le = "LE", lt = "LT", ge = "GE", gt = "GT"
    case notNull = "NOT_NULL", null = "NULL"
    case contains = "CONTAINS", notContains = "NOT_CONTAINS", beginsWith = "BEGINS_WITH"
    case `in` = "IN", between = "BETWEEN"
}

public enum ConditionalOperator: String, Sendable, Hashable {
    case and = "AND", or = "OR"
}

/// The API Reference's Condition: used by KeyConditions, QueryFilter and ScanFilter.
public struct Condition: Sendable, Hashable {
    public var comparisonOperator: ComparisonOperator
    public var attributeValueList: [AttributeValue]?

    public init(_ comparisonOperator: ComparisonOperator, _ attributeValueList: [AttributeValue]? = nil) {
        self.comparisonOperator = comparisonOperator
        self.attributeValueList = attributeValueList
    }
}

/// The API Reference's ExpectedAttributeValue: one entry of Expected.
public struct ExpectedAttributeValue: Sendable, Hashable {
    public var value: AttributeValue?
    public var exists: Bool?
    public var comparisonOperator: ComparisonOperator?
    public var attributeValueList: [AttributeValue]?

    public init(value: AttributeValue? = nil, exists: Bool? = nil,
                comparisonOperator: ComparisonOperator? = nil, attributeValueList: [AttributeValue]? = nil) {
        self.value = value
        self.exists = exists
        self.comparisonOperator = comparisonOperator
        self.attributeValueList = attributeValueList
    }
}

/// The API Reference's AttributeValueUpdate: one entry of AttributeUpdates.
public struct AttributeValueUpdate: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable { case put = "PUT", add = "ADD", delete = "DELETE" }

    public var value: AttributeValue?
    public var action: Action?

    public init(value: AttributeValue? = nil, action: Action? = nil) {
        self.value = value
        self.action = action
    }
}

/// Request-level rules on which expression parameters may appear together.
public enum ExpressionParameters {
    /// Rejects a request that sends both kinds, naming each present parameter, in the order given.
    /// For example `nonExpression: ["AttributeUpdates"], expression: ["UpdateExpression"]`.
    public static func checkNotMixed(nonExpression: [String], expression: [String]) throws(DynamoDBError) {
        guard !nonExpression.isEmpty, !expression.isEmpty else { return }
        throw .validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {\(nonExpression.joined(separator: ", "))} Expression parameters: {\(expression.joined(separator: ", "))}")
    }

    /// ExpressionAttributeNames and ExpressionAttributeValues need at least one expression.
    public static func checkAttributesNeedExpressions(names: [String: String]?, values: [String: AttributeValue]?,
                                                      anyExpression: Bool) throws(DynamoDBError) {
        guard !anyExpression else { return }
        if names != nil { throw .validation("ExpressionAttributeNames can only be specified when using expressions") }
        if values != nil { throw .validation("ExpressionAttributeValues can only be specified when using expressions") }
    }
}

extension ComparisonOperator {
    static func invalid(_ detail: String) -> DynamoDBError {
        .validation("One or more parameter values were invalid: \(detail)")
    }

    /// Checks the AttributeValueList as DynamoDB does: its length, one type throughout, a type
    /// the operator takes, and BETWEEN's bounds in order. In Expected, EQ and NE take any type;
    /// in KeyConditions, QueryFilter and ScanFilter, scalars and sets.
    func validate(_ list: [AttributeValue], expected: Bool = false) throws(DynamoDBError) {
        let countOK: Bool
        switch self {
        case .null, .notNull: countOK = list.isEmpty
        case .between: countOK = list.count == 2
        case .in: countOK = !list.isEmpty
        default: countOK = list.count == 1
        }
        guard countOK else { throw Self.invalid("Invalid number of argument(s) for the \(rawValue) ComparisonOperator") }
        if let first = list.first, list.contains(where: { $0.typeDescriptor != first.typeDescriptor }) {
            throw Self.invalid("AttributeValues inside AttributeValueList must be of same type")
        }
        for v in list {
            let typeOK: Bool
            switch (self, v) {
            case (.eq, _) where expected, (.ne, _) where expected: typeOK = true
            case (.eq, .ss), (.eq, .ns), (.eq, .bs), (.ne, .ss), (.ne, .ns), (.ne, .bs): typeOK = true
            case (.beginsWith, .s), (.beginsWith, .b): typeOK = true
            case (.beginsWith, _): typeOK = false
            case (_, .s), (_, .n), (_, .b): typeOK = true
            default: typeOK = false
            }
            guard typeOK else {
                throw Self.invalid("ComparisonOperator \(rawValue) is not valid for \(v.typeDescriptor) AttributeValue type")
            }
        }
        if self == .between, ValueOrder.compare(list[0], list[1]) == .orderedDescending {
            throw .validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
        }
    }

    /// The condition tree for `attribute <operator> list`.
    func node(_ name: String, _ list: [AttributeValue]) -> ConditionNode {
        let path = Operand.path(DocumentPath(attribute: name))
        let docPath = DocumentPath(attribute: name)
        switch self {
        case .eq: return .compare(path, .eq, .value(list[0]))
        case .ne: return .compare(path, .ne, .value(list[0]))
        case .le: return .compare(path, .le, .value(list[0]))
        case .lt: return .compare(path, .lt, .value(list[0]))
        case .ge: return .compare(path, .ge, .value(list[0]))
        case .gt: return .compare(path, .gt, .value(list[0]))
        case .null: return .attributeNotExists(docPath)
        case .notNull: return .attributeExists(docPath)
        case .contains: return .contains(path, .value(list[0]))
        case .notContains: return .and(.attributeExists(docPath), .not(.contains(path, .value(list[0]))))
        case .beginsWith: return .beginsWith(path, .value(list[0]))
        case .in: return .in(path, list.map(Operand.value))
        case .between: return .between(path, .value(list[0]), .value(list[1]))
        }
    }
}

extension ConditionExpression {
    /// The top-level attributes the condition reads (a Query's filter may not name key attributes).
    public var attributeNames: Set<String> {
        var out: Set<String> = []
        func visit(_ o: Operand) {
            switch o {
            case .path(let p), .size(let p): out.insert(p.attributeName)
            case .value: break
            }
        }
        func visit(_ n: ConditionNode) {
            switch n {
            case .compare(let a, _, let b), .beginsWith(let a, let b), .contains(let a, let b):
                visit(a); visit(b)
            case .between(let a, let b, let c): visit(a); visit(b); visit(c)
            case .in(let a, let list): visit(a); list.forEach(visit)
            case .attributeExists(let p), .attributeNotExists(let p): out.insert(p.attributeName)
            case .attributeType(let o, _): visit(o)
            case .not(let c): visit(c)
            case .and(let l, let r), .or(let l, let r): visit(l); visit(r)
            }
        }
        visit(root)
        return out
    }

    static func combine(_ nodes: [ConditionNode], _ op: ConditionalOperator?) -> ConditionExpression? {
        guard var node = nodes.first else { return nil }
        for next in nodes.dropFirst() { node = op == .or ? .or(node, next) : .and(node, next) }
        return ConditionExpression(node)
    }

    /// The legacy Expected parameter; nil when it is empty.
    public static func expected(_ expected: [String: ExpectedAttributeValue],
                                conditionalOperator: ConditionalOperator? = nil) throws(DynamoDBError) -> ConditionExpression? {
        var nodes: [ConditionNode] = []
        for name in expected.keys.sorted() {
            let e = expected[name]!
            if e.value != nil, e.attributeValueList != nil {
                throw ComparisonOperator.invalid("Value and AttributeValueList cannot be used together for Attribute: \(name)")
            }
            if let op = e.comparisonOperator {
                if e.exists != nil {
                    throw ComparisonOperator.invalid("Exists and ComparisonOperator cannot be used together for Attribute: \(name)")
                }
                if op != .null, op != .notNull, e.attributeValueList == nil, e.value == nil {
                    throw ComparisonOperator.invalid("Value or AttributeValueList must be used with ComparisonOperator: \(op.rawValue) for Attribute: \(name)")
                }
                let list = e.attributeValueList ?? e.value.map { [$0] } ?? []
                try op.validate(list, expected: true)
                nodes.append(op.node(name, list))
                continue
            }
            if e.attributeValueList != nil {
                throw ComparisonOperator.invalid("AttributeValueList can only be used with a ComparisonOperator for Attribute: \(name)")
            }
            switch (e.exists, e.value) {
            case (false?, nil):
                nodes.append(.attributeNotExists(DocumentPath(attribute: name)))
            case (false?, _?):
                throw ComparisonOperator.invalid("Value cannot be used when Exists is false for Attribute: \(name)")
            case (true?, nil):
                throw ComparisonOperator.invalid("Value must be provided when Exists is true for Attribute: \(name)")
            case (nil, nil):
                throw ComparisonOperator.invalid("Value must be provided when Exists is null for Attribute: \(name)")
            case (_, let v?):
                nodes.append(ComparisonOperator.eq.node(name, [v]))
            }
        }
        return combine(nodes, conditionalOperator)
    }

    /// The legacy QueryFilter or ScanFilter; nil when it is empty.
    public static func filter(_ conditions: [String: Condition],
                              conditionalOperator: ConditionalOperator? = nil) throws(DynamoDBError) -> ConditionExpression? {
        var nodes: [ConditionNode] = []
        for name in conditions.keys.sorted() {
            let c = conditions[name]!
            let list = c.attributeValueList ?? []
            try c.comparisonOperator.validate(list)
            nodes.append(c.comparisonOperator.node(name, list))
        }
        return combine(nodes, conditionalOperator)
    }
}

extension KeyConditionExpression {
    /// The legacy KeyConditions parameter of Query.
    public static func keyConditions(_ conditions: [String: Condition], partitionKey: String, sortKey: String?,
                                     attributeTypes: [String: String] = [:]) throws(DynamoDBError) -> KeyConditionExpression {
        var collected: [(String, SortKeyCondition)] = []
        let names = conditions.keys.sorted { a, b in a == partitionKey || (b != partitionKey && a < b) }
        for name in names {
            try conditions[name]!.comparisonOperator.validate(conditions[name]!.attributeValueList ?? [])
        }
        guard (1...2).contains(conditions.count) else { throw .validation("Conditions can be of length 1 or 2 only") }
        for name in names {
            let c = conditions[name]!
            let list = c.attributeValueList ?? []
            let condition: SortKeyCondition
            switch c.comparisonOperator {
            case .eq, .le, .lt, .ge, .gt, .beginsWith, .between:
                switch c.comparisonOperator {
                case .eq: condition = .equal(list[0])
                case .le: condition = .lessThanOrEqual(list[0])
                case .lt: condition = .lessThan(list[0])
                case .ge: condition = .greaterThanOrEqual(list[0])
                case .gt: condition = .greaterThan(list[0])
                case .beginsWith: condition = .beginsWith(list[0])
                default: condition = .between(list[0], list[1])
                }
            default:
                throw .validation("Attempted conditional constraint is not an indexable operation")
            }
            collected.append((name, condition))
        }
        return try build(collected, partitionKey: partitionKey, sortKey: sortKey, attributeTypes: attributeTypes)
    }
}

extension UpdateExpression {
    /// The legacy AttributeUpdates parameter of UpdateItem: PUT (the default), ADD (numbers,
    /// sets, and appending to lists) and DELETE (the attribute, or members of a set).
    public static func attributeUpdates(_ updates: [String: AttributeValueUpdate]) throws(DynamoDBError) -> UpdateExpression {
        var actions: [UpdateAction] = []
        for name in updates.keys.sorted() {
            let u = updates[name]!
            let path = DocumentPath(attribute: name)
            let action = u.action ?? .put
            switch (action, u.value) {
            case (.delete, nil):
                actions.append(.remove(path))
            case (.delete, let v?):
                guard v.isSet else {
                    throw ComparisonOperator.invalid("DELETE action with value is not supported for the type \(v.typeDescriptor)")
                }
                actions.append(.delete(path, v))
            case (_, nil):
                throw ComparisonOperator.invalid("Only DELETE action is allowed when no attribute value is specified")
            case (.put, let v?):
                actions.append(.set(path, .value(v)))
            case (.add, let v?):
                switch v {
                case .n, .ss, .ns, .bs, .l: actions.append(.add(path, v))
                default:
                    throw ComparisonOperator.invalid("ADD action is not supported for the type \(v.typeDescriptor)")
                }
            }
        }
        var update = UpdateExpression(actions: actions)
        update.addAppendsLists = true
        return update
    }
}
