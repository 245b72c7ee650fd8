import Foundation

/// A handle on one table: the item operations with the table name, key names and item coding
/// filled in. Every method is a thin mapping onto the database's input structs, so behaviour,
/// errors and limits are exactly the operations'.
///
///     let users = try db.createTable(named: "users", partitionKey: ("id", .s))
///     try users.put(User(id: "u1", name: "Ada", age: 36))
///     try users.put(user, condition: "attribute_not_exists(id)")
///     let ada = try users.get(["id": "u1"], as: User.self)
///     try users.update(key: ["id": "u1"], "SET age = age + :one", values: [":one": 1])
///     try users.delete(["id": "u1"])
///
/// Methods taking or returning Codable values throw `DynamoDBError` or the coders'
/// `EncodingError`/`DecodingError`; the `Item` variants throw only `DynamoDBError`.
public struct Table: Sendable {
    public let database: Database
    public let name: String
    /// The partition key attribute's name and type.
    public let partitionKey: (name: String, type: ScalarAttributeType)
    /// The sort key attribute's name and type, if the table has one.
    public let sortKey: (name: String, type: ScalarAttributeType)?
    public var encoder = ItemEncoder()
    public var decoder = ItemDecoder()

    /// A handle from a table's description.
    public init(database: Database, description: TableDescription) {
        self.database = database
        name = description.tableName
        func attribute(_ keyType: KeyType) -> (name: String, type: ScalarAttributeType)? {
            guard let k = description.keySchema.first(where: { $0.keyType == keyType }) else { return nil }
            let type = description.attributeDefinitions.first { $0.attributeName == k.attributeName }?.attributeType ?? .s
            return (k.attributeName, type)
        }
        guard let pk = attribute(.hash) else { preconditionFailure("a table description without a partition key") }
        partitionKey = pk
        sortKey = attribute(.range)
    }
}

extension Database {
    /// A handle on an existing table; ResourceNotFoundException if there is none.
    public func table(named name: String) throws(DynamoDBError) -> Table {
        Table(database: self, description: try describeTable(TableNameInput(tableName: name)).table)
    }

    /// Creates an on-demand table keyed by `partitionKey` (and `sortKey`) and returns its handle.
    ///
    ///     let events = try db.createTable(named: "events", partitionKey: ("user", .s), sortKey: ("at", .n))
    @discardableResult
    public func createTable(named name: String, partitionKey: (String, ScalarAttributeType),
                            sortKey: (String, ScalarAttributeType)? = nil) throws(DynamoDBError) -> Table {
        var definitions = [AttributeDefinition(attributeName: partitionKey.0, attributeType: partitionKey.1)]
        var schema = [KeySchemaElement(attributeName: partitionKey.0, keyType: .hash)]
        if let sortKey {
            definitions.append(AttributeDefinition(attributeName: sortKey.0, attributeType: sortKey.1))
            schema.append(KeySchemaElement(attributeName: sortKey.0, keyType: .range))
        }
        let output = try createTable(CreateTableInput(tableName: name, attributeDefinitions: definitions, keySchema: schema))
        return Table(database: self, description: output.tableDescription)
    }
}

// MARK: - Items

extension Table {
    /// Writes `item`, replacing any item with its key; with `condition`, only if the condition
    /// holds for the item it replaces (ConditionalCheckFailedException otherwise).
    public func put(_ item: Item, condition: String? = nil, names: [String: String]? = nil,
                    values: [String: AttributeValue]? = nil) throws(DynamoDBError) {
        _ = try database.putItem(PutItemInput(tableName: name, item: item, conditionExpression: condition,
                                              expressionAttributeNames: names, expressionAttributeValues: values))
    }

    /// Encodes `value` with `encoder` and writes it.
    public func put<T: Encodable>(_ value: T, condition: String? = nil, names: [String: String]? = nil,
                                  values: [String: AttributeValue]? = nil) throws {
        try put(try encoder.encode(value), condition: condition, names: names, values: values)
    }

