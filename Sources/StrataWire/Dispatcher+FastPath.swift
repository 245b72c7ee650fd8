// The single-item operations' requests and responses read and written over bytes (FastJSON/),
// with the Codable path as the fallback for anything the fast path does not take.

extension Dispatcher {
    typealias FastDecode<I> = @Sendable (UnsafeBufferPointer<UInt8>) throws(JSONReader.Unsupported) -> I

    /// Like `register`, with a fast reader of the input and a fast writer of the output. A request
    /// the reader declines (`Unsupported`: malformed, unusual or invalid) is decoded with
    /// JSONDecoder, which answers it exactly as before; an output the writer declines (nil) is
    /// encoded with JSONEncoder.
    ///
    /// `tryCall`, the operation tried without waiting (nil: it would have had to wait), becomes
    /// the operation's entry in `t`, for `handleWithoutWaiting`.
    static func registerFast<I: Decodable, O: Encodable>(
        _ name: String, decode fastDecode: @escaping FastDecode<I>, encode fastEncode: @escaping @Sendable (O) -> [UInt8]?,
        _ call: @escaping @Sendable (Database, I) throws(DynamoDBError) -> O, in h: inout [String: Handler],
        tryCall: @escaping @Sendable (Database, I) throws(DynamoDBError) -> O?, in t: inout [String: TryHandler]
    ) {
        h[name] = { db, body in
            try encodeFast(try call(db, try decodeFast(body, fastDecode)), fastEncode)
        }
        t[name] = { db, body in
            guard let output = try tryCall(db, try decodeFast(body, fastDecode)) else { return nil }
            return try encodeFast(output, fastEncode)
        }
    }

    private static func decodeFast<I: Decodable>(_ body: [UInt8], _ fastDecode: FastDecode<I>) throws(DynamoDBError) -> I {
        if let fast = try? body.withUnsafeBufferPointer(fastDecode) { return fast }
        return try Self.decode(body)
    }

    private static func encodeFast<O: Encodable>(_ output: O, _ fastEncode: (O) -> [UInt8]?) throws(DynamoDBError) -> [UInt8] {
        if let bytes = fastEncode(output) { return bytes }
        return try Self.encode(output)
    }
}

/// Operation inputs read by `JSONReader`. Each takes only the members it knows, each once, with
/// values of the right JSON type; the required members must be there.
enum FastInput {
    typealias Unsupported = JSONReader.Unsupported

    static func getItem(_ bytes: UnsafeBufferPointer<UInt8>) throws(Unsupported) -> GetItemInput {
        var r = JSONReader(bytes)
        var tableName: String?, key: Item?, consistentRead: Bool?, projection: String?
        var names: [String: String]?, attributesToGet: [String]?, capacity: ReturnConsumedCapacity?
        try r.expect(UInt8(ascii: "{"))
        var first = true
        while let member = try r.nextMember(&first) {
            switch member {
            case "TableName": try once(&tableName, r.string())
            case "Key": try once(&key, r.item())
            case "ConsistentRead": try once(&consistentRead, r.bool())
            case "ProjectionExpression": try once(&projection, r.string())
            case "ExpressionAttributeNames": try once(&names, r.stringMap())
            case "AttributesToGet": try once(&attributesToGet, r.stringList())
            case "ReturnConsumedCapacity": try once(&capacity, enumeration(&r))
            default: throw Unsupported()
            }
        }
        try r.expectEnd()
        guard let tableName, let key else { throw Unsupported() }
        var input = GetItemInput(tableName: tableName, key: key, consistentRead: consistentRead,
                                 projectionExpression: projection, expressionAttributeNames: names)
        input.attributesToGet = attributesToGet
        input.returnConsumedCapacity = capacity
        return input
    }

    /// The members PutItem, DeleteItem and UpdateItem share (the legacy Expected and
    /// ConditionalOperator are left to the Codable path).
    struct WriteMembers {
        var tableName: String?
        var item: Item?
        var updateExpression: String?
        var condition: String?
        var names: [String: String]?
        var values: [String: AttributeValue]?
        var returnValues: ReturnValue?
        var capacity: ReturnConsumedCapacity?
        var onFailure: ReturnValuesOnConditionCheckFailure?
    }

