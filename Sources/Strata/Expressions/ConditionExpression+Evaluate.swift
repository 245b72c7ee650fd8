extension Operand {
    /// The operand's value against `item`, or nil when the path is missing (or size() has no
    /// meaning for the attribute's type).
    func resolve(in item: Item) -> AttributeValue? {
        switch self {
        case .value(let v): return v
        case .path(let p): return p.value(in: item)
        case .size(let p):
            guard let v = p.value(in: item), let n = v.expressionSize else { return nil }
            return .n(try! Number(String(n)))
        }
    }
}

extension AttributeValue {
    /// What size() returns: bytes of a string (UTF-8) or binary, members of a set, entries of a
    /// map or list. Numbers, booleans and nulls have no size.
    var expressionSize: Int? {
        switch self {
        case .s(let s): s.utf8.count
        case .b(let b): b.count
        case .ss(let x): x.count
        case .ns(let x): x.count
        case .bs(let x): x.count
        case .m(let x): x.count
        case .l(let x): x.count
        case .n, .bool, .null: nil
        }
    }
}

extension ConditionNode {
    /// DynamoDB's semantics: a comparison with a missing attribute, or between values of
    /// different types, is false, except `<>`, which is then true.
    public func evaluate(_ item: Item) -> Bool {
        switch self {
        case .compare(let a, let op, let b):
            guard let x = a.resolve(in: item), let y = b.resolve(in: item) else { return op == .ne }
            switch op {
            case .eq: return ValueOrder.equal(x, y)
            case .ne: return !ValueOrder.equal(x, y)
            case .lt: return ValueOrder.compare(x, y) == .orderedAscending
            case .le: return [.orderedAscending, .orderedSame].contains(ValueOrder.compare(x, y))
            case .gt: return ValueOrder.compare(x, y) == .orderedDescending
            case .ge: return [.orderedDescending, .orderedSame].contains(ValueOrder.compare(x, y))
            }
        case .between(let a, let lo, let hi):
            guard let x = a.resolve(in: item), let l = lo.resolve(in: item), let h = hi.resolve(in: item),
                  let c1 = ValueOrder.compare(l, x), let c2 = ValueOrder.compare(x, h) else { return false }
            return c1 != .orderedDescending && c2 != .orderedDescending
        case .in(let a, let list):
            guard let x = a.resolve(in: item) else { return false }
            return list.contains { o in o.resolve(in: item).map { ValueOrder.equal(x, $0) } ?? false }
        case .attributeExists(let p):
            return p.value(in: item) != nil
        case .attributeNotExists(let p):
            return p.value(in: item) == nil
        case .attributeType(let o, let type):
            guard let v = o.resolve(in: item) else { return false }
            return v.typeDescriptor == type
        case .beginsWith(let a, let b):
            switch (a.resolve(in: item), b.resolve(in: item)) {
            case (.s(let x)?, .s(let y)?): return x.utf8.starts(with: y.utf8)
            case (.b(let x)?, .b(let y)?): return x.starts(with: y)
            default: return false
            }
        case .contains(let a, let b):
            guard let x = a.resolve(in: item), let y = b.resolve(in: item) else { return false }
            return Self.contains(x, y)
        case .not(let c):
            return !c.evaluate(item)
        case .and(let l, let r):
            return l.evaluate(item) && r.evaluate(item)
        case .or(let l, let r):
            return l.evaluate(item) || r.evaluate(item)
        }
    }

    /// contains(): a substring of a string, a subsequence of a binary, a member of a set of
    /// the operand's type, or an element of a list.
    static func contains(_ x: AttributeValue, _ y: AttributeValue) -> Bool {
        switch (x, y) {
        case (.s(let s), .s(let t)):
            return t.isEmpty || Array(s.utf8).firstRange(of: Array(t.utf8)) != nil
        case (.b(let s), .b(let t)):
            return t.isEmpty || s.firstRange(of: t) != nil
        case (.ss(let set), .s(let t)): return set.contains { $0.utf8.elementsEqual(t.utf8) }
        case (.ns(let set), .n(let t)): return set.contains(t)
        case (.bs(let set), .b(let t)): return set.contains(t)
        case (.l(let list), _): return list.contains { ValueOrder.equal($0, y) }
        default: return false
        }
    }
}
