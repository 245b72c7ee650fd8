/// The legacy conditional parameters of the API Reference (Expected, KeyConditions,
/// QueryFilter, ScanFilter, AttributeUpdates, ConditionalOperator) convert to the same trees the
/// expressions parse to.

/// ComparisonOperator of the legacy Condition and ExpectedAttributeValue.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case eq = "EQ", ne = "NE", le = "LE", lt = "LT", ge = "GE", gt = "GT"
    case notNull = "NOT_NULL", null = "NULL"
    case contains = "CONTAINS", notContains = "NOT_CONTAINS", beginsWith = "BEGINS_WITH"
    case `in` = "IN", between = "BETWEEN"
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
