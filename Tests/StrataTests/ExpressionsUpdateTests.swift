import Testing
@testable import Strata

private typealias F = ExpressionsFixture

@Suite("UpdateExpression")
struct ExpressionsUpdateTests {
    func apply(_ text: String, names: [String: String]? = nil, values: [String: AttributeValue]? = nil,
               to item: Item) throws -> Item {
        try F.update(text, names: names, values: values).apply(to: item).item
    }

    // The Developer Guide's update examples on ProductCatalog item 789 and friends.

    @Test func guideSetAttributes() throws {
        let item: Item = ["Id": F.n("789")]
        let out = try apply("SET ProductCategory = :c, Price = :p",
                            values: [":c": .s("Hardware"), ":p": F.n("60")], to: item)
        #expect(out == ["Id": F.n("789"), "ProductCategory": .s("Hardware"), "Price": F.n("60")])
    }

    @Test func guideSetListElementAndNestedMap() throws {
        let item: Item = [
            "RelatedItems": .l([.s("Hammer"), .s("Nails")]),
            "ProductReviews": .m(["FiveStar": .l([.s("Best product ever!")])]),
        ]
        let out = try apply("SET RelatedItems[1] = :ri, #pr.#5star[1] = :r5, #pr.#3star = :r3",
                            names: ["#pr": "ProductReviews", "#5star": "FiveStar", "#3star": "ThreeStar"],
                            values: [":ri": .s("Screws"), ":r5": .s("Very happy"), ":r3": .l([.s("Just OK")])],
                            to: item)
        #expect(out == [
            "RelatedItems": .l([.s("Hammer"), .s("Screws")]),
            "ProductReviews": .m([
                "FiveStar": .l([.s("Best product ever!"), .s("Very happy")]),
                "ThreeStar": .l([.s("Just OK")]),
            ]),
        ])
    }

    @Test func guideArithmetic() throws {
        let out = try apply("SET Price = Price - :p", values: [":p": F.n("15")], to: ["Price": F.n("60")])
        #expect(out == ["Price": F.n("45")])
        let up = try apply("SET Price = :p + Price", values: [":p": F.n("0.5")], to: ["Price": F.n("1.25")])
        #expect(up == ["Price": F.n("1.75")])
    }

    @Test func guideListAppend() throws {
        let item: Item = ["RelatedItems": .l([.s("Hammer")])]
        #expect(try apply("SET #ri = list_append(#ri, :vals)", names: ["#ri": "RelatedItems"],
                          values: [":vals": .l([.s("Screwdriver"), .s("Hacksaw")])], to: item)
                == ["RelatedItems": .l([.s("Hammer"), .s("Screwdriver"), .s("Hacksaw")])])
        #expect(try apply("SET #ri = list_append(:vals, #ri)", names: ["#ri": "RelatedItems"],
                          values: [":vals": .l([.s("Chisel")])], to: item)
                == ["RelatedItems": .l([.s("Chisel"), .s("Hammer")])])
    }

    @Test func guideIfNotExists() throws {
        let values: [String: AttributeValue] = [":p": F.n("100")]
        #expect(try apply("SET Price = if_not_exists(Price, :p)", values: values, to: ["Price": F.n("7")]) == ["Price": F.n("7")])
        #expect(try apply("SET Price = if_not_exists(Price, :p)", values: values, to: [:]) == ["Price": F.n("100")])
        #expect(try apply("SET l = list_append(if_not_exists(l, :empty), :v)",
                          values: [":empty": .l([]), ":v": .l([.s("x")])], to: [:]) == ["l": .l([.s("x")])])
        #expect(try apply("SET c = if_not_exists(c, :zero) + :one",
                          values: [":zero": F.n("0"), ":one": F.n("1")], to: [:]) == ["c": F.n("1")])
    }

    @Test func guideRemove() throws {
        let item: Item = [
            "Brand": .s("x"), "InStock": .bool(true), "QuantityOnHand": F.n("3"), "Keep": .s("k"),
            "RelatedItems": .l([.s("a"), .s("b"), .s("c"), .s("d")]),
        ]
        #expect(try apply("REMOVE Brand, InStock, QuantityOnHand", to: item) ==
                ["Keep": .s("k"), "RelatedItems": .l([.s("a"), .s("b"), .s("c"), .s("d")])])
        // Indexes name the elements of the list as it was.
        #expect(try apply("REMOVE RelatedItems[1], RelatedItems[2]", to: item)["RelatedItems"] == .l([.s("a"), .s("d")]))
        #expect(try apply("REMOVE RelatedItems[9], Nope, Nope2.x", to: ["RelatedItems": .l([.s("a")]), "Nope2": .m([:])]) ==
                ["RelatedItems": .l([.s("a")]), "Nope2": .m([:])])
    }

    @Test func guideAddAndDelete() throws {
        let item: Item = ["QuantityOnHand": F.n("5"), "Color": .ss(["Red", "Black"])]
        let out = try apply("ADD QuantityOnHand :q, Color :c, NewCount :q",
                            values: [":q": F.n("-2"), ":c": .ss(["Orange", "Red"])], to: item)
        #expect(out["QuantityOnHand"] == F.n("3"))
        #expect(out["NewCount"] == F.n("-2"))
        #expect(out["Color"].map { ValueOrder.equal($0, .ss(["Red", "Black", "Orange"])) } == true)

        let del = try apply("DELETE Color :p", values: [":p": .ss(["Red", "Yellow"])], to: item)
        #expect(del["Color"] == .ss(["Black"]))
        let gone = try apply("DELETE Color :p", values: [":p": .ss(["Red", "Black"])], to: item)
        #expect(gone["Color"] == nil)
        let none = try apply("DELETE Nope :p", values: [":p": .ss(["Red"])], to: item)
        #expect(none == item)
    }

    @Test func setsOfEveryKind() throws {
        let item: Item = ["ns": F.ns("1", "2"), "bs": .bs([[1]])]
        let out = try apply("ADD ns :n, bs :b", values: [":n": F.ns("2", "3"), ":b": .bs([[2]])], to: item)
        #expect(out["ns"].map { ValueOrder.equal($0, F.ns("1", "2", "3")) } == true)
        #expect(out["bs"] == .bs([[1], [2]]))
    }

    @Test func stringSetMembersCompareByBytes() throws {
        // "é" precomposed and decomposed are different members to DynamoDB.
        let out = try apply("ADD s :v", values: [":v": .ss(["e\u{301}"])], to: ["s": .ss(["\u{E9}"])])
        #expect(out["s"] == .ss(["\u{E9}", "e\u{301}"]))
        let left = try apply("DELETE s :v", values: [":v": .ss(["e\u{301}"])], to: ["s": .ss(["\u{E9}"])])
        #expect(left["s"] == .ss(["\u{E9}"]))
        #expect(try !F.condition("contains(s, :v)", values: [":v": .s("e\u{301}")]).evaluate(["s": .ss(["\u{E9}"])]))
        #expect(try !F.condition("s = :v", values: [":v": .s("e\u{301}")]).evaluate(["s": .s("\u{E9}")]))
    }

    @Test func rightHandSidesReadTheOldItem() throws {
        let out = try apply("SET a = b, b = a", to: ["a": .s("A"), "b": .s("B")])
        #expect(out == ["a": .s("B"), "b": .s("A")])
    }

    @Test func severalSetsPastTheEndAppendInIndexOrder() throws {
        let out = try apply("SET a[84] = :v1, a[37] = :v2, a[17] = :v3, a[50] = :v4",
                            values: [":v1": .s("a1"), ":v2": .s("a2"), ":v3": .s("a3"), ":v4": .s("a4")],
                            to: ["a": .l([.s("one")])])
        #expect(out == ["a": .l([.s("one"), .s("a3"), .s("a2"), .s("a4"), .s("a1")])])
    }

    @Test func removeAndSetIndexTheOriginalList() throws {
        let list: Item = ["a": .l([F.n("2"), F.n("3"), F.n("4"), F.n("5"), F.n("6"), F.n("7")])]
        let want: Item = ["a": .l([F.n("2"), F.n("4"), F.n("17"), F.n("6"), F.n("7")])]
        #expect(try apply("REMOVE a[1] SET a[3] = :v", values: [":v": F.n("17")], to: list) == want)
        #expect(try apply("SET a[3] = :v REMOVE a[1]", values: [":v": F.n("17")], to: list) == want)
    }

    @Test func removeOfANestedPathOnAMissingItemIsIgnored() throws {
        let u = try F.update("REMOVE x.y, w[0], z")
        #expect(try u.apply(to: nil).item == [:])
        #expect(throws: DynamoDBError.validation("The document path provided in the update expression is invalid for update")) {
            _ = try u.apply(to: ["k": .s("v")])
        }
    }

    @Test func attributeNamesFollowTheLexicalRules() throws {
        let values: [String: AttributeValue] = [":v": F.n("1")]
        #expect(try apply("SET Alpha_Numeric_123 = :v", values: values, to: [:]) == ["Alpha_Numeric_123": F.n("1")])
        #expect(try apply("SET #123 = :123", names: ["#123": "3can include any character!.#="], values: [":123": F.n("1")], to: [:])
                == ["3can include any character!.#=": F.n("1")])
        for bad in ["SET _123 = :v", "SET 123a = :v", "SET hi-there = :v", "SET :v = :v", "SET a[:v] = :v", "SET # = :v"] {
            #expect(throws: DynamoDBError.self) { _ = try F.update(bad, values: values) }
        }
    }

    @Test func setPastTheEndAppends() throws {
        #expect(try apply("SET l[5] = :v", values: [":v": .s("x")], to: ["l": .l([.s("a")])]) == ["l": .l([.s("a"), .s("x")])])
        #expect(try apply("SET l[0] = :v", values: [":v": .s("x")], to: ["l": .l([])]) == ["l": .l([.s("x")])])
    }

    @Test func clausesInAnyOrderAndCase() throws {
        let out = try apply("remove a add n :one set b = :s delete ss :d",
                            values: [":one": F.n("1"), ":s": .s("s"), ":d": .ss(["x"])],
                            to: ["a": .null, "ss": .ss(["x", "y"])])
        #expect(out == ["n": F.n("1"), "b": .s("s"), "ss": .ss(["y"])])
    }

    @Test func updatedPathsForReturnValues() throws {
        let u = try F.update("SET m.x = :v REMOVE gone ADD n :one",
                             values: [":v": .s("new"), ":one": F.n("1")])
        let old: Item = ["m": .m(["x": .s("old"), "y": .s("keep")]), "gone": .s("g"), "n": F.n("1"), "other": .s("o")]
        let r = try u.apply(to: old)
        #expect(r.updatedPaths == [F.path(.name("m"), .name("x")), DocumentPath(attribute: "gone"), DocumentPath(attribute: "n")])
        #expect(r.updatedAttributes(of: old) == ["m": .m(["x": .s("old")]), "gone": .s("g"), "n": F.n("1")])
        #expect(r.updatedAttributes(of: r.item) == ["m": .m(["x": .s("new")]), "n": F.n("2")])
        #expect(u.attributeNames == ["m", "gone", "n"])
    }

    static let parseErrors: [(String, [String: AttributeValue]?, String)] = [
        ("", nil, "Invalid UpdateExpression: The expression can not be empty;"),
        ("INVALID SYNTAX HERE", nil, "Invalid UpdateExpression: Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\""),
        ("ADD hits : incr", nil, "Invalid UpdateExpression: Syntax error; token: \":\", near: \"hits : incr\""),
        ("SET a = :v + :v + :v", [":v": F.n("1")], "Invalid UpdateExpression: Syntax error; token: \"+\", near: \":v + :v\""),
        ("SET a :v", [":v": F.n("1")], "Invalid UpdateExpression: Syntax error; token: \":v\", near: \"a :v\""),
        ("SET a = :v,", [":v": F.n("1")], "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \",\""),
        ("ADD a b", nil, "Invalid UpdateExpression: Syntax error; token: \"b\", near: \"a b\""),
        ("SET a = :v SET b = :v", [":v": F.n("1")], "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"),
        ("REMOVE a REMOVE b", nil, "Invalid UpdateExpression: The \"REMOVE\" section can only be used once in an update expression;"),
        ("SET Count = :v", [":v": F.n("1")], "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Count"),
        ("SET attr1 = :v", nil, "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v"),
        ("SET #u = :v", [":v": F.n("1")], "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #u"),
        ("SET a = :v, a.b = :v", [":v": F.n("1")], "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"),
        ("SET f = :v REMOVE f", [":v": F.n("1")], "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [f], path two: [f]"),
        ("SET a[0] = :v, a.b = :v", [":v": F.n("1")], "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]"),
        ("ADD a :v", [":v": .s("1")], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
        ("ADD a :v", [":v": .l([])], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"),
        ("ADD a :v", [":v": .m([:])], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"),
        ("DELETE a :v", [":v": F.n("1")], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
        ("DELETE a :v", [":v": .s("x")], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
        ("SET a = list_append(:v1, :v2)", [":v1": .s("x"), ":v2": .l([])], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"),
        ("SET a = list_append(:v1)", [":v1": .l([])], "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"),
        ("SET a = :v1 + :v2", [":v1": .s("x"), ":v2": F.n("1")], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"),
        ("SET a = :v1 - :v2", [":v1": F.n("1"), ":v2": .ss(["x"])], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: SS"),
        ("SET a = if_not_exists(:v1, :v2)", [":v1": F.n("1"), ":v2": F.n("2")], "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"),
        ("SET a = if_not_exists(:v1)", [":v1": F.n("1")], "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"),
        ("SET a = unknown_func(:v)", [":v": F.n("1")], "Invalid UpdateExpression: Invalid function name; function: unknown_func"),
        ("SET a = size(b)", nil, "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"),
        ("SET a = LIST_APPEND(:v, :v)", [":v": .l([])], "Invalid UpdateExpression: Invalid function name; function: LIST_APPEND"),
        ("SET a = list_append(list_append(:v, :v), :v)", [":v": .l([])], "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"),
        ("SET c = if_not_exists(c, :v + :v)", [":v": F.n("1")], "Invalid UpdateExpression: Syntax error; token: \"+\", near: \":v + :v\""),
        ("SET a = _f(b)", nil, "Invalid UpdateExpression: Syntax error; token: \"_\", near: \"= _f\""),
        ("HELLO b = :v", [":v": F.n("1")], "Invalid UpdateExpression: Syntax error; token: \"HELLO\", near: \"HELLO b\""),
        ("SET a = :v1 REMOVE a SET b = :v2", [":v1": F.n("1"), ":v2": F.n("2")], "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"),
        ("SET a = :v", [":v": F.n("1"), ":unused": .s("x")], "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"),
    ]

    @Test(arguments: parseErrors)
    func parseError(_ c: (String, [String: AttributeValue]?, String)) {
        #expect(throws: DynamoDBError.validation(c.2)) { _ = try F.update(c.0, values: c.1) }
    }

    static let runtimeErrors: [(String, [String: AttributeValue]?, Item, String)] = [
        ("SET a = b + :x", [":x": F.n("1")], [:], "The provided expression refers to an attribute that does not exist in the item"),
        ("SET a = b", nil, ["a": .s("x")], "The provided expression refers to an attribute that does not exist in the item"),
        ("SET a = b + :x", [":x": F.n("1")], ["b": .s("1")], "An operand in the update expression has an incorrect data type"),
        ("SET a = list_append(b, :x)", [":x": .l([])], ["b": .s("1")], "An operand in the update expression has an incorrect data type"),
        ("ADD a :x", [":x": F.n("1")], ["a": .s("1")], "An operand in the update expression has an incorrect data type"),
        ("ADD a :x", [":x": .ss(["x"])], ["a": F.ns("1")], "An operand in the update expression has an incorrect data type"),
        ("ADD a :x", [":x": .ss(["x"])], ["a": .l([])], "An operand in the update expression has an incorrect data type"),
        ("DELETE a :x", [":x": .ss(["x"])], ["a": .s("x")], "An operand in the update expression has an incorrect data type"),
        ("SET a.b.c = :x", [":x": F.n("1")], ["a": .m([:])], "The document path provided in the update expression is invalid for update"),
        ("SET absent.nested = :x", [":x": F.n("1")], ["topLevel": .s("val")], "The document path provided in the update expression is invalid for update"),
        ("SET a.b = :x", [":x": F.n("1")], ["a": .l([])], "The document path provided in the update expression is invalid for update"),
        ("SET a[0] = :x", [":x": F.n("1")], ["a": .m([:])], "The document path provided in the update expression is invalid for update"),
        ("REMOVE a.b", nil, ["a": .s("x")], "The document path provided in the update expression is invalid for update"),
    ]

    @Test(arguments: runtimeErrors)
    func runtimeError(_ c: (String, [String: AttributeValue]?, Item, String)) throws {
        let u = try F.update(c.0, values: c.1)
        #expect(throws: DynamoDBError.validation(c.3)) { _ = try u.apply(to: c.2) }
    }

    @Test func parenthesizedValues() throws {
        let out = try apply("SET a = (b + :one), c = (:one), d = list_append((l), :l)",
                            values: [":one": F.n("1"), ":l": .l([.s("y")])],
                            to: ["b": F.n("41"), "l": .l([.s("x")])])
        #expect(out["a"] == F.n("42"))
        #expect(out["c"] == F.n("1"))
        #expect(out["d"] == .l([.s("x"), .s("y")]))
    }

    @Test(arguments: [
        ("SET status = :undefined", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
        ("SET a = foo(:undefined) SET b = :v", "Invalid UpdateExpression: Invalid function name; function: foo"),
        ("SET a = :v SET a = :w", "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"),
        ("SET #u = :undefined", "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #u"),
        ("SET a = :undefined, a = :v", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :undefined"),
        ("ADD a :w, a :w", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
        ("SET a.b = :v, a[0] = :v, a.b.c = :v", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, b, c]"),
        ("ADD a :w SET b = list_append(:v, :v)", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
        ("SET add = :v", "Invalid UpdateExpression: Syntax error; token: \"add\", near: \"SET add =\""),
    ])
    func errorPrecedence(_ text: String, _ message: String) {
        #expect(throws: DynamoDBError.validation(message)) {
            var attrs = try ExpressionAttributes(values: [":v": F.n("1"), ":w": .s("w")])
            _ = try UpdateExpression.parse(text, attributes: &attrs)
        }
    }

    @Test func nestedArithmetic() throws {
        let out = try apply("SET #m.#c = #m.#c + :inc", names: ["#m": "mymap", "#c": "counter"],
                            values: [":inc": F.n("5")], to: ["mymap": .m(["counter": F.n("10")])])
        #expect(out == ["mymap": .m(["counter": F.n("15")])])
    }

    /// ADD and DELETE read values as they were before the update, at the top level and below
    /// it, and the item the caller holds is left as it was.
    @Test func addReadsTheItemAsItWas() throws {
        let item: Item = ["m": .m(["n": F.n("10")]), "c": F.n("5"), "s": .ss(["a", "b"]), "r": F.n("0")]
        let out = try apply("REMOVE r ADD m.n :one, c :one DELETE s :a", values: [":one": F.n("1"), ":a": .ss(["a"])], to: item)
        #expect(out == ["m": .m(["n": F.n("11")]), "c": F.n("6"), "s": .ss(["b"])])
        #expect(item["c"] == F.n("5"))
        #expect(item["s"] == .ss(["a", "b"]))
        #expect(item["m"] == .m(["n": F.n("10")]))
    }

    /// A top-level ADD updates the item in place when the caller passes its only reference:
    /// the result is right either way; the input the caller kept is untouched.
    @Test func addInPlaceLeavesKeptCopiesAlone() throws {
        let update = try F.update("ADD c :one SET d = c", values: [":one": F.n("1")])
        var held: Item? = ["c": F.n("1")]
        let kept = held
        let out = try update.apply(to: held.take()).item
        #expect(out == ["c": F.n("2"), "d": F.n("1")])
        #expect(kept == ["c": F.n("1")])
    }
}
