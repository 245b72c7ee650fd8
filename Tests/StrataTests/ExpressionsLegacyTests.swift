import Testing
@testable import Strata

private typealias F = ExpressionsFixture

@Suite("Legacy conditional parameters")
struct ExpressionsLegacyTests {
    let item: Item = ["a": .s("apple"), "n": F.n("10"), "ss": .ss(["x", "y"]), "l": .l([.s("x")])]

    @Test func expectedExistsAndValue() throws {
        let notThere = try ConditionExpression.expected(["pk": ExpectedAttributeValue(exists: false)])
        #expect(notThere?.root == .attributeNotExists(DocumentPath(attribute: "pk")))
        #expect(notThere?.evaluate(item) == true)

        let equal = try ConditionExpression.expected(["a": ExpectedAttributeValue(value: .s("apple"))])
        #expect(equal?.evaluate(item) == true)
        let equalExists = try ConditionExpression.expected(["a": ExpectedAttributeValue(value: .s("pear"), exists: true)])
        #expect(equalExists?.evaluate(item) == false)
        #expect(try ConditionExpression.expected([:]) == nil)
    }

    @Test func expectedComparisonOperators() throws {
        func check(_ op: ComparisonOperator, _ list: [AttributeValue], _ name: String = "n") throws -> Bool {
            try ConditionExpression.expected([name: ExpectedAttributeValue(comparisonOperator: op, attributeValueList: list)])!.evaluate(item)
        }
        #expect(try check(.eq, [F.n("10")]))
        #expect(try check(.ne, [F.n("10")]) == false)
        #expect(try check(.ne, [.s("10")]))
        #expect(try check(.lt, [F.n("11")]))
        #expect(try check(.le, [F.n("10")]))
        #expect(try check(.gt, [F.n("9")]))
        #expect(try check(.ge, [F.n("11")]) == false)
        #expect(try check(.notNull, []))
        #expect(try check(.null, [], "missing"))
        #expect(try check(.contains, [.s("x")], "ss"))
        #expect(try check(.contains, [.s("ppl")], "a"))
        #expect(try check(.notContains, [.s("z")], "ss"))
        #expect(try check(.notContains, [.s("z")], "missing") == false)
        #expect(try check(.beginsWith, [.s("app")], "a"))
        #expect(try check(.in, [F.n("1"), F.n("10")]))
        #expect(try check(.between, [F.n("1"), F.n("10")]))
        // Value stands in for a one-element AttributeValueList.
        let viaValue = try ConditionExpression.expected(["n": ExpectedAttributeValue(value: F.n("5"), comparisonOperator: .gt)])
        #expect(viaValue?.evaluate(item) == true)
    }

    @Test func conditionalOperator() throws {
        let expected: [String: ExpectedAttributeValue] = [
            "a": ExpectedAttributeValue(value: .s("apple")),
            "n": ExpectedAttributeValue(value: F.n("99")),
        ]
        #expect(try ConditionExpression.expected(expected)?.evaluate(item) == false)
        #expect(try ConditionExpression.expected(expected, conditionalOperator: .and)?.evaluate(item) == false)
        #expect(try ConditionExpression.expected(expected, conditionalOperator: .or)?.evaluate(item) == true)
    }

