import Testing
@testable import Strata

private typealias F = ExpressionsFixture

@Suite("ConditionExpression parsing")
struct ExpressionsConditionParsingTests {
    let a = Operand.path(DocumentPath(attribute: "a"))
    let b = Operand.path(DocumentPath(attribute: "b"))
    let c = Operand.path(DocumentPath(attribute: "c"))
    let x = Operand.value(.s("x")), y = Operand.value(.s("y")), z = Operand.value(.s("z"))
    let values: [String: AttributeValue] = [":x": .s("x"), ":y": .s("y"), ":z": .s("z")]

    @Test func andBindsTighterThanOr() throws {
        let e = try F.condition("a = :x OR b = :y AND c = :z", values: values)
        #expect(e.root == .or(.compare(a, .eq, x), .and(.compare(b, .eq, y), .compare(c, .eq, z))))
    }

    @Test func notBindsTighterThanAnd() throws {
        let e = try F.condition("NOT a = :x AND b = :y", values: [":x": .s("x"), ":y": .s("y")])
        #expect(e.root == .and(.not(.compare(a, .eq, x)), .compare(b, .eq, y)))
    }

    @Test func parenthesesOverridePrecedence() throws {
        let e = try F.condition("(a = :x OR b = :y) AND c = :z", values: values)
        #expect(e.root == .and(.or(.compare(a, .eq, x), .compare(b, .eq, y)), .compare(c, .eq, z)))
    }

    @Test func betweenTakesItsOwnAnd() throws {
        let e = try F.condition("a BETWEEN :x AND :y AND b = :z", values: values)
        #expect(e.root == .and(.between(a, x, y), .compare(b, .eq, z)))
    }

    @Test func orIsLeftAssociative() throws {
        let e = try F.condition("a = :x OR b = :y OR c = :z", values: values)
        #expect(e.root == .or(.or(.compare(a, .eq, x), .compare(b, .eq, y)), .compare(c, .eq, z)))
    }

    @Test func keywordsAreCaseInsensitive() throws {
        let e = try F.condition("a = :x and not b in (:y, :z) Or c between :x and :z", values: values)
        #expect(e.root == .or(.and(.compare(a, .eq, x), .not(.in(b, [y, z]))), .between(c, x, z)))
    }

    @Test(arguments: ["=", "<>", "<", "<=", ">", ">="])
    func comparators(_ op: String) throws {
        let e = try F.condition("a \(op) :x", values: [":x": .s("x")])
        #expect(e.root == .compare(a, Comparator(rawValue: op)!, x))
    }

    @Test func documentPaths() throws {
        let e = try F.condition("attribute_exists(a.b[3].c) AND #n.#m[0][1] = :x",
                                names: ["#n": "with space", "#m": "Safety.Warning"], values: [":x": .s("x")])
        let p1 = F.path(.name("a"), .name("b"), .index(3), .name("c"))
        let p2 = F.path(.name("with space"), .name("Safety.Warning"), .index(0), .index(1))
        #expect(e.root == .and(.attributeExists(p1), .compare(.path(p2), .eq, x)))
        #expect(p1.description == "[a, b, [3], c]")
    }

    @Test func functions() throws {
        let e = try F.condition(
            "attribute_not_exists(a) AND attribute_type(b, :t) AND begins_with(c, :x) AND contains(a, :y) AND size(b) > :n",
            values: [":t": .s("S"), ":x": .s("x"), ":y": .s("y"), ":n": F.n("3")])
        let pb = DocumentPath(attribute: "b")
        #expect(e.root == .and(.and(.and(.and(
            .attributeNotExists(DocumentPath(attribute: "a")),
            .attributeType(.path(pb), "S")),
            .beginsWith(c, x)),
            .contains(a, y)),
            .compare(.size(pb), .gt, .value(F.n("3")))))
    }

    @Test func valueOnTheLeft() throws {
        let e = try F.condition(":x < a", values: [":x": .s("x")])
        #expect(e.root == .compare(x, .lt, a))
    }

    @Test func inAcceptsOneHundredOperandsCountingItsLeftSide() throws {
        var values: [String: AttributeValue] = [:]
        for i in 0..<99 { values[":v\(i)"] = F.n("\(i)") }
        let list = (0..<99).map { ":v\($0)" }.joined(separator: ", ")
        let e = try F.condition("a IN (\(list))", values: values)
        guard case .in(_, let operands) = e.root else {
            Issue.record("not an IN")
            return
        }
        #expect(operands.count == 99)
    }

    @Test func attributeTypeAcceptsAValueSubject() throws {
        let e = try F.condition("attribute_type(:v, :t)", values: [":v": F.n("0"), ":t": .s("N")])
        #expect(e.root == .attributeType(.value(F.n("0")), "N"))
        #expect(e.evaluate([:]))
    }

    @Test func parenthesizedOperandsAndValueSizes() throws {
        let e = try F.condition("(a) = (:v) AND size(:s) = :three AND (a) BETWEEN :v AND (:v)",
                                values: [":v": .s("x"), ":s": .s("abc"), ":three": F.n("3")])
        #expect(e.evaluate(["a": .s("x")]))
        #expect(!e.evaluate(["a": .s("y")]))
    }

    @Test func reservedWordsAreTheDocumentedList() {
        #expect(ReservedWords.all.count == 573)
        for w in ["status", "Name", "COUNT", "size", "ttl", "Comment", "flattern", "year"] {
            #expect(ReservedWords.contains(w))
        }
        for w in ["Price", "Id", "Title", "pk"] {
            #expect(!ReservedWords.contains(w))
        }
    }
}

