/// The condition grammar (ConditionExpression, FilterExpression, KeyConditionExpression):
///
///     condition  := or
///     or         := and ("OR" and)*
///     and        := not ("AND" not)*
///     not        := "NOT" not | primary
///     primary    := "(" condition ")" | function "(" operands ")"
///                 | operand comparator operand
///                 | operand "BETWEEN" operand "AND" operand
///                 | operand "IN" "(" operand ("," operand)* ")"
///     operand    := path | :value | "size" "(" path ")"
extension Parser {
    static let conditionFunctions: Set<String> = [
        "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains",
    ]
    static let updateFunctions: Set<String> = ["if_not_exists", "list_append"]
    static let typeDescriptors: Set<String> = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]

    mutating func parseWholeCondition() throws(DynamoDBError) -> ConditionNode {
        let node = try parseOr()
        try finish()
        return node
    }

    mutating func parseOr() throws(DynamoDBError) -> ConditionNode {
        var node = try parseAnd()
        while current.isKeyword("OR") {
            advance()
            node = .or(node, try parseAnd())
        }
        return node
    }

    mutating func parseAnd() throws(DynamoDBError) -> ConditionNode {
        var node = try parseNot()
        while current.isKeyword("AND") {
            advance()
            node = .and(node, try parseNot())
        }
        return node
    }

    mutating func parseNot() throws(DynamoDBError) -> ConditionNode {
        if current.isKeyword("NOT") {
            advance()
            return .not(try parseNot())
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(DynamoDBError) -> ConditionNode {
        if current.isSymbol("(") {
            let open = position
            advance()
            let node = try parseOr()
            guard current.isSymbol(")") else { throw syntaxError() }
            let close = position
            advance()
            if kind != .keyCondition, groups.contains([open + 1, close - 1]) {
                note("The expression has redundant parentheses;")
            }
            groups.insert([open, close])
            return node
        }
        let startsCall = current.kind == .identifier && peek().isSymbol("(")
        let term = try parseTerm()
        if startsCall, case .call(let name, let args) = term, Self.conditionFunctions.contains(name) {
            let node = conditionFunction(name, args)
            // A boolean function cannot be an operand ("attribute_exists(a) < :v").
            if atComparison { throw kind.error("The function is not allowed to be used this way in an expression; function: \(name)") }
            return node
        }
        let lhs = operand(term)
        if startsCall, !atComparison, case .call(let name, _) = term {
            // A value function standing alone ("size(a)"), or an unknown one.
            if let deferred { throw deferred }
            throw kind.error("The function is not allowed to be used this way in an expression; function: \(name)")
        }
        if current.kind == .symbol, let comparator = Comparator(rawValue: current.text) {
            advance()
            let rhs = operand(try parseTerm())
            checkOrderable(comparator.rawValue, [lhs, rhs], ordering: comparator != .eq && comparator != .ne)
            return .compare(lhs, comparator, rhs)
        }
        if current.isKeyword("BETWEEN") {
            advance()
            let lower = operand(try parseTerm())
            guard current.isKeyword("AND") else { throw syntaxError() }
            advance()
            let upper = operand(try parseTerm())
            checkOrderable("BETWEEN", [lhs, lower, upper], ordering: true)
            if case .value(let lo) = lower, case .value(let hi) = upper {
                if lo.typeDescriptor != hi.typeDescriptor {
                    note("The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: \(lo.operandDescription), upper bound operand: AttributeValue: \(hi.operandDescription)")
                } else if ValueOrder.compare(hi, lo) == .some(.orderedAscending) {
                    note("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: \(lo.operandDescription), upper bound operand: AttributeValue: \(hi.operandDescription)")
                }
            }
            return .between(lhs, lower, upper)
        }
        if current.isKeyword("IN") {
            advance()
            try expectSymbol("(")
            var list = [operand(try parseTerm())]
            while current.isSymbol(",") {
                advance()
                list.append(operand(try parseTerm()))
            }
            try expectSymbol(")")
            // The limit of 100 counts the left-hand operand too.
            if list.count + 1 > 100 {
                note("The IN operator is provided with too many operands; number of operands: \(list.count + 1)")
            }
            return .in(lhs, list)
        }
        throw syntaxError()
    }

    /// Whether the current token continues a comparison, BETWEEN or IN.
    var atComparison: Bool {
        (current.kind == .symbol && Comparator(rawValue: current.text) != nil)
            || current.isKeyword("BETWEEN") || current.isKeyword("IN")
    }

    /// A term in operand position: a path, a value, or size(path).
    mutating func operand(_ term: Term) -> Operand {
        switch term {
        case .path(let p): return .path(p)
        case .value(let v): return .value(v)
        case .call(let name, let args):
            guard name == "size" else {
                functionMisuse(name)
                return .value(.null)
            }
            guard args.count == 1 else {
                note("Incorrect number of operands for operator or function; operator or function: size, number of operands: \(args.count)")
                return .value(.null)
            }
            guard case .path(let p) = args[0] else {
                note("Operator or function requires a document path; operator or function: size")
                return .value(.null)
            }
            return .size(p)
        }
    }

    mutating func functionMisuse(_ name: String) {
        if Self.conditionFunctions.contains(name) || name == "size" {
            note("The function is not allowed to be used this way in an expression; function: \(name)")
        } else if Self.updateFunctions.contains(name) {
            note("The function is not allowed to be used in a \(kind == .filter ? "filter" : "condition") expression; function: \(name)")
        } else {
            note("Invalid function name; function: \(name)")
        }
    }

    mutating func conditionFunction(_ name: String, _ args: [Term]) -> ConditionNode {
        let placeholder = ConditionNode.attributeExists(DocumentPath(attribute: name))
        func count(_ n: Int) -> Bool {
            if args.count == n { return true }
            note("Incorrect number of operands for operator or function; operator or function: \(name), number of operands: \(args.count)")
            return false
        }
        switch name {
        case "attribute_exists", "attribute_not_exists":
            guard count(1) else { return placeholder }
            guard case .path(let p) = args[0] else {
                note("Operator or function requires a document path; operator or function: \(name)")
                return placeholder
            }
            return name == "attribute_exists" ? .attributeExists(p) : .attributeNotExists(p)
        case "attribute_type":
            // The first operand may be a path or a value; the type must be a value.
            guard count(2) else { return placeholder }
            let subject = operand(args[0])
            guard case .value(let v) = operand(args[1]) else {
                note("Incorrect operand type for operator or function; operator or function: \(name), operand type: path")
                return placeholder
            }
            guard case .s(let t) = v else {
                note("Incorrect operand type for operator or function; operator or function: \(name), operand type: \(v.typeDescriptor)")
                return placeholder
            }
            if !Self.typeDescriptors.contains(t) {
                note("Invalid attribute type name found; type: \(t), valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }")
            }
            return .attributeType(subject, t)
        case "begins_with", "contains":
            guard count(2) else { return placeholder }
            let a = operand(args[0]), b = operand(args[1])
            if name == "begins_with" {
                for case .value(let v) in [a, b] {
                    switch v {
                    case .s, .b: break
                    default:
                        note("Incorrect operand type for operator or function; operator or function: \(name), operand type: \(v.typeDescriptor)")
                    }
                }
            }
            checkDistinct(name, [a, b])
            return name == "begins_with" ? .beginsWith(a, b) : .contains(a, b)
        default:
            return placeholder
        }
    }

    /// <, <=, >, >= and BETWEEN order only strings, numbers and binaries.
    mutating func checkOrderable(_ op: String, _ operands: [Operand], ordering: Bool) {
        guard ordering else { return }
        for case .value(let v) in operands {
            switch v {
            case .s, .n, .b: continue
            default:
                note("Incorrect operand type for operator or function; operator or function: \(op), operand type: \(v.typeDescriptor)")
            }
        }
    }

    mutating func checkDistinct(_ op: String, _ operands: [Operand]) {
        guard case .path(let first) = operands[0] else { return }
        for case .path(let other) in operands.dropFirst() where other == first {
            note("The first operand must be distinct from the remaining operands for this operator or function; operator: \(op), first operand: \(first)")
        }
    }
}