    /// `itemMember` is "Item" for PutItem and "Key" for DeleteItem and UpdateItem.
    static func writeMembers(_ bytes: UnsafeBufferPointer<UInt8>, itemMember: String,
                             update: Bool = false) throws(Unsupported) -> WriteMembers {
        var r = JSONReader(bytes)
        var m = WriteMembers()
        try r.expect(UInt8(ascii: "{"))
        var first = true
        while let member = try r.nextMember(&first) {
            switch member {
            case "TableName": try once(&m.tableName, r.string())
            case itemMember: try once(&m.item, r.item())
            case "UpdateExpression" where update: try once(&m.updateExpression, r.string())
            case "ConditionExpression": try once(&m.condition, r.string())
            case "ExpressionAttributeNames": try once(&m.names, r.stringMap())
            case "ExpressionAttributeValues": try once(&m.values, r.item())
            case "ReturnValues": try once(&m.returnValues, enumeration(&r))
            case "ReturnConsumedCapacity": try once(&m.capacity, enumeration(&r))
            case "ReturnValuesOnConditionCheckFailure": try once(&m.onFailure, enumeration(&r))
            default: throw Unsupported()
            }
        }
        try r.expectEnd()
        guard m.tableName != nil, m.item != nil else { throw Unsupported() }
        return m
    }

    static func putItem(_ bytes: UnsafeBufferPointer<UInt8>) throws(Unsupported) -> PutItemInput {
        let m = try writeMembers(bytes, itemMember: "Item")
        var input = PutItemInput(tableName: m.tableName!, item: m.item!, conditionExpression: m.condition,
                                 expressionAttributeNames: m.names, expressionAttributeValues: m.values,
                                 returnValues: m.returnValues)
        input.returnConsumedCapacity = m.capacity
        input.returnValuesOnConditionCheckFailure = m.onFailure
        return input
    }

    static func deleteItem(_ bytes: UnsafeBufferPointer<UInt8>) throws(Unsupported) -> DeleteItemInput {
        let m = try writeMembers(bytes, itemMember: "Key")
        var input = DeleteItemInput(tableName: m.tableName!, key: m.item!, conditionExpression: m.condition,
                                    expressionAttributeNames: m.names, expressionAttributeValues: m.values,
                                    returnValues: m.returnValues)
        input.returnConsumedCapacity = m.capacity
        input.returnValuesOnConditionCheckFailure = m.onFailure
        return input
    }

    static func updateItem(_ bytes: UnsafeBufferPointer<UInt8>) throws(Unsupported) -> UpdateItemInput {
        let m = try writeMembers(bytes, itemMember: "Key", update: true)
        var input = UpdateItemInput(tableName: m.tableName!, key: m.item!, updateExpression: m.updateExpression,
                                    conditionExpression: m.condition, expressionAttributeNames: m.names,
                                    expressionAttributeValues: m.values, returnValues: m.returnValues)
        input.returnConsumedCapacity = m.capacity
        input.returnValuesOnConditionCheckFailure = m.onFailure
        return input
    }

    private static func once<T>(_ slot: inout T?, _ value: @autoclosure () throws(Unsupported) -> T) throws(Unsupported) {
        guard slot == nil else { throw Unsupported() }
        slot = try value()
    }

    private static func enumeration<T: RawRepresentable<String>>(_ r: inout JSONReader) throws(Unsupported) -> T {
        guard let value = T(rawValue: try r.string()) else { throw Unsupported() }
        return value
    }
}

/// Operation outputs written by `JSONWriter`; nil (JSONEncoder then) when capacity is reported,
/// whose floating-point figures stay JSONEncoder's to format.
enum FastOutput {
    /// `{}`, made once: the answer to most writes.
    static let emptyObject: [UInt8] = Array("{}".utf8)

    static func getItem(_ output: GetItemOutput) -> [UInt8]? {
        guard output.consumedCapacity == nil else { return nil }
        guard let item = output.item else { return emptyObject }
        var w = JSONWriter()
        w.raw(#"{"Item":"#)
        w.item(item)
        w.raw("}")
        return w.bytes
    }

    static func writeItem(_ output: WriteItemOutput) -> [UInt8]? {
        guard output.consumedCapacity == nil else { return nil }
        guard let attributes = output.attributes else { return emptyObject }
        var w = JSONWriter()
        w.raw(#"{"Attributes":"#)
        w.item(attributes)
        w.raw("}")
        return w.bytes
    }
}