    /// The item with `key`, or nil.
    public func get(_ key: Item, consistentRead: Bool = false, projection: String? = nil,
                    names: [String: String]? = nil) throws(DynamoDBError) -> Item? {
        try database.getItem(GetItemInput(tableName: name, key: key, consistentRead: consistentRead,
                                          projectionExpression: projection, expressionAttributeNames: names)).item
    }

    /// The item with `key` decoded as `T`, or nil.
    public func get<T: Decodable>(_ key: Item, as type: T.Type = T.self, consistentRead: Bool = false) throws -> T? {
        guard let item = try get(key, consistentRead: consistentRead) else { return nil }
        return try decoder.decode(T.self, from: item)
    }

    /// Applies an UpdateExpression ("SET a = :a", "ADD n :one", "REMOVE b", ...) to the item with
    /// `key`, creating it if missing; returns the attributes `returning` asks for (ALL_NEW by
    /// default), or nil with `.none`.
    @discardableResult
    public func update(key: Item, _ expression: String, condition: String? = nil, names: [String: String]? = nil,
                       values: [String: AttributeValue]? = nil, returning: ReturnValue = .allNew) throws(DynamoDBError) -> Item? {
        try database.updateItem(UpdateItemInput(tableName: name, key: key, updateExpression: expression,
                                                conditionExpression: condition, expressionAttributeNames: names,
                                                expressionAttributeValues: values, returnValues: returning)).attributes
    }

    /// Applies an UpdateExpression and decodes the updated item as `T`.
    public func update<T: Decodable>(key: Item, _ expression: String, condition: String? = nil,
                                     names: [String: String]? = nil, values: [String: AttributeValue]? = nil,
                                     as type: T.Type) throws -> T? {
        guard let item = try update(key: key, expression, condition: condition, names: names, values: values,
                                    returning: .allNew) else { return nil }
        return try decoder.decode(T.self, from: item)
    }

    /// Deletes the item with `key` (nothing happens if there is none); returns the deleted item.
    @discardableResult
    public func delete(_ key: Item, condition: String? = nil, names: [String: String]? = nil,
                       values: [String: AttributeValue]? = nil) throws(DynamoDBError) -> Item? {
        try database.deleteItem(DeleteItemInput(tableName: name, key: key, conditionExpression: condition,
                                                expressionAttributeNames: names, expressionAttributeValues: values,
                                                returnValues: .allOld)).attributes
    }

    /// The key attributes of `value` as this table's key schema names them, for get and delete.
    public func key<T: Encodable>(of value: T) throws -> Item {
        let item = try encoder.encode(value)
        var key: Item = [:]
        for name in [partitionKey.name, sortKey?.name].compactMap({ $0 }) {
            guard let v = item[name] else {
                throw EncodingError.invalidValue(value, EncodingError.Context(
                    codingPath: [], debugDescription: "\(T.self) has no key attribute '\(name)' of table \(self.name)"))
            }
            key[name] = v
        }
        return key
    }
}

// MARK: - Query and scan

extension Table {
    /// The key condition expression over `#strataSK` for `condition`, and its values.
    static func expression(_ condition: SortKeyCondition) -> (String, [String: AttributeValue]) {
        let name = sortName, a = sortValue, b = sortValue2
        switch condition {
        case .equal(let v): return ("\(name) = \(a)", [a: v])
        case .lessThan(let v): return ("\(name) < \(a)", [a: v])
        case .lessThanOrEqual(let v): return ("\(name) <= \(a)", [a: v])
        case .greaterThan(let v): return ("\(name) > \(a)", [a: v])
        case .greaterThanOrEqual(let v): return ("\(name) >= \(a)", [a: v])
        case .between(let low, let high): return ("\(name) BETWEEN \(a) AND \(b)", [a: low, b: high])
        case .beginsWith(let v): return ("begins_with(\(name), \(a))", [a: v])
        }
    }
}

