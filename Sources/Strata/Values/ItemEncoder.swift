import Foundation

/// Encodes `Encodable` values as DynamoDB items:
///
///     struct User: Codable { var id: String; var age: Int; var tags: Set<String>; var born: Date? }
///     let item = try ItemEncoder().encode(User(id: "u1", age: 42, tags: ["a"], born: nil))
///     // ["id": S "u1", "age": N "42", "tags": SS ["a"]]   (nil is omitted)
///
/// | Swift                                     | Attribute                                        |
/// |-------------------------------------------|--------------------------------------------------|
/// | String                                    | S                                                |
/// | Int…, UInt…, Int128, Float, Double, Decimal, Number | N (exact text; NaN and infinity are rejected) |
/// | Bool                                      | BOOL                                             |
/// | nil                                       | attribute omitted (NULL inside a list)           |
/// | Data, [UInt8]                             | B                                                |
/// | Date                                      | N seconds since 1970 (DynamoDB TTL's form), or S ISO 8601 |
/// | arrays                                    | L                                                |
/// | Set of strings / numbers / binaries       | SS / NS / BS (an empty set is omitted: DynamoDB has none) |
/// | structs, classes, [String: V]             | M                                                |
/// | enums with raw values                     | their raw value                                  |
/// | AttributeValue                            | itself                                           |
///
/// Errors are `EncodingError.invalidValue` whose message names the attribute path ("a.b[2].c").
public struct ItemEncoder: Sendable {
    /// How a `Date` is written.
    public enum DateEncodingStrategy: Sendable {
        /// N: seconds since 1970-01-01T00:00:00Z, fractional when the date is (the form DynamoDB's
        /// TTL reads).
        case secondsSince1970
        /// S: ISO 8601 with fractional seconds, "2024-05-01T12:00:00.250Z".
        case iso8601
    }

    public var dateEncodingStrategy: DateEncodingStrategy = .secondsSince1970
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init(dateEncodingStrategy: DateEncodingStrategy = .secondsSince1970) {
        self.dateEncodingStrategy = dateEncodingStrategy
    }

    /// Encodes `value`, which must encode as a map (a struct, a class, a dictionary), as an item.
    public func encode<T: Encodable>(_ value: T) throws -> Item {
        let encoded = try ItemEncoding(options: self, codingPath: []).box(value)
        guard let encoded else { return [:] }
        guard case .m(let item) = encoded else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: [],
                debugDescription: "\(T.self) encodes as \(encoded.typeDescriptor), but an item must encode as a map (M)"))
        }
        return item
    }

    /// Encodes a single value as an attribute value, for keys and ExpressionAttributeValues
    /// (`nil` becomes NULL here, as there is no attribute to omit).
    public func encodeValue<T: Encodable>(_ value: T) throws -> AttributeValue {
        try ItemEncoding(options: self, codingPath: []).box(value) ?? .null
    }
}

// MARK: - Paths

/// The key of an element of a list, shown as `[i]` in paths.
struct ItemIndexKey: CodingKey {
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { index = intValue }
    var stringValue: String { "Index \(index)" }
    var intValue: Int? { index }
}

/// A path as DynamoDB's document paths spell it: `address.city`, `tags[2]`; the item itself is
/// "the item".
func attributePath(_ codingPath: [any CodingKey]) -> String {
    var out = ""
    for key in codingPath {
        if let k = key as? ItemIndexKey {
            out += "[\(k.index)]"
        } else {
            if !out.isEmpty { out += "." }
            out += key.stringValue
        }
    }
    return out.isEmpty ? "the item" : "'\(out)'"
}

// MARK: - Markers for the types with a dedicated attribute form

/// A `Set`, encoded as SS, NS or BS rather than as a list.
protocol ItemEncodableSet {
    var itemSetMembers: [any Encodable] { get }
}

extension Set: ItemEncodableSet where Element: Encodable {
    var itemSetMembers: [any Encodable] { map { $0 } }
}

// MARK: - The encoder

/// What an encoder or container writes into: a value, or a map or list still being filled
/// (nested containers share it, so it is a class).
final class ItemEncodingNode {
    enum Content {
        case none
        case value(AttributeValue?)
        case map([String: ItemEncodingNode])
        case list([ItemEncodingNode])
    }
    var content: Content = .none

    init() {}
    init(_ value: AttributeValue?) { content = .value(value) }

    /// nil when nothing was written or the value was omitted.
    var attribute: AttributeValue? {
        switch content {
        case .none: nil
        case .value(let v): v
        case .map(let m):
            .m(m.reduce(into: [:]) { out, entry in
                if let v = entry.value.attribute { out[entry.key] = v }
            })
        case .list(let l): .l(l.map { $0.attribute ?? .null })
        }
    }

