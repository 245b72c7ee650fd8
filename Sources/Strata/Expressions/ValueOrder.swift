/// Equality and ordering of attribute values as expressions see them.
enum ValueOrder {
    enum Order { case orderedAscending, orderedSame, orderedDescending }

    /// Strings compare by UTF-8 bytes, binaries by unsigned bytes, numbers numerically.
    /// Any other pair, or a pair of different types, has no order (nil).
    static func compare(_ a: AttributeValue, _ b: AttributeValue) -> Order? {
        switch (a, b) {
        case (.s(let x), .s(let y)): return bytes(Array(x.utf8), Array(y.utf8))
        case (.b(let x), .b(let y)): return bytes(x, y)
        case (.n(let x), .n(let y)):
            if x == y { return .orderedSame }
            return x < y ? .orderedAscending : .orderedDescending
        default: return nil
        }
    }

    static func bytes(_ x: [UInt8], _ y: [UInt8]) -> Order {
        for (p, q) in zip(x, y) where p != q { return p < q ? .orderedAscending : .orderedDescending }
        if x.count == y.count { return .orderedSame }
        return x.count < y.count ? .orderedAscending : .orderedDescending
    }

    /// Deep equality: same type and same value; sets compare without regard to order.
    static func equal(_ a: AttributeValue, _ b: AttributeValue) -> Bool {
        switch (a, b) {
        case (.s(let x), .s(let y)): return x.utf8.elementsEqual(y.utf8)
        case (.n(let x), .n(let y)): return x == y
        case (.b(let x), .b(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.ss(let x), .ss(let y)): return x.count == y.count && Set(x.map { Array($0.utf8) }) == Set(y.map { Array($0.utf8) })
        case (.ns(let x), .ns(let y)): return x.count == y.count && Set(x) == Set(y)
        case (.bs(let x), .bs(let y)): return x.count == y.count && Set(x) == Set(y)
        case (.l(let x), .l(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.m(let x), .m(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x {
                guard let w = y[k], equal(v, w) else { return false }
            }
            return true
        default: return false
        }
    }
}
