extension ConditionExpression {
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