@Suite("ConditionExpression errors")
struct ExpressionsConditionErrorTests {
    static let cases: [(String, [String: String]?, [String: AttributeValue]?, String)] = [
        ("", nil, nil, "Invalid ConditionExpression: The expression can not be empty;"),
        ("   ", nil, nil, "Invalid ConditionExpression: The expression can not be empty;"),
        ("a = ", nil, nil, "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\""),
        ("a == :v", nil, [":v": .s("x")], "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"== :v\""),
        ("a = :v b", nil, [":v": .s("x")], "Invalid ConditionExpression: Syntax error; token: \"b\", near: \":v b\""),
        ("a = :v AND", nil, [":v": .s("x")], "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\""),
        ("(a = :v", nil, [":v": .s("x")], "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \":v\""),
        ("a = # AND b = :v", nil, [":v": .s("x")], "Invalid ConditionExpression: Syntax error; token: \"#\", near: \"= # AND\""),
        ("a ! :v", nil, [":v": .s("x")], "Invalid ConditionExpression: Syntax error; token: \"!\", near: \"a ! :v\""),
        ("a[x] = :v", nil, [":v": .s("x")], "Invalid ConditionExpression: Syntax error; token: \"x\", near: \"[x]\""),
        ("status = :v", nil, [":v": .s("x")], "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
        ("a.Name = :v", nil, [":v": .s("x")], "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Name"),
        ("a = :v", nil, nil, "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v"),
        ("#a = :v", ["#b": "b"], [":v": .s("x")], "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #a"),
        ("((a = :v))", nil, [":v": .s("x")], "Invalid ConditionExpression: The expression has redundant parentheses;"),
        ("contains(#a, #a)", ["#a": "data"], nil, "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [data]"),
        ("attribute_exists(a, b)", nil, nil, "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"),
        ("attribute_not_exists(:v)", nil, [":v": .s("x")], "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_not_exists"),
        ("attribute_type(a, :t)", nil, [":t": .s("STRING")], "Invalid ConditionExpression: Invalid attribute type name found; type: STRING, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"),
        ("attribute_type(a, :t)", nil, [":t": .bool(true)], "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: BOOL"),
        ("begins_with(a, :n)", nil, [":n": .bool(false)], "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: BOOL"),
        ("a < :v", nil, [":v": .ss(["x"])], "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: SS"),
        ("a BETWEEN :lo AND :hi", nil, [":lo": .s("a"), ":hi": .bool(true)], "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL"),
        ("a BETWEEN :lo AND :hi", nil, [":lo": .s("b"), ":hi": .s("a")], "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"),
        ("a BETWEEN :lo AND :hi", nil, [":lo": .s("b"), ":hi": .b([1])], "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {B:...}"),
        ("foo(a)", nil, nil, "Invalid ConditionExpression: Invalid function name; function: foo"),
        ("size(a) = size(:v)", nil, [":v": F.n("1")], "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"),
        ("a = a", nil, nil, "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"),
        ("((a)) = :v", nil, [":v": F.n("1")], "Invalid ConditionExpression: The expression has redundant parentheses;"),
        ("begins_with(a, size(b))", nil, nil, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
        ("contains(attribute_exists(a), :v)", nil, [":v": F.n("1")], "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"),
        // DynamoDB reports one error per expression, in its own order of precedence.
        ("status = :undefined", nil, nil, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
        ("foo(status) = :v", nil, [":v": F.n("1")], "Invalid ConditionExpression: Invalid function name; function: foo"),
        ("#u = :v AND size(a, b) = :v", nil, [":v": F.n("1")], "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #u"),
        ("((a = :v)) AND status = :v", nil, [":v": F.n("1")], "Invalid ConditionExpression: The expression has redundant parentheses;"),
        ("AND = :v", nil, [":v": F.n("1")], "Invalid ConditionExpression: Syntax error; token: \"AND\", near: \"AND =\""),
        ("if_not_exists(a, :v) = :v", nil, [":v": .s("x")], "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists"),
        ("a = :v", nil, [":v": .s("x"), ":w": .s("y")], "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"),
        ("size(a)", nil, nil, "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"),
        ("attribute_exists(a) < :v", nil, [":v": F.n("1")], "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"),
        ("dog(a) = :v", nil, [":v": F.n("1")], "Invalid ConditionExpression: Invalid function name; function: dog"),
        ("ATTRIBUTE_EXISTS(a)", nil, nil, "Invalid ConditionExpression: Invalid function name; function: ATTRIBUTE_EXISTS"),
        ("size(a, a) = :v", nil, [":v": F.n("1")], "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"),
        ("attribute_type(a, b)", nil, nil, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"),
        ("a IN ()", nil, nil, "Invalid ConditionExpression: Syntax error; token: \")\", near: \"()\""),
        ("a", nil, nil, "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a\""),
        ("_a = :v", nil, [":v": F.n("1")], "Invalid ConditionExpression: Syntax error; token: \"_\", near: \"_a\""),
        ("1a = :v", nil, [":v": F.n("1")], "Invalid ConditionExpression: Syntax error; token: \"1\", near: \"1a\""),
        ("a = :v", nil, [":v": .ss([])], "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :v"),
        ("a = :v", ["#a": "a", "#b": "b"], [":v": .s("x")], "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}"),
    ]

    @Test(arguments: cases)
    func message(_ c: (String, [String: String]?, [String: AttributeValue]?, String)) {
        #expect(throws: DynamoDBError.validation(c.3)) {
            _ = try F.condition(c.0, names: c.1, values: c.2)
        }
    }

    @Test func filterExpressionNamesItself() {
        #expect(throws: DynamoDBError.validation("Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #missing")) {
            _ = try F.condition("#missing = :fv", kind: .filter, values: [":fv": .s("x")])
        }
    }

    @Test func inRejectsOneHundredAndOneOperands() {
        var values: [String: AttributeValue] = [:]
        for i in 0..<100 { values[":v\(i)"] = .s("\(i)") }
        let list = (0..<100).map { ":v\($0)" }.joined(separator: ",")
        #expect(throws: DynamoDBError.validation("Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101")) {
            _ = try F.condition("a IN (\(list))", values: values)
        }
    }

    @Test func expressionSizeLimit() throws {
        // 4096 bytes of text are accepted, 4097 are not; placeholders are counted as written.
        let name = String(repeating: "a", count: 4096 - " = :v".utf8.count)
        _ = try F.condition("\(name) = :v", values: [":v": .s("x")])
        #expect(throws: DynamoDBError.validation("Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097")) {
            _ = try F.condition("\(name)b = :v", kind: .filter, values: [":v": .s("x")])
        }
    }

