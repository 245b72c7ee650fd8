/// A recursive-descent parser over the tokens of one expression. Syntax errors throw at once,
/// in DynamoDB's shape; semantic errors (undefined placeholders, reserved words, bad operand
/// types) are kept and thrown after the whole expression has parsed, the first one found.
struct Parser {
    let source: String
    let tokens: [Token]
    let kind: ExpressionKind
    var attributes: ExpressionAttributes
    var position = 0
    var deferred: DynamoDBError?
    /// Parenthesized condition groups already closed, as (open, close) token positions.
    var groups: Set<[Int]> = []

    init(_ source: String, kind: ExpressionKind, attributes: ExpressionAttributes) throws(DynamoDBError) {
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
        let lower = i > 0 ? tokens[i - 1].range.lowerBound : token.range.lowerBound
        let upper = token.kind == .end ? (i > 0 ? tokens[i - 1].range.upperBound : token.range.upperBound)
            : tokens[i + 1].range.upperBound
        let near = String(source.unicodeScalars[lower..<max(lower, upper)])
        return kind.error("Syntax error; token: \"\(token.text)\", near: \"\(near)\"")
    }

    mutating func expectSymbol(_ s: String) throws(DynamoDBError) {
        guard current.isSymbol(s) else { throw syntaxError() }
        advance()
    }

    mutating func note(_ detail: String) {
        if deferred == nil { deferred = kind.error(detail) }
    }

    func finish() throws(DynamoDBError) {
        guard current.kind == .end else { throw syntaxError() }
        if let deferred { throw deferred }
    }

    // MARK: paths and terms

    var atPathStart: Bool {
        (current.kind == .identifier && !peek().isSymbol("(")) || current.kind == .name
    }

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
            advance()
            if ReservedWords.contains(token.text) {
                note("Attribute name is a reserved keyword; reserved keyword: \(token.text)")
            }
            return .name(token.text)
        case .name:
            advance()
            guard let name = attributes.name(token.text) else {
                note("An expression attribute name used in the document path is not defined; attribute name: \(token.text)")
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
            note("An expression attribute value used in expression is not defined; attribute value: \(token.text)")
            return .null
        }
        return v
    }

    /// A path, a :value, or a function call with term arguments.
    mutating func parseTerm() throws(DynamoDBError) -> Term {
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
