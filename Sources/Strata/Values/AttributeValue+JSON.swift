/// DynamoDB JSON for attribute values: `{"S":"x"}`, `{"N":"1"}`, `{"B":"<base64>"}`,
/// `{"BOOL":true}`, `{"NULL":true}`, `{"M":{...}}`, `{"L":[...]}`, `{"SS":[...]}`, `{"NS":[...]}`,
/// `{"BS":[...]}`.
///
/// Decoding validates as DynamoDB does and throws `DynamoDBError` with DynamoDB's codes and
/// wording: SerializationException for a JSON value of the wrong shape (a number where a string
/// belongs, bad base64), ValidationException for a well-formed but invalid value (more than one
/// type, NULL false, an empty set, duplicate set members, a bad number). Members whose value is
/// JSON null count as absent, as in AWS's JSON protocol.
extension AttributeValue: Codable {
    enum TypeKey: String, CodingKey, CaseIterable {
        case S, N, B, BOOL, NULL, M, L, SS, NS, BS
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        var present: [TypeKey] = []
        for key in TypeKey.allCases where container.contains(key) {
            if try container.decodeNil(forKey: key) { continue }
            present.append(key)
        }
        guard let key = present.first else { throw AttributeValue.emptyValueError }
        if present.count > 1 { throw AttributeValue.multipleTypesError }
        switch key {
        case .S:
            self = .s(try JSONField.string(container, key))
        case .N:
            self = .n(try Number(try JSONField.string(container, key)))
        case .B:
            self = .b(try Base64.decode(try JSONField.blobText(container, key)))
        case .BOOL:
            self = .bool(try JSONField.bool(container, key))
        case .NULL:
            guard try JSONField.bool(container, key) else { throw AttributeValue.nullFalseError }
            self = .null
        case .M:
            self = .m(try JSONField.decode([String: AttributeValue].self, container, key, expecting: "Map"))
        case .L:
            self = .l(try JSONField.decode([AttributeValue].self, container, key, expecting: "List"))
        case .SS:
            let members = try JSONField.decode([String].self, container, key, expecting: "List")
            self = .ss(members)
        case .NS:
            let texts = try JSONField.decode([String].self, container, key, expecting: "List")
            var numbers: [Number] = []
            numbers.reserveCapacity(texts.count)
            for text in texts { numbers.append(try Number(text)) }
            self = .ns(numbers)
        case .BS:
            let texts = try JSONField.decode([String].self, container, key, expecting: "List")
            var blobs: [[UInt8]] = []
            blobs.reserveCapacity(texts.count)
            for text in texts { blobs.append(try Base64.decode(text)) }
            self = .bs(blobs)
        }
        try validateSetMembers()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        switch self {
        case .s(let v): try container.encode(v, forKey: .S)
        case .n(let v): try container.encode(v.description, forKey: .N)
        case .b(let v): try container.encode(Base64.encode(v), forKey: .B)
        case .bool(let v): try container.encode(v, forKey: .BOOL)
        case .null: try container.encode(true, forKey: .NULL)
        case .m(let v): try container.encode(v, forKey: .M)
        case .l(let v): try container.encode(v, forKey: .L)
        case .ss(let v): try container.encode(v, forKey: .SS)
        case .ns(let v): try container.encode(v.map(\.description), forKey: .NS)
        case .bs(let v): try container.encode(v.map(Base64.encode), forKey: .BS)
        }
    }
}

extension Number: Codable {
    /// A number codes as its DynamoDB text (a JSON string), never as a JSON number.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try Number(try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Reads one member of an AttributeValue object, turning Swift's DecodingError into
/// DynamoDB's SerializationException wording.
private enum JSONField {
    typealias Container = KeyedDecodingContainer<AttributeValue.TypeKey>

    static func string(_ c: Container, _ key: AttributeValue.TypeKey) throws -> String {
        do { return try c.decode(String.self, forKey: key) } catch let error as DecodingError {
            throw serialization(error, c, key, target: "String")
        }
    }

    static func bool(_ c: Container, _ key: AttributeValue.TypeKey) throws -> Bool {
        do { return try c.decode(Bool.self, forKey: key) } catch let error as DecodingError {
            throw serialization(error, c, key, target: "Boolean")
        }
    }

    static func blobText(_ c: Container, _ key: AttributeValue.TypeKey) throws -> String {
        do { return try c.decode(String.self, forKey: key) } catch let error as DecodingError {
            if case .typeMismatch = error, (try? c.nestedContainer(keyedBy: AttributeValue.TypeKey.self, forKey: key)) == nil,
               (try? c.nestedUnkeyedContainer(forKey: key)) == nil {
                throw DynamoDBError(.serialization, "only base-64-encoded strings are convertible to bytes")
            }
            throw serialization(error, c, key, target: "Blob")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ c: Container, _ key: AttributeValue.TypeKey,
                                     expecting: String) throws -> T {
        do { return try c.decode(type, forKey: key) } catch let error as DecodingError {
            // A DecodingError from deeper down (a member of the wrong shape) is reported the same way.
            if case .typeMismatch(_, let context) = error, context.codingPath.count > c.codingPath.count + 1 {
                throw DynamoDBError(.serialization, "Unexpected value type in payload")
            }
            if (try? c.nestedContainer(keyedBy: AttributeValue.TypeKey.self, forKey: key)) != nil, expecting == "List" {
                throw DynamoDBError(.serialization, "Start of structure or map found where not expected")
            }
            if (try? c.nestedUnkeyedContainer(forKey: key)) != nil, expecting == "Map" {
                throw DynamoDBError(.serialization,
                                    "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>")
            }
            throw DynamoDBError(.serialization, "Unexpected field type")
        }
    }

    /// "NUMBER_VALUE cannot be converted to String" and friends.
    static func serialization(_ error: DecodingError, _ c: Container, _ key: AttributeValue.TypeKey,
                              target: String) -> DynamoDBError {
        if (try? c.nestedContainer(keyedBy: AttributeValue.TypeKey.self, forKey: key)) != nil {
            return DynamoDBError(.serialization, "Start of structure or map found where not expected")
        }
        if (try? c.nestedUnkeyedContainer(forKey: key)) != nil {
            let javaClass = target == "Blob" ? "java.nio.ByteBuffer" : "java.lang.\(target)"
            return DynamoDBError(.serialization, "Unrecognized collection type class \(javaClass)")
        }
        if let b = try? c.decode(Bool.self, forKey: key) {
            return DynamoDBError(.serialization, "\(b ? "TRUE_VALUE" : "FALSE_VALUE") cannot be converted to \(target)")
        }
        if (try? c.decode(Int64.self, forKey: key)) != nil {
            return DynamoDBError(.serialization, "NUMBER_VALUE cannot be converted to \(target)")
        }
        if (try? c.decode(Double.self, forKey: key)) != nil {
            return DynamoDBError(.serialization, "DECIMAL_VALUE cannot be converted to \(target)")
        }
        if (try? c.decode(String.self, forKey: key)) != nil {
            return DynamoDBError(.serialization, "STRING_VALUE cannot be converted to \(target)")
        }
        return DynamoDBError(.serialization, "Unexpected value type in payload")
    }
}
