/// A request's ExpressionAttributeNames and ExpressionAttributeValues, shared by all the
/// expressions of that request, recording which placeholders the expressions use so that
/// unused ones can be rejected as DynamoDB rejects them.
public struct ExpressionAttributes: Sendable {
    public let names: [String: String]
    public let values: [String: AttributeValue]
    private(set) var usedNames: Set<String> = []
    private(set) var usedValues: Set<String> = []

    /// Validates the placeholder keys ("ExpressionAttributeNames contains invalid key: ...")
    /// and rejects empty maps as DynamoDB does.
    public init(names: [String: String]? = nil, values: [String: AttributeValue]? = nil) throws(DynamoDBError) {
        if let names {
            if names.isEmpty { throw .validation("ExpressionAttributeNames must not be empty") }
            // Sorted only to name the first bad key the same way every time.
            if !names.keys.allSatisfy({ Self.isPlaceholder($0, sigil: "#") }) {
                for key in names.keys.sorted() where !Self.isPlaceholder(key, sigil: "#") {
                    throw .validation("ExpressionAttributeNames contains invalid key: Syntax error; key: \"\(key)\"")
                }
            }
        }
        if let values {
            if values.isEmpty { throw .validation("ExpressionAttributeValues must not be empty") }
            if !values.keys.allSatisfy({ Self.isPlaceholder($0, sigil: ":") }) {
                for key in values.keys.sorted() where !Self.isPlaceholder(key, sigil: ":") {
                    throw .validation("ExpressionAttributeValues contains invalid key: Syntax error; key: \"\(key)\"")
                }
            }
            if !values.values.allSatisfy({ (try? $0.validate()) != nil }) {
                for key in values.keys.sorted() {
                    do {
                        try values[key]!.validate()
                    } catch {
                        throw .validation("ExpressionAttributeValues contains invalid value: \(error.message) for key \(key)")
                    }
                }
            }
        }
        self.names = names ?? [:]
        self.values = values ?? [:]
    }

    /// An empty set, for a request with expressions but no placeholders.
    public static var none: ExpressionAttributes { try! ExpressionAttributes() }

    static func isPlaceholder(_ key: String, sigil: Character) -> Bool {
        let utf8 = key.utf8
        guard utf8.count > 1, let first = utf8.first, first == sigil.asciiValue else { return false }
        var isFirst = true
        for b in utf8 {
            if isFirst { isFirst = false; continue }
            if !Lexer.isWordByte(b) { return false }
        }
        return true
    }

    mutating func name(_ placeholder: String) -> String? {
        guard let n = names[placeholder] else { return nil }
        usedNames.insert(placeholder)
        return n
    }

    mutating func value(_ placeholder: String) -> AttributeValue? {
        guard let v = values[placeholder] else { return nil }
        usedValues.insert(placeholder)
        return v
    }

    /// Call after parsing every expression of the request: rejects names and values no
    /// expression used ("Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}").
    public func checkAllUsed() throws(DynamoDBError) {
        // Only names and values that exist are recorded as used, so equal counts mean all used.
        if usedNames.count == names.count && usedValues.count == values.count { return }
        let unusedNames = names.keys.filter { !usedNames.contains($0) }.sorted()
        if !unusedNames.isEmpty {
            throw .validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {\(unusedNames.joined(separator: ", "))}")
        }
        let unusedValues = values.keys.filter { !usedValues.contains($0) }.sorted()
        if !unusedValues.isEmpty {
            throw .validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {\(unusedValues.joined(separator: ", "))}")
        }
    }
}
