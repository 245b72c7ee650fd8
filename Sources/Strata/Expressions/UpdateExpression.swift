/// A parsed UpdateExpression (or the legacy AttributeUpdates), with placeholders resolved.
public struct UpdateExpression: Sendable, Hashable {
    public var actions: [UpdateAction]
    /// AttributeUpdates' ADD also appends to lists; the expression language's ADD does not.
    package var addAppendsLists = false

    public init(actions: [UpdateAction]) { self.actions = actions }

    /// Parses `SET ... REMOVE ... ADD ... DELETE ...` (each clause at most once, in any order),
    /// then rejects overlapping or conflicting paths.
    public static func parse(_ text: String, attributes: inout ExpressionAttributes) throws(DynamoDBError) -> UpdateExpression {
        var parser = try Parser(text, kind: .update, attributes: attributes)
        let actions = try parser.parseUpdate()
        attributes = parser.attributes
        return UpdateExpression(actions: actions)
    }

    /// The paths the update writes, in the order written (for ReturnValues UPDATED_OLD/UPDATED_NEW).
    public var paths: [DocumentPath] { actions.map(\.path) }

    /// The top-level attributes the update touches (to refuse updates of key attributes).
    public var attributeNames: Set<String> { Set(actions.map(\.path.attributeName)) }
}

public enum UpdateAction: Sendable, Hashable {
    case set(DocumentPath, UpdateValue)
    case remove(DocumentPath)
    /// ADD path :value (numbers and sets)
    case add(DocumentPath, AttributeValue)
    /// DELETE path :set
    case delete(DocumentPath, AttributeValue)

    public var path: DocumentPath {
        switch self {
        case .set(let p, _), .remove(let p), .add(let p, _), .delete(let p, _): p
        }
    }
}

/// The right-hand side of a SET action.
public indirect enum UpdateValue: Sendable, Hashable {
    case path(DocumentPath)
    case value(AttributeValue)
    case ifNotExists(DocumentPath, UpdateValue)
    case listAppend(UpdateValue, UpdateValue)
    case plus(UpdateValue, UpdateValue)
    case minus(UpdateValue, UpdateValue)
}

/// The update grammar:
///
///     update  := clause+            (each of SET, REMOVE, ADD, DELETE at most once)
///     clause  := "SET" path "=" value ("," path "=" value)*
///              | "REMOVE" path ("," path)*
///              | ("ADD" | "DELETE") path :value ("," path :value)*
///     value   := operand (("+" | "-") operand)?
///     operand := path | :value | "if_not_exists" "(" path "," operand ")"
///              | "list_append" "(" operand "," operand ")"
extension Parser {
    mutating func parseUpdate() throws(DynamoDBError) -> [UpdateAction] {
        var actions: [UpdateAction] = []
        var seen: [String] = []
        repeat {
            guard let clause = Self.updateKeywords.first(where: { current.isKeyword($0) }) else { throw syntaxError() }
            if seen.contains(clause) {
                note(.section, "The \"\(clause)\" section can only be used once in an update expression;")
            } else {
                seen.append(clause)
            }
            advance()
            actions.append(try parseUpdateAction(clause))
            while current.isSymbol(",") {
                advance()
                actions.append(try parseUpdateAction(clause))
            }
        } while current.kind != .end
        checkDisjoint(actions.map(\.path))
        try finish()
        return actions
    }

    mutating func parseUpdateAction(_ clause: String) throws(DynamoDBError) -> UpdateAction {
        let path = try parsePath()
        switch clause {
        case "SET":
            try expectSymbol("=")
            return .set(path, try parseSetValue())
        case "REMOVE":
            return .remove(path)
        default:
            guard current.kind == .value else { throw syntaxError() }
            let v = parseValue()
            let allowed = clause == "ADD" ? (v.isSet || { if case .n = v { true } else { false } }()) : v.isSet
            if !allowed {
                note(.operand, "Incorrect operand type for operator or function; operator: \(clause), operand type: \(v.longTypeName), typeSet: ALLOWED_FOR_\(clause)_OPERAND")
            }
            return clause == "ADD" ? .add(path, v) : .delete(path, v)
        }
    }

    mutating func parseSetValue() throws(DynamoDBError) -> UpdateValue {
        // The whole value may sit in parentheses: "SET a = (b + :v)".
        if current.isSymbol("(") {
            var trial = self
            trial.advance()
            if let value = try? trial.parseSetValue(), trial.current.isSymbol(")") {
                trial.advance()
                self = trial
                return value
            }
        }
        let first = try updateOperand(try parseTerm())
        for op in ["+", "-"] where current.isSymbol(op) {
            advance()
            operatorCount += 1
            let second = try updateOperand(try parseTerm())
            for case .value(let v) in [first, second] {
                if case .n = v { continue }
                note(.function, "Incorrect operand type for operator or function; operator or function: \(op), operand type: \(v.typeDescriptor)")
            }
            return op == "+" ? .plus(first, second) : .minus(first, second)
        }
        return first
    }

    mutating func updateOperand(_ term: Term) throws(DynamoDBError) -> UpdateValue {
        switch term {
        case .path(let p): return .path(p)
        case .value(let v): return .value(v)
        case .call(let name, let args):
            let placeholder = UpdateValue.value(.null)
            switch name {
            case "if_not_exists", "list_append":
                guard args.count == 2 else {
                    note(.function, "Incorrect number of operands for operator or function; operator or function: \(name), number of operands: \(args.count)")
                    return placeholder
                }
                let a = try updateOperand(args[0]), b = try updateOperand(args[1])
                if name == "if_not_exists" {
                    guard case .path(let p) = a else {
                        note(.function, "Operator or function requires a document path; operator or function: if_not_exists")
                        return placeholder
                    }
                    return .ifNotExists(p, b)
                }
                for case .call("list_append", _) in args {
                    note(.misusedFunction, "The function is not allowed to be used this way in an expression; function: list_append")
                }
                for case .value(let v) in [a, b] {
                    if case .l = v { continue }
                    note(.function, "Incorrect operand type for operator or function; operator or function: list_append, operand type: \(v.typeDescriptor)")
                }
                return .listAppend(a, b)
            default:
                if Self.conditionFunctions.contains(name) || name == "size" {
                    note(.unknownFunction, "The function is not allowed in an update expression; function: \(name)")
                } else {
                    note(.unknownFunction, "Invalid function name; function: \(name)")
                }
                return placeholder
            }
        }
    }
}