extension Table {
    // Placeholders for the key condition; chosen so as not to clash with the caller's own.
    static let partitionName = "#strataPK", partitionValue = ":strataPK"
    static let sortName = "#strataSK", sortValue = ":strataSK1", sortValue2 = ":strataSK2"

    func merged<V>(_ mine: [String: V], _ theirs: [String: V]?) -> [String: V] {
        mine.merging(theirs ?? [:]) { _, caller in caller }
    }

    /// The items of partition `partition` whose sort keys satisfy `sortKey`, in sort-key order
    /// (descending when `ascending` is false), filtered by `filter`, following pages until
    /// `limit` items are collected or the partition ends.
    public func query(partition: AttributeValue, sortKey: SortKeyCondition? = nil, filter: String? = nil,
                      names: [String: String]? = nil, values: [String: AttributeValue]? = nil,
                      ascending: Bool = true, limit: Int? = nil, consistentRead: Bool = false) throws(DynamoDBError) -> [Item] {
        var expression = "\(Self.partitionName) = \(Self.partitionValue)"
        var keyNames = [Self.partitionName: partitionKey.name]
        var keyValues = [Self.partitionValue: partition]
        if let sortKey {
            guard let sortName = self.sortKey?.name else {
                throw .validation("Table \(name) has no sort key, so a query cannot have a sort key condition")
            }
            let (condition, conditionValues) = Self.expression(sortKey)
            expression += " AND \(condition)"
            keyNames[Self.sortName] = sortName
            keyValues.merge(conditionValues) { a, _ in a }
        }
        var input = QueryInput(tableName: name, keyConditionExpression: expression, filterExpression: filter,
                               expressionAttributeNames: merged(keyNames, names),
                               expressionAttributeValues: merged(keyValues, values),
                               consistentRead: consistentRead, scanIndexForward: ascending)
        var items: [Item] = []
        if limit == 0 { return items }
        while true {
            if let limit { input.limit = limit - items.count }
            let page = try database.query(input)
            items += page.items ?? []
            guard let next = page.lastEvaluatedKey, limit.map({ items.count < $0 }) ?? true else { break }
            input.exclusiveStartKey = next
        }
        return items
    }

    /// `query` with the items decoded as `T`.
    public func query<T: Decodable>(partition: AttributeValue, sortKey: SortKeyCondition? = nil, filter: String? = nil,
                                    names: [String: String]? = nil, values: [String: AttributeValue]? = nil,
                                    ascending: Bool = true, limit: Int? = nil, consistentRead: Bool = false,
                                    as type: T.Type = T.self) throws -> [T] {
        try query(partition: partition, sortKey: sortKey, filter: filter, names: names, values: values,
                  ascending: ascending, limit: limit, consistentRead: consistentRead)
            .map { item in try decoder.decode(T.self, from: item) }
    }

    /// Every item of the table (matching `filter`), following pages until `limit` items are
    /// collected or the table ends.
    public func scan(filter: String? = nil, names: [String: String]? = nil, values: [String: AttributeValue]? = nil,
                     limit: Int? = nil, consistentRead: Bool = false) throws(DynamoDBError) -> [Item] {
        var input = ScanInput(tableName: name, filterExpression: filter, expressionAttributeNames: names,
                              expressionAttributeValues: values, consistentRead: consistentRead)
        var items: [Item] = []
        if limit == 0 { return items }
        while true {
            if let limit { input.limit = limit - items.count }
            let page = try database.scan(input)
            items += page.items ?? []
            guard let next = page.lastEvaluatedKey, limit.map({ items.count < $0 }) ?? true else { break }
            input.exclusiveStartKey = next
        }
        return items
    }

    /// `scan` with the items decoded as `T`.
    public func scan<T: Decodable>(filter: String? = nil, names: [String: String]? = nil,
                                   values: [String: AttributeValue]? = nil, limit: Int? = nil,
                                   consistentRead: Bool = false, as type: T.Type = T.self) throws -> [T] {
        try scan(filter: filter, names: names, values: values, limit: limit, consistentRead: consistentRead)
            .map { item in try decoder.decode(T.self, from: item) }
    }
}
