/// ConditionalOperator: how the entries of Expected, QueryFilter or ScanFilter combine (AND by default).
public enum ConditionalOperator: String, Sendable, Hashable {
    case and = "AND", or = "OR"
}