    func setMap(_ key: String, _ node: ItemEncodingNode) {
        guard case .map(var m) = content else { preconditionFailure("not a map") }
        content = .none
        m[key] = node
        content = .map(m)
    }

    func append(_ node: ItemEncodingNode) {
        guard case .list(var l) = content else { preconditionFailure("not a list") }
        content = .none
        l.append(node)
        content = .list(l)
    }

    var listCount: Int {
        if case .list(let l) = content { return l.count }
        return 0
    }
}

struct ItemEncoding: Encoder {
    let options: ItemEncoder
    let codingPath: [any CodingKey]
    let node: ItemEncodingNode

    init(options: ItemEncoder, codingPath: [any CodingKey], node: ItemEncodingNode = ItemEncodingNode()) {
        self.options = options
        self.codingPath = codingPath
        self.node = node
    }

    var userInfo: [CodingUserInfoKey: Any] { options.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .map = node.content {} else { node.content = .map([:]) }
        return KeyedEncodingContainer(ItemKeyedEncodingContainer<Key>(encoding: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .list = node.content {} else { node.content = .list([]) }
        return ItemUnkeyedEncodingContainer(encoding: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { ItemSingleValueEncodingContainer(encoding: self) }

    func at(_ key: any CodingKey, _ node: ItemEncodingNode = ItemEncodingNode()) -> ItemEncoding {
        ItemEncoding(options: options, codingPath: codingPath + [key], node: node)
    }

    // MARK: values

    func invalid(_ value: Any, _ message: String) -> EncodingError {
        EncodingError.invalidValue(value, EncodingError.Context(
            codingPath: codingPath, debugDescription: "\(message) (at \(attributePath(codingPath)))"))
    }

    func number(_ text: String, _ value: Any) throws -> AttributeValue {
        do {
            return .n(try Number(text))
        } catch {
            throw invalid(value, "\(text) is not a DynamoDB number: \(error.message)")
        }
    }

    func integer<T: BinaryInteger>(_ value: T) throws -> AttributeValue { try number(String(value), value) }

    func double(_ value: Double) throws -> AttributeValue {
        guard value.isFinite else { throw invalid(value, "\(value) cannot be stored: DynamoDB numbers are finite") }
        return try number("\(value)", value)
    }

    func float(_ value: Float) throws -> AttributeValue {
        guard value.isFinite else { throw invalid(value, "\(value) cannot be stored: DynamoDB numbers are finite") }
        return try number("\(value)", value)
    }

    func date(_ value: Date) throws -> AttributeValue {
        switch options.dateEncodingStrategy {
        case .secondsSince1970: try double(value.timeIntervalSince1970)
        case .iso8601: .s(value.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
    }

    /// The attribute value of `value`, or nil when it is to be omitted.
    func box<T: Encodable>(_ value: T) throws -> AttributeValue? {
        switch value {
        case let v as AttributeValue: return v
        case let v as Number: return .n(v)
        case let v as Date: return try date(v)
        case let v as Data: return .b(Array(v))
        case let v as [UInt8]: return .b(v)
        case let v as Decimal:
            guard v.isFinite else { throw invalid(v, "\(v) cannot be stored: DynamoDB numbers are finite") }
            return try number(v.description, v)
        case let v as Double: return try double(v)
        case let v as Float: return try float(v)
        case let v as any ItemEncodableSet: return try set(v.itemSetMembers, value)
        default:
            let encoding = ItemEncoding(options: options, codingPath: codingPath)
            try value.encode(to: encoding)
            return encoding.node.attribute
        }
    }

    /// SS, NS or BS; nil for an empty set (DynamoDB has no empty sets).
    func set(_ members: [any Encodable], _ value: Any) throws -> AttributeValue? {
        if members.isEmpty { return nil }
        var strings: [String] = [], numbers: [Number] = [], binaries: [[UInt8]] = []
        for (i, member) in members.enumerated() {
            let v = try at(ItemIndexKey(i)).box(member)
            switch v {
            case .s(let s): strings.append(s)
            case .n(let n): numbers.append(n)
            case .b(let b): binaries.append(b)
            default:
                throw invalid(value, "a set's members must encode as strings, numbers or binaries; \(type(of: member)) encodes as \(v?.typeDescriptor ?? "nothing")")
            }
        }
        if strings.count == members.count {
            return .ss(Array(Set(strings)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
        if numbers.count == members.count { return .ns(Array(Set(numbers)).sorted()) }
        if binaries.count == members.count {
            return .bs(Array(Set(binaries)).sorted { $0.lexicographicallyPrecedes($1) })
        }
        throw invalid(value, "a set's members must all encode as the same type (S, N or B)")
    }
}

// MARK: - Containers

struct ItemKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoding: ItemEncoding
    var codingPath: [any CodingKey] { encoding.codingPath }

    private func put(_ key: Key, _ value: AttributeValue?) {
        encoding.node.setMap(key.stringValue, ItemEncodingNode(value))
    }

    /// An explicit nil omits the attribute, as `encodeIfPresent` does.
    mutating func encodeNil(forKey key: Key) throws { put(key, nil) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(key, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(key, .s(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(key, try encoding.at(key).double(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(key, try encoding.at(key).float(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode(_ value: Int128, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { put(key, try encoding.at(key).integer(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { put(key, try encoding.at(key).box(value)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let node = ItemEncodingNode()
        encoding.node.setMap(key.stringValue, node)
        return encoding.at(key, node).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let node = ItemEncodingNode()
        encoding.node.setMap(key.stringValue, node)
        return encoding.at(key, node).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let node = ItemEncodingNode()
        encoding.node.setMap(key.stringValue, node)
        return encoding.at(key, node)
    }
}

struct ItemUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let encoding: ItemEncoding
    var codingPath: [any CodingKey] { encoding.codingPath }
    var count: Int { encoding.node.listCount }

    private var next: ItemEncoding { encoding.at(ItemIndexKey(count)) }
    private func append(_ value: AttributeValue?) { encoding.node.append(ItemEncodingNode(value ?? .null)) }

    /// Inside a list nil keeps its position as NULL.
    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.s(value)) }
    mutating func encode(_ value: Double) throws { append(try next.double(value)) }
    mutating func encode(_ value: Float) throws { append(try next.float(value)) }
    mutating func encode(_ value: Int) throws { append(try next.integer(value)) }
    mutating func encode(_ value: Int8) throws { append(try next.integer(value)) }
    mutating func encode(_ value: Int16) throws { append(try next.integer(value)) }
    mutating func encode(_ value: Int32) throws { append(try next.integer(value)) }
    mutating func encode(_ value: Int64) throws { append(try next.integer(value)) }
    mutating func encode(_ value: Int128) throws { append(try next.integer(value)) }
    mutating func encode(_ value: UInt) throws { append(try next.integer(value)) }
    mutating func encode(_ value: UInt8) throws { append(try next.integer(value)) }
    mutating func encode(_ value: UInt16) throws { append(try next.integer(value)) }
    mutating func encode(_ value: UInt32) throws { append(try next.integer(value)) }
    mutating func encode(_ value: UInt64) throws { append(try next.integer(value)) }
    mutating func encode(_ value: UInt128) throws { append(try next.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { append(try next.box(value)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let node = ItemEncodingNode()
        let e = encoding.at(ItemIndexKey(count), node)
        encoding.node.append(node)
        return e.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let node = ItemEncodingNode()
        let e = encoding.at(ItemIndexKey(count), node)
        encoding.node.append(node)
        return e.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let node = ItemEncodingNode()
        let e = encoding.at(ItemIndexKey(count), node)
        encoding.node.append(node)
        return e
    }
}

struct ItemSingleValueEncodingContainer: SingleValueEncodingContainer {
    let encoding: ItemEncoding
    var codingPath: [any CodingKey] { encoding.codingPath }

    private func set(_ value: AttributeValue?) { encoding.node.content = .value(value) }

    mutating func encodeNil() throws { set(nil) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.s(value)) }
    mutating func encode(_ value: Double) throws { set(try encoding.double(value)) }
    mutating func encode(_ value: Float) throws { set(try encoding.float(value)) }
    mutating func encode(_ value: Int) throws { set(try encoding.integer(value)) }
    mutating func encode(_ value: Int8) throws { set(try encoding.integer(value)) }
    mutating func encode(_ value: Int16) throws { set(try encoding.integer(value)) }
    mutating func encode(_ value: Int32) throws { set(try encoding.integer(value)) }
    mutating func encode(_ value: Int64) throws { set(try encoding.integer(value)) }
    mutating func encode(_ value: Int128) throws { set(try encoding.integer(value)) }
    mutating func encode(_ value: UInt) throws { set(try encoding.integer(value)) }
    mutating func encode(_ value: UInt8) throws { set(try encoding.integer(value)) }
    mutating func encode(_ value: UInt16) throws { set(try encoding.integer(value)) }
    mutating func encode(_ value: UInt32) throws { set(try encoding.integer(value)) }
    mutating func encode(_ value: UInt64) throws { set(try encoding.integer(value)) }
    mutating func encode(_ value: UInt128) throws { set(try encoding.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { set(try encoding.box(value)) }
}
