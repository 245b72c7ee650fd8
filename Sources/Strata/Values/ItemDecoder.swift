import Foundation

/// Decodes `Decodable` values from DynamoDB items, the inverse of `ItemEncoder`:
///
///     let user = try ItemDecoder().decode(User.self, from: item)
///
/// A missing attribute or NULL decodes as nil for an optional and as the empty set for a `Set`
/// (DynamoDB has no empty sets, so the encoder omits them). Integers decode only from numbers
/// that are whole and in the type's range; a `Set` decodes from SS, NS, BS or L.
///
/// Errors are `DecodingError`s whose message names the attribute path and the type found:
/// "Expected Int (N) at 'address.zip' but found S".
public struct ItemDecoder: Sendable {
    /// How a `Date` is read; the counterpart of `ItemEncoder.DateEncodingStrategy`.
    public enum DateDecodingStrategy: Sendable {
        /// N: seconds since 1970.
        case secondsSince1970
        /// S: ISO 8601, with or without fractional seconds.
        case iso8601
    }

    public var dateDecodingStrategy: DateDecodingStrategy = .secondsSince1970
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init(dateDecodingStrategy: DateDecodingStrategy = .secondsSince1970) {
        self.dateDecodingStrategy = dateDecodingStrategy
    }

    public func decode<T: Decodable>(_ type: T.Type = T.self, from item: Item) throws -> T {
        try ItemDecoding(options: self, codingPath: [], value: .m(item)).unbox(T.self)
    }

    /// Decodes a single attribute value.
    public func decodeValue<T: Decodable>(_ type: T.Type = T.self, from value: AttributeValue) throws -> T {
        try ItemDecoding(options: self, codingPath: [], value: value).unbox(T.self)
    }
}

/// A `Set`, which decodes as empty when its attribute is missing.
protocol ItemDecodableSet {
    static var emptyItemSet: Self { get }
}

extension Set: ItemDecodableSet {
    static var emptyItemSet: Set<Element> { [] }
}

/// A human name for a Swift type in messages, with the attribute type that carries it.
func expectedDescription(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: "String (S)"
    case is Bool.Type: "Bool (BOOL)"
    case is any BinaryInteger.Type, is Double.Type, is Float.Type, is Decimal.Type, is Number.Type: "\(type) (N)"
    case is Data.Type, is [UInt8].Type: "\(type) (B)"
    default: "\(type)"
    }
}

struct ItemDecoding: Decoder {
    let options: ItemDecoder
    let codingPath: [any CodingKey]
    let value: AttributeValue

    var userInfo: [CodingUserInfoKey: Any] { options.userInfo }

    func at(_ key: any CodingKey, _ value: AttributeValue) -> ItemDecoding {
        ItemDecoding(options: options, codingPath: codingPath + [key], value: value)
    }

    func mismatch(_ type: Any.Type, _ expected: String? = nil) -> DecodingError {
        DecodingError.typeMismatch(type, DecodingError.Context(
            codingPath: codingPath,
            debugDescription: "Expected \(expected ?? expectedDescription(type)) at \(attributePath(codingPath)) but found \(value.typeDescriptor)"))
    }

    func corrupted(_ message: String) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(
            codingPath: codingPath, debugDescription: "\(message) at \(attributePath(codingPath))"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .m(let map) = value else { throw mismatch([String: Any].self, "a map (M)") }
        return KeyedDecodingContainer(ItemKeyedDecodingContainer<Key>(decoding: self, map: map))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let elements: [AttributeValue]
        switch value {
        case .l(let l): elements = l
        case .ss(let s): elements = s.map { .s($0) }
        case .ns(let n): elements = n.map { .n($0) }
        case .bs(let b): elements = b.map { .b($0) }
        default: throw mismatch([Any].self, "a list (L) or a set")
        }
        return ItemUnkeyedDecodingContainer(decoding: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { ItemSingleValueDecodingContainer(decoding: self) }

    // MARK: values

    func string() throws -> String {
        guard case .s(let s) = value else { throw mismatch(String.self) }
        return s
    }

    func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(Bool.self) }
        return b
    }

    func number(_ type: Any.Type) throws -> Number {
        guard case .n(let n) = value else { throw mismatch(type) }
        return n
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let n = try number(type)
        // Number's text is plain decimal, never with an exponent.
        if let v = T(n.text) { return v }
        if n.text.contains(".") { throw corrupted("The number \(n.text) is not a whole number, as \(type) requires") }
        throw corrupted("The number \(n.text) does not fit in \(type)")
    }