    @Test(arguments: [
        (["a": ExpectedAttributeValue(value: .s("x"), exists: false)], "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a"),
        (["a": ExpectedAttributeValue(exists: true)], "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a"),
        (["a": ExpectedAttributeValue()], "One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a"),
        (["a": ExpectedAttributeValue(exists: true, comparisonOperator: .notNull)], "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a"),
        (["a": ExpectedAttributeValue(value: .s("x"), comparisonOperator: .eq, attributeValueList: [.s("x")])], "One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: a"),
        (["a": ExpectedAttributeValue(attributeValueList: [.s("x")])], "One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
        (["a": ExpectedAttributeValue(comparisonOperator: .eq, attributeValueList: [])], "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"),
        (["a": ExpectedAttributeValue(comparisonOperator: .null, attributeValueList: [.s("x")])], "One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator"),
        (["a": ExpectedAttributeValue(comparisonOperator: .between, attributeValueList: [.s("x")])], "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
        (["a": ExpectedAttributeValue(comparisonOperator: .gt, attributeValueList: [.ss(["x"])])], "One or more parameter values were invalid: ComparisonOperator GT is not valid for SS AttributeValue type"),
        (["a": ExpectedAttributeValue(comparisonOperator: .beginsWith, attributeValueList: [F.n("1")])], "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
        (["a": ExpectedAttributeValue(comparisonOperator: .contains, attributeValueList: [.l([])])], "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for L AttributeValue type"),
        (["a": ExpectedAttributeValue(comparisonOperator: .eq)], "One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"),
        (["a": ExpectedAttributeValue(comparisonOperator: .in, attributeValueList: [F.n("3"), .s("dog")])], "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"),
        (["a": ExpectedAttributeValue(comparisonOperator: .between, attributeValueList: [F.n("4"), F.n("3")])], "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
        (["a": ExpectedAttributeValue(comparisonOperator: .between, attributeValueList: [.s("dog"), .s("aardvark")])], "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    ])
    func expectedErrors(_ expected: [String: ExpectedAttributeValue], _ message: String) {
        #expect(throws: DynamoDBError.validation(message)) { _ = try ConditionExpression.expected(expected) }
    }

    @Test func queryAndScanFilters() throws {
        let f = try ConditionExpression.filter(["a": Condition(.beginsWith, [.s("ap")]), "n": Condition(.between, [F.n("5"), F.n("15")])])
        #expect(f?.evaluate(item) == true)
        let g = try ConditionExpression.filter(["a": Condition(.eq, [.s("no")]), "l": Condition(.contains, [.s("x")])],
                                               conditionalOperator: .or)
        #expect(g?.evaluate(item) == true)
        #expect(f?.attributeNames == ["a", "n"])
    }

    @Test func keyConditions() throws {
        let k = try KeyConditionExpression.keyConditions(
            ["sk": Condition(.beginsWith, [.s("2024-")]), "pk": Condition(.eq, [.s("u1")])],
            partitionKey: "pk", sortKey: "sk")
        #expect(k == KeyConditionExpression(partitionKey: "pk", partitionValue: .s("u1"), sortKey: "sk",
                                            sortCondition: .beginsWith(.s("2024-"))))
        #expect(throws: DynamoDBError.validation("Attempted conditional constraint is not an indexable operation")) {
            _ = try KeyConditionExpression.keyConditions(["pk": Condition(.eq, [.s("u1")]), "sk": Condition(.ne, [.s("x")])],
                                                         partitionKey: "pk", sortKey: "sk")
        }
        #expect(throws: DynamoDBError.validation("Query condition missed key schema element: pk")) {
            _ = try KeyConditionExpression.keyConditions(["sk": Condition(.eq, [.s("x")])], partitionKey: "pk", sortKey: "sk")
        }
        #expect(throws: DynamoDBError.validation("Conditions can be of length 1 or 2 only")) {
            _ = try KeyConditionExpression.keyConditions([:], partitionKey: "pk", sortKey: "sk")
        }
        #expect(throws: DynamoDBError.validation("One or more parameter values were invalid: ComparisonOperator EQ is not valid for M AttributeValue type")) {
            _ = try ConditionExpression.filter(["a": Condition(.eq, [.m([:])])])
        }
        // In Expected, EQ compares documents too.
        #expect(try ConditionExpression.expected(["m": ExpectedAttributeValue(value: .m(["k": .s("v")]))])?
            .evaluate(["m": .m(["k": .s("v")])]) == true)
        #expect(throws: DynamoDBError.validation("Query key condition not supported")) {
            _ = try KeyConditionExpression.keyConditions(["pk": Condition(.gt, [.s("x")])], partitionKey: "pk", sortKey: "sk")
        }
    }

    @Test func attributeUpdates() throws {
        let u = try UpdateExpression.attributeUpdates([
            "a": AttributeValueUpdate(value: .s("new")),
            "n": AttributeValueUpdate(value: F.n("5"), action: .add),
            "ss": AttributeValueUpdate(value: .ss(["x"]), action: .delete),
            "l": AttributeValueUpdate(value: .l([.s("y")]), action: .add),
            "gone": AttributeValueUpdate(action: .delete),
            "fresh": AttributeValueUpdate(value: .ss(["p"]), action: .add),
        ])
        let out = try u.apply(to: item.merging(["gone": .null]) { a, _ in a }).item
        #expect(out == ["a": .s("new"), "n": F.n("15"), "ss": .ss(["y"]), "l": .l([.s("x"), .s("y")]), "fresh": .ss(["p"])])
    }

    @Test(arguments: [
        (AttributeValueUpdate(action: .put), "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"),
        (AttributeValueUpdate(action: .add), "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"),
        (AttributeValueUpdate(value: .s("x"), action: .add), "One or more parameter values were invalid: ADD action is not supported for the type S"),
        (AttributeValueUpdate(value: F.n("1"), action: .delete), "One or more parameter values were invalid: DELETE action with value is not supported for the type N"),
    ])
    func attributeUpdateErrors(_ update: AttributeValueUpdate, _ message: String) {
        #expect(throws: DynamoDBError.validation(message)) { _ = try UpdateExpression.attributeUpdates(["a": update]) }
    }

    @Test func mixingParameters() throws {
        #expect(throws: DynamoDBError.validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}")) {
            try ExpressionParameters.checkNotMixed(nonExpression: ["AttributeUpdates"], expression: ["UpdateExpression"])
        }
        #expect(throws: DynamoDBError.validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}")) {
            try ExpressionParameters.checkNotMixed(nonExpression: ["Expected"], expression: ["ConditionExpression"])
        }
        try ExpressionParameters.checkNotMixed(nonExpression: ["Expected"], expression: [])
        #expect(throws: DynamoDBError.validation("ExpressionAttributeValues can only be specified when using expressions")) {
            try ExpressionParameters.checkAttributesNeedExpressions(names: nil, values: [":v": .s("x")], anyExpression: false)
        }
        #expect(throws: DynamoDBError.validation("ExpressionAttributeNames can only be specified when using expressions")) {
            try ExpressionParameters.checkAttributesNeedExpressions(names: ["#s": "status"], values: nil, anyExpression: false)
        }
        #expect(throws: DynamoDBError.validation("ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null")) {
            try ExpressionParameters.checkAttributesNeedExpressions(names: nil, values: [":v": .s("x")], present: [],
                                                                     valueParameters: ["UpdateExpression", "ConditionExpression"])
        }
        #expect(throws: DynamoDBError.validation("ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null")) {
            try ExpressionParameters.checkAttributesNeedExpressions(names: nil, values: [":v": .s("x")], present: [],
                                                                     valueParameters: ["ConditionExpression"])
        }
        // A ProjectionExpression takes names but no values; GetItem's values fail as unused instead.
        try ExpressionParameters.checkAttributesNeedExpressions(names: ["#a": "a"], values: [":v": .s("x")],
                                                                 present: ["ProjectionExpression"], valueParameters: [])
    }
}
