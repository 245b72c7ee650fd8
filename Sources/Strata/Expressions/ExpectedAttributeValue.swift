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