    func double() throws -> Double {
        let n = try number(Double.self)
        guard let d = Double(n.text) else { throw corrupted("The number \(n.text) is not a Double") }
        return d
    }

    func float() throws -> Float {
        let n = try number(Float.self)
        guard let f = Float(n.text), f.isFinite else { throw corrupted("The number \(n.text) does not fit in Float") }
        return f
    }

    func date() throws -> Date {
        switch options.dateDecodingStrategy {
        case .secondsSince1970:
            guard case .n = value else { throw mismatch(Date.self, "Date as seconds since 1970 (N)") }
            return Date(timeIntervalSince1970: try double())
        case .iso8601:
            guard case .s(let s) = value else { throw mismatch(Date.self, "Date as ISO 8601 (S)") }
            if let d = try? Date(s, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
            if let d = try? Date(s, strategy: Date.ISO8601FormatStyle()) { return d }
            throw corrupted("\"\(s)\" is not an ISO 8601 date")
        }
    }

    func unbox<T: Decodable>(_ type: T.Type) throws -> T {
        switch type {
        case is AttributeValue.Type: return value as! T
        case is Number.Type: return try number(Number.self) as! T
        case is Date.Type: return try date() as! T
        case is Data.Type:
            guard case .b(let b) = value else { throw mismatch(Data.self) }
            return Data(b) as! T
        case is [UInt8].Type:
            guard case .b(let b) = value else { throw mismatch([UInt8].self) }
            return b as! T
        case is Decimal.Type:
            let n = try number(Decimal.self)
            guard let d = Decimal(string: n.text, locale: Locale(identifier: "en_US_POSIX")) else {
                throw corrupted("The number \(n.text) is not a Decimal")
            }
            return d as! T
        default:
            return try T(from: self)
        }
    }
}

// MARK: - Containers

struct ItemKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoding: ItemDecoding
    let map: [String: AttributeValue]

    var codingPath: [any CodingKey] { decoding.codingPath }
    var allKeys: [Key] { map.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { map[key.stringValue] != nil }

    private func child(_ key: Key) throws -> ItemDecoding {
        guard let v = map[key.stringValue] else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath,
                debugDescription: "No attribute '\(key.stringValue)' in \(attributePath(codingPath))"))
        }
        return decoding.at(key, v)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let v = map[key.stringValue] else { return true }
        return v == .null
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).bool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).string() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).double() }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).float() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).integer(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).integer(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).integer(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).integer(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).integer(type) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try child(key).integer(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).integer(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).integer(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).integer(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).integer(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).integer(type) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try child(key).integer(type) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        if map[key.stringValue] == nil, let set = T.self as? any ItemDecodableSet.Type {
            return set.emptyItemSet as! T
        }
        return try child(key).unbox(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { try superDecoder(forKey: Key(stringValue: "super")!) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoding.at(key, map[key.stringValue] ?? .null)
    }
}

struct ItemUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoding: ItemDecoding
    let elements: [AttributeValue]
    var currentIndex = 0

    init(decoding: ItemDecoding, elements: [AttributeValue]) {
        self.decoding = decoding
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoding.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next(_ type: Any.Type) throws -> ItemDecoding {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: codingPath + [ItemIndexKey(currentIndex)],
                debugDescription: "The list at \(attributePath(codingPath)) has only \(elements.count) elements"))
        }
        defer { currentIndex += 1 }
        return decoding.at(ItemIndexKey(currentIndex), elements[currentIndex])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type).bool() }
    mutating func decode(_ type: String.Type) throws -> String { try next(type).string() }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type).double() }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type).float() }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type).integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type).integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type).integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type).integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type).integer(type) }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try next(type).integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type).integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type).integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type).integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type).integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type).integer(type) }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try next(type).integer(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type).unbox(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next([String: Any].self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next([Any].self).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try next(Any.self) }
}

struct ItemSingleValueDecodingContainer: SingleValueDecodingContainer {
    let decoding: ItemDecoding
    var codingPath: [any CodingKey] { decoding.codingPath }

    func decodeNil() -> Bool { decoding.value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try decoding.bool() }
    func decode(_ type: String.Type) throws -> String { try decoding.string() }
    func decode(_ type: Double.Type) throws -> Double { try decoding.double() }
    func decode(_ type: Float.Type) throws -> Float { try decoding.float() }
    func decode(_ type: Int.Type) throws -> Int { try decoding.integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoding.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoding.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoding.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoding.integer(type) }
    func decode(_ type: Int128.Type) throws -> Int128 { try decoding.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoding.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoding.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoding.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoding.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoding.integer(type) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try decoding.integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoding.unbox(type) }
}
