/// What the catalog records about a table. Stored as JSON in the engine's catalog range.
struct TableMetadata: Codable, Sendable {
    /// The fields live in one copy-on-write box: every item operation takes a copy of its table's
    /// metadata from the catalog, and copying one reference is much cheaper than copying the
    /// description's strings and arrays one by one.
    private final class Storage: @unchecked Sendable {  // never mutated once shared (copy-on-write below)
        var id: UInt32
        var description: TableDescription
        var tags: [Tag]
        var timeToLive: TimeToLiveSpecification?
        var keys: KeyInfo
        init(id: UInt32, description: TableDescription, tags: [Tag], timeToLive: TimeToLiveSpecification?, keys: KeyInfo) {
            self.id = id
            self.description = description
            self.tags = tags
            self.timeToLive = timeToLive
            self.keys = keys
        }
        func copy() -> Storage { Storage(id: id, description: description, tags: tags, timeToLive: timeToLive, keys: keys) }
    }

    private var storage: Storage

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    var id: UInt32 {
        get { storage.id }
        set { unique().id = newValue }
    }
    var description: TableDescription {
        get { storage.description }
        set {
            let s = unique()
            s.description = newValue
            s.keys = KeyInfo(newValue)
        }
    }
    var tags: [Tag] {
        get { storage.tags }
        set { unique().tags = newValue }
    }
    var timeToLive: TimeToLiveSpecification? {
        get { storage.timeToLive }
        set { unique().timeToLive = newValue }
    }

    /// The key schema, worked out once (every item operation needs it).
    struct KeyInfo: Sendable {
        var partitionKey: String
        var partitionType: AttributeValue.KeyType
        var sortKey: String?
        var sortType: AttributeValue.KeyType?
        var names: [String]

        init(_ d: TableDescription) {
            func type(_ name: String) -> AttributeValue.KeyType {
                let t = d.attributeDefinitions.first { $0.attributeName == name }!.attributeType
                return AttributeValue.KeyType(rawValue: t.rawValue)!
            }
            partitionKey = d.keySchema.first { $0.keyType == .hash }!.attributeName
            partitionType = type(partitionKey)
            sortKey = d.keySchema.first { $0.keyType == .range }?.attributeName
            sortType = sortKey.map(type)
            names = [partitionKey] + (sortKey.map { [$0] } ?? [])
        }
    }

    /// Not encoded: derived from `description` when it is set or decoded.
    var keys: KeyInfo { storage.keys }

    enum CodingKeys: String, CodingKey { case id, description, tags, timeToLive }

    init(id: UInt32, description: TableDescription, tags: [Tag] = [], timeToLive: TimeToLiveSpecification? = nil) {
        storage = Storage(id: id, description: description, tags: tags, timeToLive: timeToLive, keys: KeyInfo(description))
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let description = try c.decode(TableDescription.self, forKey: .description)
        storage = Storage(id: try c.decode(UInt32.self, forKey: .id), description: description,
                          tags: try c.decodeIfPresent([Tag].self, forKey: .tags) ?? [],
                          timeToLive: try c.decodeIfPresent(TimeToLiveSpecification.self, forKey: .timeToLive),
                          keys: KeyInfo(description))
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(description, forKey: .description)
        try c.encode(tags, forKey: .tags)
        try c.encodeIfPresent(timeToLive, forKey: .timeToLive)
    }

    var name: String { description.tableName }
    var partitionKey: String { keys.partitionKey }
    var sortKey: String? { keys.sortKey }

    func attributeType(_ name: String) -> AttributeValue.KeyType {
        if name == keys.partitionKey { return keys.partitionType }
        if name == keys.sortKey, let t = keys.sortType { return t }
        let t = description.attributeDefinitions.first { $0.attributeName == name }!.attributeType
        return AttributeValue.KeyType(rawValue: t.rawValue)!
    }

    var keyNames: [String] { keys.names }

    /// The engine key of the item with these key attributes, validated as DynamoDB validates them.
    func engineKey(from item: Item, missingMessage: (String) -> String) throws(DynamoDBError) -> [UInt8] {
        let s = storage
        let keys = s.keys
        var pk: AttributeValue?, sk: AttributeValue?
        if item.count <= 8 {
            // A small item: comparing names is cheaper than hashing them for two lookups.
            for (name, value) in item {
                if name == keys.partitionKey { pk = value } else if name == keys.sortKey { sk = value }
            }
        } else {
            pk = item[keys.partitionKey]
            if let sortKey = keys.sortKey { sk = item[sortKey] }
        }
        guard let pk else { throw .validation(missingMessage(keys.partitionKey)) }
        try AttributeValue.validateKey(pk, name: keys.partitionKey, type: keys.partitionType, role: .partition)
        if let sortKey = keys.sortKey, let sortType = keys.sortType {
            guard let sk else { throw .validation(missingMessage(sortKey)) }
            try AttributeValue.validateKey(sk, name: sortKey, type: sortType, role: .sort)
        }
        return KeyEncoding.encodeKey(tableID: s.id, partitionKey: pk, sortKey: sk)
    }

    /// The engine key named by a Key parameter (GetItem, DeleteItem, UpdateItem): exactly the key
    /// attributes, nothing else.
    func engineKey(fromKey key: Item) throws(DynamoDBError) -> [UInt8] {
        // A missing, extra or mistyped key attribute in a Key parameter is a schema mismatch
        // (PutItem's "Missing the key" and "Type mismatch" wording is for items).
        let keys = storage.keys
        guard key.count == (keys.sortKey == nil ? 1 : 2) else {
            throw .validation("The provided key element does not match the schema")
        }
        // One or two entries: comparing names is cheaper than hashing them for lookups.
        var pk: AttributeValue?, sk: AttributeValue?
        for (name, value) in key {
            if name == keys.partitionKey { pk = value } else if name == keys.sortKey { sk = value }
        }
        guard let pk, pk.keyType == keys.partitionType, sk?.keyType == keys.sortType else {
            throw .validation("The provided key element does not match the schema")
        }
        try AttributeValue.validateKey(pk, name: keys.partitionKey, type: keys.partitionType, role: .partition)
        if let sk, let sortKey = keys.sortKey, let sortType = keys.sortType {
            try AttributeValue.validateKey(sk, name: sortKey, type: sortType, role: .sort)
        }
        return KeyEncoding.encodeKey(tableID: storage.id, partitionKey: pk, sortKey: sk)
    }

    /// The key attributes of an item.
    func keyAttributes(of item: Item) -> Item {
        var k: Item = [:]
        for n in keyNames { k[n] = item[n] }
        return k
    }
}

public struct TimeToLiveSpecification: Codable, Sendable, Equatable {
    public var enabled: Bool
    public var attributeName: String
    public init(enabled: Bool, attributeName: String) {
        self.enabled = enabled
        self.attributeName = attributeName
    }
    enum CodingKeys: String, CodingKey { case enabled = "Enabled", attributeName = "AttributeName" }
}
