/// A recursive-descent parser over the tokens of one expression. Syntax errors throw at once,
/// in DynamoDB's shape. Semantic errors (undefined placeholders, reserved words, misused
/// functions, bad operand types) are kept, one per class, and the parse throws the one DynamoDB
/// reports first once the whole expression has been read.
struct Parser {
    /// The classes of semantic error; `reportOrder` ranks them per expression kind.
    enum Problem: Hashable {
        case parens, unknownFunction, misusedFunction, reserved, section
        case attributeName, attributeValue, pathOverlap, pathConflict, operand, distinct, function
    }

    let source: String
    let tokens: [Token]
    let kind: ExpressionKind
    var attributes: ExpressionAttributes
    var position = 0
    var problems: [Problem: String] = [:]
    /// Comparators, logical operators, BETWEEN, IN, + and - and function calls seen so far.
    var operatorCount = 0
    /// Parenthesized condition groups already closed, as (open, close) token positions.
    var groups: Set<[Int]> = []

    /// The longest expression DynamoDB accepts, in UTF-8 bytes of the text as sent.
    static let maxExpressionSize = 4096
    /// The most operators and functions one expression may hold.
    static let maxOperators = 300

    init(_ source: String, kind: ExpressionKind, attributes: ExpressionAttributes) throws(DynamoDBError) {
        if source.utf8.count > Self.maxExpressionSize {
            throw kind.error("Expression size has exceeded the maximum allowed size; expression size: \(source.utf8.count)")
        }
        self.source = source
        self.tokens = Lexer.tokenize(source)
        self.kind = kind
        self.attributes = attributes
        if tokens.count == 1 { throw kind.error("The expression can not be empty;") }
    }

    // MARK: tokens

    var current: Token { tokens[position] }
    func peek(_ offset: Int = 1) -> Token { tokens[min(position + offset, tokens.count - 1)] }
    mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    /// "Syntax error; token: \"x\", near: \"...\"": near spans the token before through the token after.
    func syntaxError(at index: Int? = nil) -> DynamoDBError {
        let i = index ?? position
        let token = tokens[i]
        let lower = i > 0 ? tokens[i - 1].bytes.lowerBound : token.bytes.lowerBound
        let upper = token.kind == .end ? (i > 0 ? tokens[i - 1].bytes.upperBound : token.bytes.upperBound)
            : tokens[i + 1].bytes.upperBound
        let utf8 = source.utf8
        let near = String(decoding: utf8[utf8.index(utf8.startIndex, offsetBy: lower)..<utf8.index(utf8.startIndex, offsetBy: max(lower, upper))],
                          as: UTF8.self)
        return kind.error("Syntax error; token: \"\(token.text)\", near: \"\(near)\"")
    }

    mutating func expectSymbol(_ s: String) throws(DynamoDBError) {
        guard current.isSymbol(s) else { throw syntaxError() }
        advance()
    }

    /// The keywords that cannot name an attribute without a placeholder in this kind of expression.
    var keywords: [String] { kind == .update ? Self.updateKeywords : Self.conditionKeywords }
    static let updateKeywords = ["SET", "REMOVE", "ADD", "DELETE"]
    static let conditionKeywords = ["AND", "OR", "NOT", "BETWEEN", "IN"]

    /// Whether `token` is one of this kind's keywords, in any case.
    func isKeyword(_ token: Token) -> Bool {
        guard token.kind == .identifier else { return false }
        for k in keywords where token.isKeyword(k) { return true }
        return false
    }

    /// Records a semantic error; the first of each class is kept.
    mutating func note(_ problem: Problem, _ detail: String) {
        var problem = problem
        // Condition expressions rank undefined names and values together.
        if problem == .attributeValue, kind != .update { problem = .attributeName }
        if problems[problem] == nil { problems[problem] = detail }
    }

    var reportOrder: [Problem] {
        switch kind {
        case .update:
            [.reserved, .unknownFunction, .misusedFunction, .section, .attributeName, .attributeValue,
             .pathOverlap, .pathConflict, .operand, .function]
        case .projection:
            [.reserved, .attributeName, .pathOverlap, .pathConflict]
        case .condition, .filter, .keyCondition:
            [.parens, .unknownFunction, .misusedFunction, .reserved, .attributeName, .operand, .distinct, .function]
        }
    }

    /// The semantic error DynamoDB would report, if any.
    var firstProblem: DynamoDBError? {
        for p in reportOrder { if let detail = problems[p] { return kind.error(detail) } }
        return nil
    }

