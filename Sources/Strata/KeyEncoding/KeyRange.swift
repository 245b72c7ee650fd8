/// A range of engine keys, `lower` inclusive, `upper` exclusive (`nil`: no upper bound), the
/// shape the engine's iterator bounds take.
public struct KeyRange: Sendable, Hashable {
    public var lower: [UInt8]
    public var upper: [UInt8]?

    public init(lower: [UInt8], upper: [UInt8]?) {
        self.lower = lower
        self.upper = upper
    }

    public func contains(_ key: [UInt8]) -> Bool {
        guard !key.lexicographicallyPrecedes(lower) else { return false }
        guard let upper else { return true }
        return key.lexicographicallyPrecedes(upper)
    }

    /// True when no key can fall in the range.
    public var isEmpty: Bool {
        guard let upper else { return false }
        return !lower.lexicographicallyPrecedes(upper)
    }
}

/// A KeyConditionExpression's condition on the sort key.
public enum SortKeyCondition: Sendable, Hashable {
    case equal(AttributeValue)
    case lessThan(AttributeValue)
    case lessThanOrEqual(AttributeValue)
    case greaterThan(AttributeValue)
    case greaterThanOrEqual(AttributeValue)
    /// Both bounds inclusive.
    case between(AttributeValue, AttributeValue)
    /// S or B only.
    case beginsWith(AttributeValue)
}

extension KeyEncoding {
    /// The engine key range holding exactly the items of one partition that satisfy `condition`
    /// (all of the partition when `nil`), in sort-key order. A BETWEEN whose lower bound is above
    /// its upper bound gives an empty range; DynamoDB rejects it before it gets here.
    public static func queryRange(tableID: UInt32, partitionKey: AttributeValue,
                                  condition: SortKeyCondition? = nil) -> KeyRange {
        let prefix = partitionPrefix(tableID: tableID, partitionKey: partitionKey)
        guard let condition else { return KeyRange(lower: prefix, upper: successor(of: prefix)) }

        func key(_ v: AttributeValue) -> [UInt8] {
            var out = prefix
            encodeComponent(v, into: &out)
            return out
        }
        /// The first byte string after `k` and after everything starting with it, among keys:
        /// sort components are prefix-free, so that is `k` + 0x00.
        func after(_ k: [UInt8]) -> [UInt8] { k + [0x00] }
        func typePrefix(_ v: AttributeValue) -> [UInt8] {
            var out = prefix
            out.append(tag(of: v))
            return out
        }

        switch condition {
        case .equal(let v):
            let k = key(v)
            return KeyRange(lower: k, upper: after(k))
        case .lessThan(let v):
            return KeyRange(lower: typePrefix(v), upper: key(v))
        case .lessThanOrEqual(let v):
            return KeyRange(lower: typePrefix(v), upper: after(key(v)))
        case .greaterThan(let v):
            return KeyRange(lower: after(key(v)), upper: successor(of: typePrefix(v)))
        case .greaterThanOrEqual(let v):
            return KeyRange(lower: key(v), upper: successor(of: typePrefix(v)))
        case .between(let a, let b):
            return KeyRange(lower: key(a), upper: after(key(b)))
        case .beginsWith(let v):
            var p = typePrefix(v)
            switch v {
            case .s(let s): appendEscaped(s.utf8, into: &p)
            case .b(let b): appendEscaped(b, into: &p)
            default: preconditionFailure("begins_with takes S or B, not \(v.typeDescriptor)")
            }
            return KeyRange(lower: p, upper: successor(of: p))
        }
    }

    /// The smallest byte string greater than every string starting with `prefix`, or `nil`
    /// when there is none (the prefix is all 0xFF).
    public static func successor(of prefix: [UInt8]) -> [UInt8]? {
        var out = prefix
        while let last = out.last {
            if last < 0xFF {
                out[out.count - 1] = last + 1
                return out
            }
            out.removeLast()
        }
        return nil
    }

    static func tag(of v: AttributeValue) -> UInt8 {
        switch v {
        case .s: Format.tagString
        case .n: Format.tagNumber
        case .b: Format.tagBinary
        default: preconditionFailure("a key attribute is S, N or B, not \(v.typeDescriptor)")
        }
    }
}
