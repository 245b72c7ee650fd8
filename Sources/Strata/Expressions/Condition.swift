/// The API Reference's Condition: used by KeyConditions, QueryFilter and ScanFilter.
public struct Condition: Sendable, Hashable {
    public var comparisonOperator: ComparisonOperator
    public var attributeValueList: [AttributeValue]?

    public init(_ comparisonOperator: ComparisonOperator, _ attributeValueList: [AttributeValue]? = nil) {
        self.comparisonOperator = comparisonOperator
        self.attributeValueList = attributeValueList
    }
}
