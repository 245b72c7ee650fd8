/// A parsed ConditionExpression or FilterExpression (also what the legacy Expected,
/// QueryFilter and ScanFilter parameters convert to), with placeholders resolved.
public struct ConditionExpression: Sendable, Hashable {
    public var root: ConditionNode

    public init(_ root: ConditionNode) { self.root = root }

    /// Parses `text` as the given kind (`.condition` or `.filter`), resolving placeholders
    /// from `attributes` and recording which ones it used.
    public static func parse(_ text: String, kind: ExpressionKind = .condition,
                             attributes: inout ExpressionAttributes) throws(DynamoDBError) -> ConditionExpression {
        var parser = try Parser(text, kind: kind, attributes: attributes)
        let root = try parser.parseWholeCondition()
        attributes = parser.attributes
        return ConditionExpression(root)
    }

    /// Whether `item` satisfies the condition. A missing item is an empty item.
    public func evaluate(_ item: Item) -> Bool { root.evaluate(item) }
}

/// The comparators of the expression grammar.
public enum Comparator: String, Sendable, Hashable {
    case eq = "="
    case ne = "<>"
    case lt = "<"
    case le = "<="
    case gt = ">"
    case ge = ">="
}

/// An operand of a comparison, BETWEEN, IN or function.
public indirect enum Operand: Sendable, Hashable {
    case path(DocumentPath)
    case value(AttributeValue)
    /// size(path)
    case size(DocumentPath)
}

/// A node of a condition: DynamoDB's precedence is comparisons, IN, BETWEEN and functions
/// first, then NOT, then AND, then OR.
public indirect enum ConditionNode: Sendable, Hashable {
    case compare(Operand, Comparator, Operand)
    case between(Operand, Operand, Operand)
    case `in`(Operand, [Operand])
    case attributeExists(DocumentPath)
    case attributeNotExists(DocumentPath)
    /// attribute_type(operand, :type) with the type descriptor ("S", "NS", ...).
    case attributeType(Operand, String)
    case beginsWith(Operand, Operand)
    case contains(Operand, Operand)
    case not(ConditionNode)
    case and(ConditionNode, ConditionNode)
    case or(ConditionNode, ConditionNode)
}
