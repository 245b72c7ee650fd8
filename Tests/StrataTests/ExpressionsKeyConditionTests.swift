import Testing
@testable import Strata

private typealias F = ExpressionsFixture

@Suite("KeyConditionExpression")
struct ExpressionsKeyConditionTests {
    func parse(_ text: String, names: [String: String]? = nil, values: [String: AttributeValue]? = nil,
               sortKey: String? = "sk", types: [String: String] = [:]) throws(DynamoDBError) -> KeyConditionExpression {
        var attrs = try F.attributes(names, values)
        let k = try KeyConditionExpression.parse(text, partitionKey: "pk", sortKey: sortKey,
                                                 attributeTypes: types, attributes: &attrs)
        try attrs.checkAllUsed()
        return k
    }

    @Test func partitionKeyOnly() throws {
        let k = try parse("pk = :p", values: [":p": .s("a")])
        #expect(k == KeyConditionExpression(partitionKey: "pk", partitionValue: .s("a")))
        #expect(k.matches(["pk": .s("a"), "sk": .s("z")]))
        #expect(!k.matches(["pk": .s("b")]))
    }

    @Test(arguments: [
        ("#sk = :v", SortKeyCondition.equal(.s("m"))),
        ("#sk < :v", .lessThan(.s("m"))),
        ("#sk <= :v", .lessThanOrEqual(.s("m"))),
        ("#sk > :v", .greaterThan(.s("m"))),
        ("#sk >= :v", .greaterThanOrEqual(.s("m"))),
        (":v <= #sk", .greaterThanOrEqual(.s("m"))),
        (":v > #sk", .lessThan(.s("m"))),
        ("begins_with(#sk, :v)", .beginsWith(.s("m"))),
    ])
    func sortKeyConditions(_ text: String, _ expected: SortKeyCondition) throws {
        let k = try parse("#pk = :p AND \(text)", names: ["#pk": "pk", "#sk": "sk"], values: [":p": .s("a"), ":v": .s("m")])
        #expect(k.sortKey == "sk")
        #expect(k.sortCondition == expected)
    }

    @Test func betweenAndParentheses() throws {
        let k = try parse("((pk = :p)) AND (sk BETWEEN :lo AND :hi)",
                          values: [":p": .s("a"), ":lo": .s("b"), ":hi": .s("d")])
        #expect(k.sortCondition == .between(.s("b"), .s("d")))
        #expect(k.matches(["pk": .s("a"), "sk": .s("c")]))
        #expect(k.matches(["pk": .s("a"), "sk": .s("d")]))
        #expect(!k.matches(["pk": .s("a"), "sk": .s("e")]))
        // The sort key condition may come first.
        let r = try parse("sk < :lo AND pk = :p", values: [":p": .s("a"), ":lo": .s("b")])
        #expect(r.sortCondition == .lessThan(.s("b")))
    }

    @Test func sortConditionMatching() {
        #expect(SortKeyCondition.beginsWith(.s("ab")).matches(.s("abc")))
        #expect(!SortKeyCondition.beginsWith(.s("ab")).matches(.s("ba")))
        #expect(SortKeyCondition.beginsWith(.b([1])).matches(.b([1, 2])))
        #expect(SortKeyCondition.greaterThan(.b([0x7F])).matches(.b([0x80])))
        #expect(!SortKeyCondition.lessThan(.s("b")).matches(F.n("1")))
    }

    static let errors: [(String, [String: AttributeValue], String?, String)] = [
        ("", [:], "sk", "Invalid KeyConditionExpression: The expression can not be empty;"),
        ("sk = :v", [":v": .s("x")], "sk", "Query condition missed key schema element: pk"),
        ("attr1 = :v", [":v": .s("x")], "sk", "Query condition missed key schema element: pk"),
        ("pk = :v AND attr1 = :v", [":v": .s("x")], "sk", "Query condition missed key schema element: sk"),
        ("pk = :v OR sk = :v", [":v": .s("x")], "sk", "Invalid operator used in KeyConditionExpression: OR"),
        ("NOT pk = :v", [":v": .s("x")], "sk", "Invalid operator used in KeyConditionExpression: NOT"),
        ("pk = :v AND sk <> :v", [":v": .s("x")], "sk", "Invalid operator used in KeyConditionExpression: <>"),
        ("pk = :v AND sk IN (:v)", [":v": .s("x")], "sk", "Invalid operator used in KeyConditionExpression: IN"),
        ("pk = :v AND attribute_exists(sk)", [":v": .s("x")], "sk", "Invalid operator used in KeyConditionExpression: attribute_exists"),
        ("pk = :v AND contains(sk, :v)", [":v": .s("x")], "sk", "Invalid operator used in KeyConditionExpression: contains"),
        ("pk = :v AND size(sk) > :n", [":v": .s("x"), ":n": F.n("1")], "sk", "KeyConditionExpressions cannot contain nested operations"),
        ("pk = :v AND sk.foo = :v", [":v": .s("x")], "sk", "KeyConditionExpressions cannot have conditions on nested attributes"),
        ("pk = :v AND sk = :v AND attr1 > :v", [":v": .s("x")], "sk", "Conditions can be of length 1 or 2 only"),
        ("pk = :v AND sk = :v AND sk > :v", [":v": .s("x")], "sk", "KeyConditionExpressions must only contain one condition per key"),
        (":v = :v", [":v": .s("x")], "sk", "Invalid condition in KeyConditionExpression: No key attribute specified"),
        ("pk = :v AND :v BETWEEN sk AND :v", [":v": .s("x")], "sk", "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"),
        ("pk = :v AND begins_with(:v, sk)", [":v": .s("x")], "sk", "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"),
        ("pk = :v AND begins_with(sk, :n)", [":v": .s("x"), ":n": F.n("1")], "sk", "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
        ("pk = :v AND sk = :l", [":v": .s("x"), ":l": .l([])], "sk", "One or more parameter values were invalid: ComparisonOperator EQ is not valid for L AttributeValue type"),
        ("pk = :v AND dog(sk, :v)", [":v": .s("x")], "sk", "Invalid KeyConditionExpression: Invalid function name; function: dog"),
        ("pk = :v AND pk = :v", [":v": .s("x")], "sk", "KeyConditionExpressions must only contain one condition per key"),
        ("pk > :v", [":v": .s("x")], "sk", "Query key condition not supported"),
        ("pk = :v AND sk = :v", [":v": .s("x")], nil, "Query condition missed key schema element: sk"),
        ("pk = :v AND sk = pk", [":v": .s("x")], "sk", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
        ("pk = :v AND sk = ", [":v": .s("x")], "sk", "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\""),
        ("pk = :v AND status = :v", [":v": .s("x")], "sk", "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    ]

    @Test(arguments: errors)
    func error(_ c: (String, [String: AttributeValue], String?, String)) {
        #expect(throws: DynamoDBError.validation(c.3)) {
            _ = try parse(c.0, values: c.1.isEmpty ? nil : c.1, sortKey: c.2)
        }
    }

    @Test func valueTypesMustMatchTheSchema() {
        #expect(throws: DynamoDBError.validation("One or more parameter values were invalid: Condition parameter type does not match schema type")) {
            _ = try parse("pk = :v", values: [":v": F.n("1")], types: ["pk": "S", "sk": "N"])
        }
        #expect(throws: DynamoDBError.validation("One or more parameter values were invalid: Condition parameter type does not match schema type")) {
            _ = try parse("pk = :v AND sk > :s", values: [":v": .s("x"), ":s": .s("1")], types: ["pk": "S", "sk": "N"])
        }
    }
}
