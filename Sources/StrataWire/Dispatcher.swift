import Foundation

/// Turns DynamoDB JSON 1.0 request bodies into operation calls on a `Database` and the results
/// into response bodies. Knows nothing of HTTP: the gateway hands it an operation name (the part
/// of X-Amz-Target after "DynamoDB_20120810.") and a body.
public final class Dispatcher: Sendable {
    public let database: Database
    typealias Handler = @Sendable (Database, [UInt8]) throws -> [UInt8]
    /// An operation tried without waiting: nil when it would have had to wait (nothing done).
    typealias TryHandler = @Sendable (Database, [UInt8]) throws -> [UInt8]?
    let handlers: [String: Handler]
    /// The operations `handleWithoutWaiting` tries: GetItem, PutItem, UpdateItem, DeleteItem.
    let tryHandlers: [String: TryHandler]

    public init(database: Database) {
        self.database = database
        var h: [String: Handler] = [:]
        var t: [String: TryHandler] = [:]
        func register<I: Decodable, O: Encodable>(_ name: String, _ call: @escaping @Sendable (Database, I) throws(DynamoDBError) -> O) {
            Self.register(name, call, in: &h)
        }
        register("CreateTable") { db, i throws(DynamoDBError) in try db.createTable(i) }
        register("DescribeTable") { db, i throws(DynamoDBError) in try db.describeTable(i) }
        register("ListTables") { db, i throws(DynamoDBError) in try db.listTables(i) }
        register("UpdateTable") { db, i throws(DynamoDBError) in try db.updateTable(i) }
        register("DeleteTable") { db, i throws(DynamoDBError) in try db.deleteTable(i) }
        register("TagResource") { db, i throws(DynamoDBError) in try db.tagResource(i) }
        register("UntagResource") { db, i throws(DynamoDBError) in try db.untagResource(i) }
        register("ListTagsOfResource") { db, i throws(DynamoDBError) in try db.listTagsOfResource(i) }
        register("UpdateTimeToLive") { db, i throws(DynamoDBError) in try db.updateTimeToLive(i) }
        register("DescribeTimeToLive") { db, i throws(DynamoDBError) in try db.describeTimeToLive(i) }
        Self.registerFast("PutItem", decode: FastInput.putItem, encode: FastOutput.writeItem,
                          { db, i throws(DynamoDBError) in try db.putItem(i) }, in: &h,
                          tryCall: { db, i throws(DynamoDBError) in try db.tryPutItem(i) }, in: &t)
        Self.registerFast("GetItem", decode: FastInput.getItem, encode: FastOutput.getItem,
                          { db, i throws(DynamoDBError) in try db.getItem(i) }, in: &h,
                          tryCall: { db, i throws(DynamoDBError) in try db.tryGetItem(i) }, in: &t)
        Self.registerFast("UpdateItem", decode: FastInput.updateItem, encode: FastOutput.writeItem,
                          { db, i throws(DynamoDBError) in try db.updateItem(i) }, in: &h,
                          tryCall: { db, i throws(DynamoDBError) in try db.tryUpdateItem(i) }, in: &t)
        Self.registerFast("DeleteItem", decode: FastInput.deleteItem, encode: FastOutput.writeItem,
                          { db, i throws(DynamoDBError) in try db.deleteItem(i) }, in: &h,
                          tryCall: { db, i throws(DynamoDBError) in try db.tryDeleteItem(i) }, in: &t)
        register("DescribeEndpoints") { (_: Database, _: EmptyOutput) throws(DynamoDBError) -> DescribeEndpointsOutput in
            DescribeEndpointsOutput(endpoints: [Endpoint(address: "localhost", cachePeriodInMinutes: 1440)])
        }
        register("DescribeLimits") { (_: Database, _: EmptyOutput) throws(DynamoDBError) -> DescribeLimitsOutput in
            DescribeLimitsOutput(accountMaxReadCapacityUnits: 80000, accountMaxWriteCapacityUnits: 80000,
                                 tableMaxReadCapacityUnits: 40000, tableMaxWriteCapacityUnits: 40000)
        }
        Self.registerMore(&h)
        handlers = h
        tryHandlers = t
    }

    /// Adds the handler of one operation: decode its input, call, encode its output.
    static func register<I: Decodable, O: Encodable>(_ name: String, _ call: @escaping @Sendable (Database, I) throws(DynamoDBError) -> O,
                                                     in h: inout [String: Handler]) {
        h[name] = { db, body in
            let input: I = try Self.decode(body)
            return try Self.encode(try call(db, input))
        }
    }

