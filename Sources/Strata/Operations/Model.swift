// Shapes shared by the operations, named and encoded as DynamoDB's API Reference names them,
// so the JSON wire codec is Codable conformance and nothing more.

public enum KeyType: String, Codable, Sendable { case hash = "HASH", range = "RANGE" }

public struct KeySchemaElement: Codable, Sendable, Equatable {
    public var attributeName: String
    public var keyType: KeyType
    public init(attributeName: String, keyType: KeyType) {
        self.attributeName = attributeName
        self.keyType = keyType
    }
    enum CodingKeys: String, CodingKey { case attributeName = "AttributeName", keyType = "KeyType" }
}

public enum ScalarAttributeType: String, Codable, Sendable { case s = "S", n = "N", b = "B" }

public struct AttributeDefinition: Codable, Sendable, Equatable {
    public var attributeName: String
    public var attributeType: ScalarAttributeType
    public init(attributeName: String, attributeType: ScalarAttributeType) {
        self.attributeName = attributeName
        self.attributeType = attributeType
    }
    enum CodingKeys: String, CodingKey { case attributeName = "AttributeName", attributeType = "AttributeType" }
}

public struct ProvisionedThroughput: Codable, Sendable, Equatable {
    public var readCapacityUnits: Int64
    public var writeCapacityUnits: Int64
    public init(readCapacityUnits: Int64, writeCapacityUnits: Int64) {
        self.readCapacityUnits = readCapacityUnits
        self.writeCapacityUnits = writeCapacityUnits
    }
    enum CodingKeys: String, CodingKey { case readCapacityUnits = "ReadCapacityUnits", writeCapacityUnits = "WriteCapacityUnits" }
}

public struct ProvisionedThroughputDescription: Codable, Sendable, Equatable {
    public var readCapacityUnits: Int64
    public var writeCapacityUnits: Int64
    public var numberOfDecreasesToday: Int64 = 0
    public var lastIncreaseDateTime: Double?
    public var lastDecreaseDateTime: Double?
    enum CodingKeys: String, CodingKey {
        case readCapacityUnits = "ReadCapacityUnits", writeCapacityUnits = "WriteCapacityUnits"
        case numberOfDecreasesToday = "NumberOfDecreasesToday", lastIncreaseDateTime = "LastIncreaseDateTime"
        case lastDecreaseDateTime = "LastDecreaseDateTime"
    }
}

public enum BillingMode: String, Codable, Sendable { case provisioned = "PROVISIONED", payPerRequest = "PAY_PER_REQUEST" }

public struct BillingModeSummary: Codable, Sendable, Equatable {
    public var billingMode: BillingMode
    public var lastUpdateToPayPerRequestDateTime: Double?
    enum CodingKeys: String, CodingKey {
        case billingMode = "BillingMode", lastUpdateToPayPerRequestDateTime = "LastUpdateToPayPerRequestDateTime"
    }
}

public struct Projection: Codable, Sendable, Equatable {
    public var projectionType: String?
    public var nonKeyAttributes: [String]?
    public init(projectionType: String? = "ALL", nonKeyAttributes: [String]? = nil) {
        self.projectionType = projectionType
        self.nonKeyAttributes = nonKeyAttributes
    }
    enum CodingKeys: String, CodingKey { case projectionType = "ProjectionType", nonKeyAttributes = "NonKeyAttributes" }
}

public struct SecondaryIndex: Codable, Sendable, Equatable {
    public var indexName: String
    public var keySchema: [KeySchemaElement]
    public var projection: Projection
    public var provisionedThroughput: ProvisionedThroughput?
    public init(indexName: String, keySchema: [KeySchemaElement], projection: Projection, provisionedThroughput: ProvisionedThroughput? = nil) {
        self.indexName = indexName
        self.keySchema = keySchema
        self.projection = projection
        self.provisionedThroughput = provisionedThroughput
    }
    enum CodingKeys: String, CodingKey {
        case indexName = "IndexName", keySchema = "KeySchema", projection = "Projection", provisionedThroughput = "ProvisionedThroughput"
    }
}

