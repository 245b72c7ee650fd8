import Synchronization

/// The parsed expressions of recent writes, so that a request repeating an earlier request's
/// expressions (an application's fixed statements: `ADD c :one`, `attribute_not_exists(id)`)
/// skips the lexer and the parser.
///
/// A parse reads nothing but the expression texts, ExpressionAttributeNames and
/// ExpressionAttributeValues, so inputs equal to an earlier request's give that request's result.
/// Entries are found by the texts and names (cheap to hash) and then checked against the values
/// (compared, not hashed): a request that sends new values each time costs one hash and one
/// failed comparison before it parses, and its entry is replaced rather than added to. Only
/// parses that succeeded, with every placeholder used, are kept; requests with legacy parameters
/// (Expected, AttributeUpdates, ConditionalOperator) are never looked up.
final class ExpressionCache: Sendable {
    struct Key: Hashable, Sendable {
        var update: String?
        var condition: String?
        var names: [String: String]?
    }

    /// What a write's expressions parse to.
    struct Parsed: Sendable {
        var update: UpdateExpression?
        var condition: ConditionExpression?
    }

    private struct Entry: Sendable {
        var values: [String: AttributeValue]?
        var parsed: Parsed
    }

    /// Distinct statements kept; past this the cache starts over (an application has a few
    /// dozen; a client generating texts per request must not grow it without bound).
    static let capacity = 512

    /// Requests whose ExpressionAttributeValues are larger than this (DynamoDB item-size bytes)
    /// are parsed but not kept, so the cache holds at most about capacity × this.
    static let maxValueBytes = 4096

    private let entries = Mutex<[Key: Entry]>([:])

    /// The cached parse of `key` with `values`, or `parse()`'s result, remembered when it succeeds.
    func parsed(_ key: Key, values: [String: AttributeValue]?,
                parse: () throws(DynamoDBError) -> Parsed) throws(DynamoDBError) -> Parsed {
        let hit = entries.withLock { e -> Parsed? in
            guard let entry = e[key], entry.values == values else { return nil }
            return entry.parsed
        }
        if let hit { return hit }
        let parsed = try parse()
        if let values, values.itemSize > Self.maxValueBytes { return parsed }
        entries.withLock { e in
            if e.count >= Self.capacity && e[key] == nil { e.removeAll(keepingCapacity: true) }
            e[key] = Entry(values: values, parsed: parsed)
        }
        return parsed
    }

    /// Entries held (for tests).
    var count: Int { entries.withLock { $0.count } }
}