    @Test func operatorLimit() throws {
        // 150 comparisons and 149 ANDs are 299 operators; one more comparison and AND make 301.
        let ok = Array(repeating: "a < :v", count: 150).joined(separator: " AND ")
        _ = try F.condition(ok, values: [":v": .s("x")])
        #expect(throws: DynamoDBError.validation("Invalid ConditionExpression: The expression contains too many operators; operator count: 301")) {
            _ = try F.condition(ok + " AND a < :v", values: [":v": .s("x")])
        }
    }

    @Test func firstErrorWinsAfterTheSyntaxIsChecked() {
        // A syntax error beats an undefined value earlier in the text.
        #expect(throws: DynamoDBError.validation("Invalid ConditionExpression: Syntax error; token: \")\", near: \":v)\"")) {
            _ = try F.condition("a = :v)")
        }
    }

    @Test(arguments: [
        ("ExpressionAttributeNames contains invalid key: Syntax error; key: \"s\"", ["s": "status"], nil),
        ("ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\"", nil, ["v": AttributeValue.s("x")]),
        ("ExpressionAttributeNames must not be empty", [:], nil),
        ("ExpressionAttributeValues must not be empty", nil, [:]),
    ] as [(String, [String: String]?, [String: AttributeValue]?)])
    func attributeMaps(_ c: (String, [String: String]?, [String: AttributeValue]?)) {
        #expect(throws: DynamoDBError.validation(c.0)) {
            _ = try ExpressionAttributes(names: c.1, values: c.2)
        }
    }
}
