/// A DynamoDB attribute value: one of the ten types of the data model.
public enum AttributeValue: Sendable, Hashable {
    case s(String)
    case n(Number)
    case b([UInt8])
    case bool(Bool)
    case null
    case m([String: AttributeValue])
    case l([AttributeValue])
    case ss([String])
    case ns([Number])
    case bs([[UInt8]])

    /// The type descriptor DynamoDB uses on the wire and in attribute_type(): "S", "N", "B", ...
    public var typeDescriptor: String {
        switch self {
        case .s: "S"
        case .n: "N"
        case .b: "B"
        case .bool: "BOOL"
        case .null: "NULL"
        case .m: "M"
        case .l: "L"
        case .ss: "SS"
        case .ns: "NS"
        case .bs: "BS"
        }
    }
}

/// An item: attribute names to values.
public typealias Item = [String: AttributeValue]
