import Testing
@testable import Strata

private typealias F = ExpressionsFixture

@Suite("ConditionExpression evaluation")
struct ExpressionsEvaluationTests {
    let item = F.bicycle

    func holds(_ text: String, names: [String: String]? = nil, values: [String: AttributeValue]? = nil,
               on item: Item? = nil) throws -> Bool {
        try F.condition(text, names: names, values: values).evaluate(item ?? self.item)
    }

    // The Developer Guide's condition and filter examples on ProductCatalog item 123.

    @Test func guideAttributeExistsAndNotExists() throws {
        #expect(try holds("attribute_not_exists(Price)") == false)
        #expect(try holds("attribute_not_exists(Discount)"))
        #expect(try holds("attribute_exists(ProductReviews.OneStar)"))
        #expect(try holds("attribute_exists(ProductReviews.ThreeStar)") == false)
        #expect(try holds("attribute_exists(#sw)", names: ["#sw": "Safety.Warning"]))
        #expect(try holds("attribute_exists(Safety.Warning)") == false)
        // A NULL attribute exists.
        #expect(try holds("attribute_exists(QuantityOnHand)"))
    }

    @Test func guideInAndBetween() throws {
        let values: [String: AttributeValue] = [
            ":cat1": .s("Sporting Goods"), ":cat2": .s("Bicycle"), ":lo": F.n("500"), ":hi": F.n("600"),
        ]
        #expect(try holds("ProductCategory IN (:cat1, :cat2) and Price between :lo and :hi", values: values))
        #expect(try holds("Price > :limit", values: [":limit": F.n("500")]) == false)
        #expect(try holds("Price >= :limit", values: [":limit": F.n("500")]))
        #expect(try holds("Price < :limit", values: [":limit": F.n("1000.5")]))
    }

    @Test func guideFunctions() throws {
        #expect(try holds("attribute_type(ProductReviews.FiveStar, :v_sub)", values: [":v_sub": .s("L")]))
        #expect(try holds("attribute_type(ProductReviews.FiveStar, :v_sub)", values: [":v_sub": .s("M")]) == false)
        #expect(try holds("begins_with(Pictures.FrontView, :v_sub)", values: [":v_sub": .s("http://")]))
        #expect(try holds("contains(Color, :v_sub)", values: [":v_sub": .s("Red")]))
        #expect(try holds("contains(Color, :v_sub)", values: [":v_sub": .s("Blue")]) == false)
        #expect(try holds("size(Brand) <= :v_sub", values: [":v_sub": F.n("20")]))
        #expect(try holds("size(Color) < :v_sub", values: [":v_sub": F.n("3")]))
        #expect(try holds("size(ProductReviews.OneStar) > :v_sub", values: [":v_sub": F.n("3")]) == false)
        #expect(try holds("size(VideoClip) > :v_sub", values: [":v_sub": F.n("64000")]) == false)
    }

