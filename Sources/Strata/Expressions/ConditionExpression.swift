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
