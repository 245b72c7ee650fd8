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
///     operand    := path | :value | "size" "(" operand ")" | "(" operand ")"
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
            operatorCount += 1
            node = .or(node, try parseAnd())
        }
        return node
    }

    mutating func parseAnd() throws(DynamoDBError) -> ConditionNode {
        var node = try parseNot()
        while current.isKeyword("AND") {
            advance()
            operatorCount += 1
            node = .and(node, try parseNot())
        }
        return node
    }

    mutating func parseNot() throws(DynamoDBError) -> ConditionNode {
        if current.isKeyword("NOT") {
            advance()
            operatorCount += 1
            return .not(try parseNot())
        }
        return try parsePrimary()
    }

    /// Whether the current token continues a comparison, BETWEEN or IN.
    var atComparison: Bool {
        (current.kind == .symbol && Comparator(rawValue: current.text) != nil)
            || current.isKeyword("BETWEEN") || current.isKeyword("IN")
    }

    mutating func parsePrimary() throws(DynamoDBError) -> ConditionNode {
        if current.isSymbol("(") {
            // A parenthesized operand, "(a) = :v", or a parenthesized condition.
            var trial = self
            if let term = try? trial.parseTerm(), trial.atComparison {
                self = trial
                return try parseComparison(operand(term), call: nil)
            }
            let open = position
            advance()
            let node = try parseOr()
            guard current.isSymbol(")") else { throw syntaxError() }
            let close = position
            advance()
            if kind != .keyCondition, groups.contains([open + 1, close - 1]) {
                note(.parens, "The expression has redundant parentheses;")
            }
            groups.insert([open, close])
            return node
        }
        let term = try parseTerm()
        if case .call(let name, let args) = term, Self.conditionFunctions.contains(name), !atComparison {
            return conditionFunction(name, args)
        }
        let call: String? = if case .call(let name, _) = term { name } else { nil }
        return try parseComparison(operand(term), call: call)
    }

    /// The rest of a comparison, BETWEEN or IN whose left operand is `lhs`.
    mutating func parseComparison(_ lhs: Operand, call: String?) throws(DynamoDBError) -> ConditionNode {
        if current.kind == .symbol, let comparator = Comparator(rawValue: current.text) {
            advance()
            operatorCount += 1
            let rhs = operand(try parseTerm())
            checkOrderable(comparator.rawValue, [lhs, rhs], ordering: comparator != .eq && comparator != .ne)
            checkDistinct(comparator.rawValue, [lhs, rhs])
            return .compare(lhs, comparator, rhs)
        }
        if current.isKeyword("BETWEEN") {
            advance()
            operatorCount += 1
            let lower = operand(try parseTerm())
            guard current.isKeyword("AND") else { throw syntaxError() }
            advance()
            let upper = operand(try parseTerm())
            checkOrderable("BETWEEN", [lhs, lower, upper], ordering: true)
            if case .value(let lo) = lower, case .value(let hi) = upper {
                let bounds = "lower bound operand: AttributeValue: \(lo.operandDescription), upper bound operand: AttributeValue: \(hi.operandDescription)"
                if lo.typeDescriptor != hi.typeDescriptor {
                    note(.function, "The BETWEEN operator requires same data type for lower and upper bounds; \(bounds)")
                } else if ValueOrder.compare(hi, lo) == .some(.orderedAscending) {
                    note(.function, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; \(bounds)")
                }
            }
            return .between(lhs, lower, upper)
        }
        if current.isKeyword("IN") {
            advance()
            operatorCount += 1
            try expectSymbol("(")
            var list = [operand(try parseTerm())]
            while current.isSymbol(",") {
                advance()
                list.append(operand(try parseTerm()))
            }
            try expectSymbol(")")
            // The limit of 100 counts the left-hand operand too.
            if list.count + 1 > 100 {
                note(.function, "The IN operator is provided with too many operands; number of operands: \(list.count + 1)")
            }
            return .in(lhs, list)
        }
        guard let call else { throw syntaxError() }
        // A value function standing alone ("size(a)"), or an unknown one: not a syntax error.
        if call == "size" {
            note(.misusedFunction, "The function is not allowed to be used this way in an expression; function: size")
        }
        return .attributeExists(DocumentPath(attribute: call))
    }

    /// A term in operand position: a path, a value, or size(); a misused function is recorded
    /// and stands in as NULL.
    mutating func operand(_ term: Term) -> Operand {
        switch term {
        case .path(let p): return .path(p)
        case .value(let v): return .value(v)
        case .call(let name, let args):
            let placeholder = Operand.value(.null)
            guard name == "size" else {
                functionMisuse(name)
                return placeholder
            }
            guard args.count == 1 else {
                note(.operand, "Incorrect number of operands for operator or function; operator or function: size, number of operands: \(args.count)")
                return placeholder
            }
            switch operand(args[0]) {
            case .path(let p):
                return .size(p)
            case .value(let v):
                guard let n = v.expressionSize else {
                    note(.function, "Incorrect operand type for operator or function; operator or function: size, operand type: \(v.typeDescriptor)")
                    return placeholder
                }
                return .value(.n(try! Number(String(n))))
            case .size:
                note(.function, "Incorrect operand type for operator or function; operator or function: size, operand type: N")
                return placeholder
            }
        }
    }

    mutating func functionMisuse(_ name: String) {
        if Self.conditionFunctions.contains(name) {
            note(.misusedFunction, "The function is not allowed to be used this way in an expression; function: \(name)")
        } else if Self.updateFunctions.contains(name) {
            note(.unknownFunction, "The function is not allowed in a \(kind == .filter ? "filter" : "condition") expression; function: \(name)")
        } else {
            note(.unknownFunction, "Invalid function name; function: \(name)")
        }
    }

    mutating func conditionFunction(_ name: String, _ args: [Term]) -> ConditionNode {
        let placeholder = ConditionNode.attributeExists(DocumentPath(attribute: name))
        let operands = args.map { operand($0) }
        guard operands.count == (name.hasPrefix("attribute_") && name != "attribute_type" ? 1 : 2) else {
            note(.operand, "Incorrect number of operands for operator or function; operator or function: \(name), number of operands: \(args.count)")
            return placeholder
        }
        func typeError(_ type: String) {
            note(.function, "Incorrect operand type for operator or function; operator or function: \(name), operand type: \(type)")
        }
        switch name {
        case "attribute_exists", "attribute_not_exists":
            guard case .path(let p) = operands[0] else {
                note(.function, "Operator or function requires a document path; operator or function: \(name)")
                return placeholder
            }
            return name == "attribute_exists" ? .attributeExists(p) : .attributeNotExists(p)
        case "attribute_type":
            // The first operand may be a path or a value; the type must be a string value.
            switch operands[1] {
            case .value(.s(let t)):
                if !Self.typeDescriptors.contains(t) {
                    note(.function, "Invalid attribute type name found; type: \(t), valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}")
                }
                return .attributeType(operands[0], t)
            case .value(let v): typeError(v.typeDescriptor)
            case .size: typeError("N")
            case .path: typeError("{NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
            }
            return placeholder
        case "begins_with":
            checkDistinct(name, operands)
            for o in operands {
                switch o {
                case .value(.s), .value(.b), .path: continue
                case .value(let v): typeError(v.typeDescriptor)
                case .size: typeError("N")
                }
            }
            return .beginsWith(operands[0], operands[1])
        default:
            checkDistinct(name, operands)
            return .contains(operands[0], operands[1])
        }
    }

    /// <, <=, >, >= and BETWEEN order only strings, numbers and binaries.
    mutating func checkOrderable(_ op: String, _ operands: [Operand], ordering: Bool) {
        guard ordering else { return }
        for case .value(let v) in operands {
            switch v {
            case .s, .n, .b: continue
            default:
                note(.function, "Incorrect operand type for operator or function; operator or function: \(op), operand type: \(v.typeDescriptor)")
            }
        }
    }

    /// A comparison or two-operand function on the same path twice is refused.
    mutating func checkDistinct(_ op: String, _ operands: [Operand]) {
        guard operands.count == 2, case .path(let first) = operands[0], case .path(let second) = operands[1],
              first == second else { return }
        note(.distinct, "The first operand must be distinct from the remaining operands for this operator or function; operator: \(op), first operand: \(first)")
    }
}
