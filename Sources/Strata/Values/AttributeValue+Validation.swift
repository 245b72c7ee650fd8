/// DynamoDB's rules for values, items and keys, with its error wording: sets non-empty with
/// unique members, nesting at most 32 levels, item size computed as the Developer Guide's
/// "Item sizes and formats" page documents it and at most 400 KB, key attributes non-empty and
/// at most 2048 (partition) or 1024 (sort) bytes.
extension AttributeValue {
    /// Levels of nesting DynamoDB supports: the attribute itself is level 1.
    public static let maxNestingDepth = 32
    /// 400 KB.
    public static let maxItemSize = 400 * 1024
    public static let maxPartitionKeySize = 2048
    public static let maxSortKeySize = 1024

    static let emptyValueError = DynamoDBError.validation(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
    static let multipleTypesError = DynamoDBError.validation(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
    static let nullFalseError = DynamoDBError.validation(
        "One or more parameter values were invalid: Null attribute value types must have the value of true")
    static let nestingError = DynamoDBError.validation(
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit")
    static let itemSizeError = DynamoDBError.validation("Item size has exceeded the maximum allowed size")

    /// Checks this value's own set rules (not those of nested values): sets non-empty, members
    /// unique (numerically for NS: "1" and "1.0" are duplicates).
    func validateSetMembers() throws(DynamoDBError) {
        switch self {
        case .ss(let members):
            if members.isEmpty {
                throw .validation("One or more parameter values were invalid: An string set  may not be empty")
            }
            if Set(members).count != members.count {
                throw .validation("One or more parameter values were invalid: Input collection [\(members.joined(separator: ", "))] contains duplicates.")
            }
        case .ns(let members):
            if members.isEmpty {
                throw .validation("One or more parameter values were invalid: An number set  may not be empty")
            }
            if Set(members).count != members.count { throw .validation("Input collection contains duplicates") }
        case .bs(let members):
            if members.isEmpty {
                throw .validation("One or more parameter values were invalid: Binary sets should not be empty")
            }
            if Set(members).count != members.count {
                let shown = members.map(Base64.encode).joined(separator: ", ")
                throw .validation("One or more parameter values were invalid: Input collection [\(shown)]of type BS contains duplicates.")
            }
        default:
            break
        }
    }

    /// Validates this value and everything nested in it: set rules everywhere, and at most
    /// `maxNestingDepth` levels counting this value as level 1.
    public func validate() throws(DynamoDBError) {
        try validate(level: 1)
    }

    private func validate(level: Int) throws(DynamoDBError) {
        if level > AttributeValue.maxNestingDepth { throw AttributeValue.nestingError }
        switch self {
        case .m(let entries):
            for value in entries.values { try value.validate(level: level + 1) }
        case .l(let elements):
            for value in elements { try value.validate(level: level + 1) }
        case .ss, .ns, .bs:
            try validateSetMembers()
        default:
            break
        }
    }

    /// Levels of nesting: 1 for a scalar, a set or an empty map or list.
    public var nestingDepth: Int {
        switch self {
        case .m(let entries): 1 + (entries.values.map(\.nestingDepth).max() ?? 0)
        case .l(let elements): 1 + (elements.map(\.nestingDepth).max() ?? 0)
        default: 1
        }
    }

    /// The value's size in bytes as DynamoDB counts it, without the attribute name:
    /// strings by UTF-8 bytes, binaries by raw bytes, numbers 1 byte per two significant
    /// digits (rounded up) plus 1, BOOL and NULL 1 byte, sets the sum of their members, a map
    /// or list 3 bytes plus, per element, 1 byte plus its size (and, in a map, its name).
    public var size: Int {
        switch self {
        case .s(let v): v.utf8.count
        case .n(let v): Self.numberSize(v)
        case .b(let v): v.count
        case .bool, .null: 1
        case .ss(let v): v.reduce(0) { $0 + $1.utf8.count }
        case .ns(let v): v.reduce(0) { $0 + Self.numberSize($1) }
        case .bs(let v): v.reduce(0) { $0 + $1.count }
        case .m(let entries): entries.reduce(3) { $0 + 1 + $1.key.utf8.count + $1.value.size }
        case .l(let elements): elements.reduce(3) { $0 + 1 + $1.size }
        }
    }

    /// (1 byte per two significant digits) + (1 byte); zero counts as one digit.
    static func numberSize(_ n: Number) -> Int {
        (n.significantDigitCount + 1) / 2 + 1
    }

    /// The type of a key attribute: S, N or B.
    public enum KeyType: String, Sendable, Hashable, CaseIterable {
        case s = "S", n = "N", b = "B"
    }

    /// The key type of an S, N or B value; nil for the other types.
    public var keyType: KeyType? {
        switch self {
        case .s: .s
        case .n: .n
        case .b: .b
        default: nil
        }
    }

    /// Which key an attribute is.
    public enum KeyRole: Sendable, Hashable {
        case partition, sort
    }

    /// Validates a key attribute's value: the declared type, non-empty strings and binaries,
    /// and the key size limits, with DynamoDB's messages.
    public static func validateKey(_ value: AttributeValue, name: String, type: KeyType,
                                   role: KeyRole) throws(DynamoDBError) {
        guard value.keyType == type else {
            throw .validation("One or more parameter values were invalid: Type mismatch for key \(name) expected: \(type.rawValue) actual: \(value.typeDescriptor)")
        }
        let bytes: Int
        switch value {
        case .s(let s):
            if s.isEmpty {
                throw .validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: \(name)")
            }
            bytes = s.utf8.count
        case .b(let b):
            if b.isEmpty {
                throw .validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: \(name)")
            }
            bytes = b.count
        default:
            bytes = 0   // a number always fits
        }
        switch role {
        case .partition where bytes > maxPartitionKeySize:
            throw .validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
        case .sort where bytes > maxSortKeySize:
            throw .validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
        default:
            break
        }
    }
}

extension Dictionary where Key == String, Value == AttributeValue {
    /// The item's size as DynamoDB counts it: per attribute, its name's UTF-8 bytes plus its
    /// value's size.
    public var itemSize: Int {
        reduce(0) { $0 + $1.key.utf8.count + $1.value.size }
    }

    /// Validates every attribute value (sets, nesting) and the 400 KB item size limit; returns
    /// the item's size.
    @discardableResult
    public func validateItem() throws(DynamoDBError) -> Int {
        var size = 0
        for (name, value) in self {
            try value.validate()
            size += name.utf8.count + value.size
        }
        if size > AttributeValue.maxItemSize { throw AttributeValue.itemSizeError }
        return size
    }
}