    @Test func attributeTypeOfEveryType() throws {
        let item: Item = [
            "s": .s("x"), "n": F.n("1"), "b": .b([1]), "bool": .bool(false), "null": .null,
            "m": .m([:]), "l": .l([]), "ss": .ss(["x"]), "ns": F.ns("1"), "bs": .bs([[1]]),
        ]
        for (name, value) in item {
            for type in ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"] {
                let r = try holds("attribute_type(#a, :t)", names: ["#a": name], values: [":t": .s(type)], on: item)
                #expect(r == (value.typeDescriptor == type), "\(name) \(type)")
            }
        }
    }

    @Test(arguments: [
        (AttributeValue.s("héllo"), 6),          // UTF-8 bytes
        (.b([1, 2, 3]), 3),
        (.ss(["a", "b"]), 2),
        (F.ns("1", "2", "3"), 3),
        (.bs([[1], [2]]), 2),
        (.m(["a": .null, "b": .null, "c": .null, "d": .null]), 4),
        (.l([.null]), 1),
        (.s(""), 0),
    ])
    func sizeOfEachType(_ value: AttributeValue, _ expected: Int) throws {
        #expect(try holds("size(a) = :n", values: [":n": F.n("\(expected)")], on: ["a": value]))
    }

    @Test(arguments: [F.n("1"), AttributeValue.bool(true), .null])
    func sizeHasNoValueForScalars(_ value: AttributeValue) throws {
        #expect(try holds("size(a) >= :z", values: [":z": F.n("0")], on: ["a": value]) == false)
        #expect(try holds("size(a) <> :z", values: [":z": F.n("0")], on: ["a": value]))
    }

    @Test func missingAttributes() throws {
        let v: [String: AttributeValue] = [":v": .s("x")]
        #expect(try holds("nope = :v", values: v) == false)
        #expect(try holds("nope <> :v", values: v))
        #expect(try holds("nope < :v", values: v) == false)
        #expect(try holds("nope BETWEEN :v AND :v", values: v) == false)
        #expect(try holds("nope IN (:v)", values: v) == false)
        #expect(try holds("begins_with(nope, :v)", values: v) == false)
        #expect(try holds("contains(nope, :v)", values: v) == false)
        #expect(try holds("NOT contains(nope, :v)", values: v))
        #expect(try holds("attribute_type(nope, :t)", values: [":t": .s("S")]) == false)
    }

    @Test func differentTypesNeverCompare() throws {
        let item: Item = ["s": .s("1"), "n": F.n("1"), "b": .b([0x31])]
        for (a, b) in [("s", "n"), ("n", "b"), ("s", "b")] {
            for op in ["=", "<", "<=", ">", ">="] {
                #expect(try holds("\(a) \(op) \(b)", on: item) == false, "\(a) \(op) \(b)")
            }
            #expect(try holds("\(a) <> \(b)", on: item))
        }
    }

    @Test func stringsOrderByUTF8Bytes() throws {
        // U+FF61 is EF BD A1 in UTF-8 and U+1F600 is F0 9F 98 80: byte order puts FF61 first
        // (UTF-16 order would not).
        let item: Item = ["a": .s("\u{FF61}"), "b": .s("\u{1F600}"), "c": .s("Z"), "d": .s("a")]
        #expect(try holds("a < b", on: item))
        #expect(try holds("c < d", on: item))
        #expect(try holds("d BETWEEN c AND b", on: item))
    }

    @Test func binariesOrderUnsigned() throws {
        let item: Item = ["lo": .b([0x01]), "hi": .b([0xFF]), "pre": .b([0x01, 0x00])]
        #expect(try holds("lo < hi", on: item))
        #expect(try holds("lo < pre", on: item))
        #expect(try holds("begins_with(pre, lo)", on: item))
        #expect(try holds("contains(pre, :z)", values: [":z": .b([0x00])], on: item))
    }

    @Test func numbersCompareNumerically() throws {
        let item: Item = ["a": F.n("10"), "b": F.n("9.5"), "c": F.n("-100"), "d": F.n("10.0")]
        #expect(try holds("b < a", on: item))
        #expect(try holds("c < b", on: item))
        #expect(try holds("a = d", on: item))
        #expect(try holds("a IN (:x, :y)", values: [":x": F.n("1"), ":y": F.n("1E1")], on: item))
    }

    @Test func setsAndDocumentsCompareByValue() throws {
        let item: Item = [
            "ss": .ss(["a", "b"]), "ns": F.ns("1", "2"),
            "m": .m(["x": .l([.s("1"), .ss(["p", "q"])])]),
            "l": .l([.s("a"), F.n("1")]),
        ]
        #expect(try holds("ss = :v", values: [":v": .ss(["b", "a"])], on: item))
        #expect(try holds("ss <> :v", values: [":v": .ss(["a"])], on: item))
        #expect(try holds("ns = :v", values: [":v": F.ns("2", "1.0")], on: item))
        #expect(try holds("m = :v", values: [":v": .m(["x": .l([.s("1"), .ss(["q", "p"])])])], on: item))
        #expect(try holds("l = :v", values: [":v": .l([F.n("1"), .s("a")])], on: item) == false)
    }

    @Test func containsOnEachKind() throws {
        let item: Item = [
            "s": .s("banana"), "ss": .ss(["a", "b"]), "ns": F.ns("1", "2"), "bs": .bs([[1], [2]]),
            "l": .l([.s("a"), F.n("3"), .m(["k": .s("v")])]), "n": F.n("12"),
        ]
        #expect(try holds("contains(s, :v)", values: [":v": .s("nan")], on: item))
        #expect(try holds("contains(s, :v)", values: [":v": .s("x")], on: item) == false)
        #expect(try holds("contains(ss, :v)", values: [":v": .s("b")], on: item))
        #expect(try holds("contains(ss, :v)", values: [":v": .ss(["b"])], on: item) == false)
        #expect(try holds("contains(ns, :v)", values: [":v": F.n("2.0")], on: item))
        #expect(try holds("contains(bs, :v)", values: [":v": .b([2])], on: item))
        #expect(try holds("contains(l, :v)", values: [":v": F.n("3")], on: item))
        #expect(try holds("contains(l, :v)", values: [":v": .m(["k": .s("v")])], on: item))
        #expect(try holds("contains(n, :v)", values: [":v": F.n("1")], on: item) == false)
    }

    @Test func beginsWith() throws {
        let item: Item = ["s": .s("prefix-rest"), "n": F.n("123"), "b": .b([1, 2, 3])]
        #expect(try holds("begins_with(s, :p)", values: [":p": .s("prefix")], on: item))
        #expect(try holds("begins_with(s, :p)", values: [":p": .s("rest")], on: item) == false)
        #expect(try holds("begins_with(b, :p)", values: [":p": .b([1, 2])], on: item))
        #expect(try holds("begins_with(b, :p)", values: [":p": .s("x")], on: item) == false)
        #expect(try holds("begins_with(n, :p)", values: [":p": .s("12")], on: item) == false)
    }

    @Test func nestedPathsAndListIndexes() throws {
        #expect(try holds("RelatedItems[1] = :v", values: [":v": F.n("472")]))
        #expect(try holds("attribute_exists(RelatedItems[3])") == false)
        #expect(try holds("ProductReviews.FiveStar[0] = :v",
                          values: [":v": .s("Excellent! Can't recommend it highly enough! Buy it!")]))
        #expect(try holds("attribute_exists(Pictures[0])") == false)
        #expect(try holds("attribute_exists(RelatedItems.x)") == false)
    }

    @Test func logic() throws {
        let v: [String: AttributeValue] = [":t": .bool(true), ":f": .bool(false)]
        #expect(try holds("InStock = :t OR InStock = :f AND InStock = :f", values: v))
        #expect(try holds("(InStock = :t OR InStock = :f) AND InStock = :f", values: v) == false)
        #expect(try holds("NOT InStock = :f AND InStock = :t", values: v))
        #expect(try holds("NOT (InStock = :f OR InStock = :t)", values: v) == false)
        #expect(try holds("NOT NOT InStock = :t", values: [":t": .bool(true)]))
    }

    @Test func emptyItemIsAMissingItem() throws {
        #expect(try holds("attribute_not_exists(Id)", on: [:]))
        #expect(try holds("attribute_exists(Id)", on: [:]) == false)
    }
}