public struct SecondaryIndexDescription: Codable, Sendable, Equatable {
    public var indexName: String
    public var keySchema: [KeySchemaElement]
    public var projection: Projection
    public var indexStatus: String?
    public var provisionedThroughput: ProvisionedThroughputDescription?
    public var indexSizeBytes: Int64 = 0
    public var itemCount: Int64 = 0
    public var indexArn: String
    enum CodingKeys: String, CodingKey {
        case indexName = "IndexName", keySchema = "KeySchema", projection = "Projection", indexStatus = "IndexStatus"
        case provisionedThroughput = "ProvisionedThroughput", indexSizeBytes = "IndexSizeBytes", itemCount = "ItemCount"
        case indexArn = "IndexArn"
    }
}

public struct StreamSpecification: Codable, Sendable, Equatable {
    public var streamEnabled: Bool
    public var streamViewType: String?
    enum CodingKeys: String, CodingKey { case streamEnabled = "StreamEnabled", streamViewType = "StreamViewType" }
}

public struct Tag: Codable, Sendable, Equatable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
    enum CodingKeys: String, CodingKey { case key = "Key", value = "Value" }
}

public enum TableStatus: String, Codable, Sendable {
    case creating = "CREATING", updating = "UPDATING", deleting = "DELETING", active = "ACTIVE"
}

public struct TableDescription: Codable, Sendable, Equatable {
    public var tableName: String
    public var tableStatus: TableStatus
    public var keySchema: [KeySchemaElement]
    public var attributeDefinitions: [AttributeDefinition]
    public var creationDateTime: Double
    public var provisionedThroughput: ProvisionedThroughputDescription
    public var billingModeSummary: BillingModeSummary?
    public var tableSizeBytes: Int64
    public var itemCount: Int64
    public var tableArn: String
    public var tableId: String
    public var localSecondaryIndexes: [SecondaryIndexDescription]?
    public var globalSecondaryIndexes: [SecondaryIndexDescription]?
    public var streamSpecification: StreamSpecification?
    public var latestStreamArn: String?
    public var latestStreamLabel: String?
    public var deletionProtectionEnabled: Bool?
    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", tableStatus = "TableStatus", keySchema = "KeySchema"
        case attributeDefinitions = "AttributeDefinitions", creationDateTime = "CreationDateTime"
        case provisionedThroughput = "ProvisionedThroughput", billingModeSummary = "BillingModeSummary"
        case tableSizeBytes = "TableSizeBytes", itemCount = "ItemCount", tableArn = "TableArn", tableId = "TableId"
        case localSecondaryIndexes = "LocalSecondaryIndexes", globalSecondaryIndexes = "GlobalSecondaryIndexes"
        case streamSpecification = "StreamSpecification", latestStreamArn = "LatestStreamArn"
        case latestStreamLabel = "LatestStreamLabel", deletionProtectionEnabled = "DeletionProtectionEnabled"
    }
}

public enum ReturnValue: String, Codable, Sendable {
    case none = "NONE", allOld = "ALL_OLD", updatedOld = "UPDATED_OLD", allNew = "ALL_NEW", updatedNew = "UPDATED_NEW"
}

public enum ReturnConsumedCapacity: String, Codable, Sendable { case indexes = "INDEXES", total = "TOTAL", none = "NONE" }

public enum ReturnValuesOnConditionCheckFailure: String, Codable, Sendable { case allOld = "ALL_OLD", none = "NONE" }

public struct Capacity: Codable, Sendable, Equatable {
    public var capacityUnits: Double?
    public var readCapacityUnits: Double?
    public var writeCapacityUnits: Double?
    enum CodingKeys: String, CodingKey {
        case capacityUnits = "CapacityUnits", readCapacityUnits = "ReadCapacityUnits", writeCapacityUnits = "WriteCapacityUnits"
    }
}

public struct ConsumedCapacity: Codable, Sendable, Equatable {
    public var tableName: String
    public var capacityUnits: Double
    public var readCapacityUnits: Double?
    public var writeCapacityUnits: Double?
    public var table: Capacity?
    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", capacityUnits = "CapacityUnits", readCapacityUnits = "ReadCapacityUnits"
        case writeCapacityUnits = "WriteCapacityUnits", table = "Table"
    }
}