    /// Operation names this dispatcher answers.
    public var operations: [String] { handlers.keys.sorted() }

    /// Runs one operation. Throws DynamoDBError: SerializationException for malformed JSON,
    /// ValidationException for missing members, UnknownOperationException for an unknown name.
    public func handle(operation: String, body: [UInt8]) throws -> [UInt8] {
        guard let h = handlers[operation] else {
            throw DynamoDBError(DynamoDBError.Code("UnknownOperationException"), "")
        }
        return try run(h, body)
    }

    /// Runs one operation only if it can be answered without waiting (see `Database.tryGetItem`
    /// and `Database.tryPutItem`): nil, having done nothing, for an operation not tried this way
    /// or one that would have had to wait; then call `handle` from a thread that may block.
    /// Answers and errors are exactly `handle`'s.
    public func handleWithoutWaiting(operation: String, body: [UInt8]) throws -> [UInt8]? {
        guard let h = tryHandlers[operation] else { return nil }
        return try run(h, body)
    }

    /// Calls a handler (an empty body read as `{}`); any error but a DynamoDBError becomes
    /// InternalServerError.
    private func run<R>(_ handler: (Database, [UInt8]) throws -> R, _ body: [UInt8]) throws(DynamoDBError) -> R {
        do {
            return try handler(database, body.isEmpty ? Array("{}".utf8) : body)
        } catch let e as DynamoDBError {
            throw e
        } catch {
            throw DynamoDBError(.internalServerError, "Internal server error")
        }
    }

    static func decode<T: Decodable>(_ body: [UInt8]) throws(DynamoDBError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let e as DynamoDBError {
            throw e
        } catch DecodingError.keyNotFound(let key, let context) {
            let path = renderPath(context.codingPath + [key])
            throw .validation("1 validation error detected: Value null at '\(path)' failed to satisfy constraint: Member must not be null")
        } catch DecodingError.valueNotFound(_, let context) {
            let path = renderPath(context.codingPath)
            throw .validation("1 validation error detected: Value null at '\(path)' failed to satisfy constraint: Member must not be null")
        } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            let path = renderPath(context.codingPath)
            if let r = context.debugDescription.range(of: "from invalid String value ") {
                let value = context.debugDescription[r.upperBound...]
                throw .validation("1 validation error detected: Value '\(value)' at '\(path)' failed to satisfy constraint: Member must satisfy enum value set")
            }
            if let e = context.underlyingError as? DynamoDBError { throw e }
            throw DynamoDBError(.serialization, "Start of structure or map found where not expected.")
        } catch DecodingError.typeMismatch(_, let context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw DynamoDBError(.serialization, "Unexpected value type in payload" + (path.isEmpty ? "" : " at \(path)"))
        } catch {
            throw DynamoDBError(.serialization, "Start of structure or map found where not expected.")
        }
    }

    /// A member path as DynamoDB's validation messages write it: "attributeDefinitions.1.member.attributeType".
    static func renderPath(_ path: [any CodingKey]) -> String {
        path.map { k in k.intValue.map { "\($0 + 1).member" } ?? lowerFirst(k.stringValue) }.joined(separator: ".")
    }

    static func lowerFirst(_ s: String) -> String {
        guard let f = s.first else { return s }
        return f.lowercased() + s.dropFirst()
    }

    static func encode<T: Encodable>(_ value: T) throws(DynamoDBError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            throw DynamoDBError(.internalServerError, "Internal server error")
        }
    }
}

public struct Endpoint: Codable, Sendable {
    public var address: String
    public var cachePeriodInMinutes: Int64
    enum CodingKeys: String, CodingKey { case address = "Address", cachePeriodInMinutes = "CachePeriodInMinutes" }
}

public struct DescribeEndpointsOutput: Codable, Sendable {
    public var endpoints: [Endpoint]
    enum CodingKeys: String, CodingKey { case endpoints = "Endpoints" }
}

public struct DescribeLimitsOutput: Codable, Sendable {
    public var accountMaxReadCapacityUnits: Int64
    public var accountMaxWriteCapacityUnits: Int64
    public var tableMaxReadCapacityUnits: Int64
    public var tableMaxWriteCapacityUnits: Int64
    enum CodingKeys: String, CodingKey {
        case accountMaxReadCapacityUnits = "AccountMaxReadCapacityUnits", accountMaxWriteCapacityUnits = "AccountMaxWriteCapacityUnits"
        case tableMaxReadCapacityUnits = "TableMaxReadCapacityUnits", tableMaxWriteCapacityUnits = "TableMaxWriteCapacityUnits"
    }
}
