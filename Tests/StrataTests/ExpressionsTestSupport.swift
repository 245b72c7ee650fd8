import Testing
@testable import Strata

/// Helpers shared by the expression suites.
enum ExpressionsFixture {
    static func n(_ text: String) -> AttributeValue { .n(try! Number(text)) }
    static func ns(_ texts: String...) -> AttributeValue { .ns(texts.map { try! Number($0) }) }

    static func attributes(_ names: [String: String]? = nil,
                           _ values: [String: AttributeValue]? = nil) throws(DynamoDBError) -> ExpressionAttributes {
        try ExpressionAttributes(names: names, values: values)
    }

    /// Parses a condition and checks every placeholder was used, as a request would.
    static func condition(_ text: String, kind: ExpressionKind = .condition,
                          names: [String: String]? = nil,
                          values: [String: AttributeValue]? = nil) throws(DynamoDBError) -> ConditionExpression {
        var attrs = try attributes(names, values)
        let c = try ConditionExpression.parse(text, kind: kind, attributes: &attrs)
        try attrs.checkAllUsed()
        return c
    }

    static func update(_ text: String, names: [String: String]? = nil,
                       values: [String: AttributeValue]? = nil) throws(DynamoDBError) -> UpdateExpression {
        var attrs = try attributes(names, values)
        let u = try UpdateExpression.parse(text, attributes: &attrs)
        try attrs.checkAllUsed()
        return u
    }

    static func projection(_ text: String, names: [String: String]? = nil) throws(DynamoDBError) -> ProjectionExpression {
        var attrs = try attributes(names, nil)
        let p = try ProjectionExpression.parse(text, attributes: &attrs)
        try attrs.checkAllUsed()
        return p
    }

    static func path(_ elements: DocumentPath.Element...) -> DocumentPath { DocumentPath(elements) }

    /// The ProductCatalog item 123 of the Developer Guide's expression examples.
    static let bicycle: Item = [
        "Id": n("123"),
        "Title": .s("Bicycle 123"),
        "Description": .s("123 description"),
        "BicycleType": .s("Hybrid"),
        "Brand": .s("Brand-Company C"),
        "Price": n("500"),
        "Color": .ss(["Red", "Black"]),
        "ProductCategory": .s("Bicycle"),
        "InStock": .bool(true),
        "QuantityOnHand": .null,
        "RelatedItems": .l([n("341"), n("472"), n("649")]),
        "Pictures": .m([
            "FrontView": .s("http://example.com/products/123_front.jpg"),
            "RearView": .s("http://example.com/products/123_rear.jpg"),
            "SideView": .s("http://example.com/products/123_left_side.jpg"),
        ]),
        "ProductReviews": .m([
            "FiveStar": .l([
                .s("Excellent! Can't recommend it highly enough! Buy it!"),
                .s("Do yourself a favor and buy this."),
            ]),
            "OneStar": .l([.s("Terrible product! Do not buy this.")]),
        ]),
        "Comment": .s("This product sells out quickly during the summer"),
        "Safety.Warning": .s("Always wear a helmet"),
    ]
}
