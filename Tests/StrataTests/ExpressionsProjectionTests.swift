import Testing
@testable import Strata

private typealias F = ExpressionsFixture

@Suite("ProjectionExpression")
struct ExpressionsProjectionTests {
    @Test func guideExample() throws {
        // The Developer Guide's "Description, RelatedItems[0], ProductReviews.FiveStar".
        let p = try F.projection("Description, RelatedItems[0], ProductReviews.FiveStar")
        #expect(p.apply(to: F.bicycle) == [
            "Description": .s("123 description"),
            "RelatedItems": .l([F.n("341")]),
            "ProductReviews": .m(["FiveStar": F.bicycle["ProductReviews"].flatMap {
                if case .m(let m) = $0 { m["FiveStar"] } else { nil }
            }!]),
        ])
    }

    @Test func namesWithDotsNeedPlaceholders() throws {
        let p = try F.projection("#sw, #pr.#1star", names: ["#sw": "Safety.Warning", "#pr": "ProductReviews", "#1star": "OneStar"])
        #expect(p.apply(to: F.bicycle) == [
            "Safety.Warning": .s("Always wear a helmet"),
            "ProductReviews": .m(["OneStar": .l([.s("Terrible product! Do not buy this.")])]),
        ])
    }

    @Test func listElementsCompactInIndexOrder() throws {
        let item: Item = ["l": .l([.s("l0"), .s("l1"), .s("l2")])]
        #expect(try F.projection("l[2], l[0]").apply(to: item) == ["l": .l([.s("l0"), .s("l2")])])
        #expect(try F.projection("l[7]").apply(to: item) == [:])
    }

    @Test func mapsKeepOnlyProjectedKeys() throws {
        let item: Item = ["m": .m(["a": .s("x"), "b": .m(["c": .s("y"), "d": .s("z")]), "e": .l([.m(["f": .s("w"), "g": .null])])])]
        #expect(try F.projection("m.b.c, m.e[0].g").apply(to: item) ==
                ["m": .m(["b": .m(["c": .s("y")]), "e": .l([.m(["g": .null])])])])
        // A path through the wrong type or a missing key contributes nothing.
        #expect(try F.projection("m.a.x, m.zz").apply(to: item) == [:])
        #expect(try F.projection("m[0]").apply(to: item) == [:])
    }

    @Test func missingAttributesAreLeftOut() throws {
        #expect(try F.projection("Nope, Title").apply(to: F.bicycle) == ["Title": .s("Bicycle 123")])
    }

    @Test(arguments: [
        ("a, a.b", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"),
        ("a, a", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
        ("a[1].b, a.c", "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [1], b], path two: [a, c]"),
        ("a,", "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\""),
        ("a b", "Invalid ProjectionExpression: Syntax error; token: \"b\", near: \"a b\""),
        ("", "Invalid ProjectionExpression: The expression can not be empty;"),
        ("Comment", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: Comment"),
        ("#undef", "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #undef"),
        ("a[-1]", "Invalid ProjectionExpression: Syntax error; token: \"-\", near: \"[-1\""),
    ])
    func errors(_ text: String, _ message: String) {
        #expect(throws: DynamoDBError.validation(message)) { _ = try F.projection(text) }
    }

    @Test func attributesToGet() throws {
        let p = try ProjectionExpression.attributesToGet(["Title", "Safety.Warning", "status"])
        #expect(p.apply(to: F.bicycle) == ["Title": .s("Bicycle 123"), "Safety.Warning": .s("Always wear a helmet")])
        #expect(throws: DynamoDBError.validation("One or more parameter values were invalid: Duplicate value in attribute name: a")) {
            _ = try ProjectionExpression.attributesToGet(["a", "a"])
        }
    }
}