    func finish() throws(DynamoDBError) {
        guard current.kind == .end else { throw syntaxError() }
        if operatorCount > Self.maxOperators {
            throw kind.error("The expression contains too many operators; operator count: \(operatorCount)")
        }
        if let firstProblem { throw firstProblem }
    }

    /// Records the first overlapping pair, else the first conflicting pair, of `paths`.
    mutating func checkDisjoint(_ paths: [DocumentPath]) {
        for j in paths.indices {
            for i in 0..<j {
                switch paths[i].relation(to: paths[j]) {
                case .disjoint: continue
                case .overlap:
                    note(.pathOverlap, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: \(paths[i]), path two: \(paths[j])")
                case .conflict:
                    note(.pathConflict, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: \(paths[i]), path two: \(paths[j])")
                }
            }
        }
    }

    // MARK: paths and terms

    mutating func parsePath() throws(DynamoDBError) -> DocumentPath {
        var elements: [DocumentPath.Element] = [try parsePathName()]
        while true {
            if current.isSymbol(".") {
                advance()
                elements.append(try parsePathName())
            } else if current.isSymbol("[") {
                advance()
                guard current.kind == .integer, let i = Int(current.text) else { throw syntaxError() }
                advance()
                try expectSymbol("]")
                elements.append(.index(i))
            } else {
                return DocumentPath(elements)
            }
        }
    }

    mutating func parsePathName() throws(DynamoDBError) -> DocumentPath.Element {
        let token = current
        switch token.kind {
        case .identifier:
            if isKeyword(token) { throw syntaxError() }
            advance()
            if ReservedWords.contains(token.text) {
                note(.reserved, "Attribute name is a reserved keyword; reserved keyword: \(token.text)")
            }
            return .name(token.text)
        case .name:
            advance()
            guard let name = attributes.name(token.text) else {
                note(.attributeName, "An expression attribute name used in the document path is not defined; attribute name: \(token.text)")
                return .name(token.text)
            }
            return .name(name)
        default:
            throw syntaxError()
        }
    }

    mutating func parseValue() -> AttributeValue {
        let token = current
        advance()
        guard let v = attributes.value(token.text) else {
            note(.attributeValue, "An expression attribute value used in expression is not defined; attribute value: \(token.text)")
            return .null
        }
        return v
    }

    /// A path, a :value, or a function call with term arguments, possibly in parentheses.
    mutating func parseTerm() throws(DynamoDBError) -> Term {
        if current.isSymbol("(") {
            advance()
            let redundant = current.isSymbol("(")
            let inner = try parseTerm()
            try expectSymbol(")")
            if redundant, kind == .condition || kind == .filter {
                note(.parens, "The expression has redundant parentheses;")
            }
            return inner
        }
        switch current.kind {
        case .value:
            return .value(parseValue())
        case .name:
            return .path(try parsePath())
        case .identifier:
            if peek().isSymbol("(") { return try parseCall() }
            return .path(try parsePath())
        default:
            throw syntaxError()
        }
    }

    mutating func parseCall() throws(DynamoDBError) -> Term {
        let name = current.text
        advance()
        operatorCount += 1
        try expectSymbol("(")
        var args: [Term] = []
        if !current.isSymbol(")") {
            args.append(try parseTerm())
            while current.isSymbol(",") {
                advance()
                args.append(try parseTerm())
            }
        }
        try expectSymbol(")")
        return .call(name, args)
    }
}

/// A parsed operand before it is checked against what its place in the grammar allows.
indirect enum Term {
    case path(DocumentPath)
    case value(AttributeValue)
    case call(String, [Term])
}

extension AttributeValue {
    /// The type names DynamoDB uses in ADD/DELETE operand-type messages.
    var longTypeName: String {
        switch self {
        case .s: "STRING"
        case .n: "NUMBER"
        case .b: "BINARY"
        case .bool: "BOOLEAN"
        case .null: "NULL"
        case .m: "MAP"
        case .l: "LIST"
        case .ss: "SET_OF_STRING"
        case .ns: "SET_OF_NUMBER"
        case .bs: "SET_OF_BINARY"
        }
    }

    var isSet: Bool {
        switch self {
        case .ss, .ns, .bs: true
        default: false
        }
    }

    /// `{N:10}` as DynamoDB renders an operand in BETWEEN messages.
    var operandDescription: String {
        switch self {
        case .s(let s): "{S:\(s)}"
        case .n(let n): "{N:\(n)}"
        case .bool(let b): "{BOOL:\(b)}"
        case .null: "{NULL:true}"
        default: "{\(typeDescriptor):...}"
        }
    }
}
