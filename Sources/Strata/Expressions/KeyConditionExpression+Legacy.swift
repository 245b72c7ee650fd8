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
