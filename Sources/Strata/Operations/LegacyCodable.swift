// Wire (JSON) shapes of the legacy parameters, which the expression layer converts to expressions.

extension ComparisonOperator: Codable {}
extension ConditionalOperator: Codable {}

extension Condition: Codable {
    enum CodingKeys: String, CodingKey { case comparisonOperator = "ComparisonOperator", attributeValueList = "AttributeValueList" }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try c.decode(ComparisonOperator.self, forKey: .comparisonOperator),
                  try c.decodeIfPresent([AttributeValue].self, forKey: .attributeValueList))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(comparisonOperator, forKey: .comparisonOperator)
        try c.encodeIfPresent(attributeValueList, forKey: .attributeValueList)
    }
}

extension ExpectedAttributeValue: Codable {
    enum CodingKeys: String, CodingKey {
        case value = "Value", exists = "Exists", comparisonOperator = "ComparisonOperator", attributeValueList = "AttributeValueList"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(value: try c.decodeIfPresent(AttributeValue.self, forKey: .value),
                  exists: try c.decodeIfPresent(Bool.self, forKey: .exists),
                  comparisonOperator: try c.decodeIfPresent(ComparisonOperator.self, forKey: .comparisonOperator),
                  attributeValueList: try c.decodeIfPresent([AttributeValue].self, forKey: .attributeValueList))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(exists, forKey: .exists)
        try c.encodeIfPresent(comparisonOperator, forKey: .comparisonOperator)
        try c.encodeIfPresent(attributeValueList, forKey: .attributeValueList)
    }
}

extension AttributeValueUpdate.Action: Codable {}

extension AttributeValueUpdate: Codable {
    enum CodingKeys: String, CodingKey { case value = "Value", action = "Action" }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(value: try c.decodeIfPresent(AttributeValue.self, forKey: .value),
                  action: try c.decodeIfPresent(Action.self, forKey: .action))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(action, forKey: .action)
    }
}
