import Foundation

public struct CreateTableInput: Codable, Sendable {
    public var tableName: String
    public var attributeDefinitions: [AttributeDefinition]
    public var keySchema: [KeySchemaElement]
    public var localSecondaryIndexes: [SecondaryIndex]?
    public var globalSecondaryIndexes: [SecondaryIndex]?
    public var billingMode: BillingMode?
    public var provisionedThroughput: ProvisionedThroughput?
    public var streamSpecification: StreamSpecification?
    public var tags: [Tag]?
    public var deletionProtectionEnabled: Bool?

    public init(tableName: String, attributeDefinitions: [AttributeDefinition], keySchema: [KeySchemaElement],
                billingMode: BillingMode? = .payPerRequest, provisionedThroughput: ProvisionedThroughput? = nil) {
        self.tableName = tableName
        self.attributeDefinitions = attributeDefinitions
        self.keySchema = keySchema
        self.billingMode = billingMode
        self.provisionedThroughput = provisionedThroughput
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", attributeDefinitions = "AttributeDefinitions", keySchema = "KeySchema"
        case localSecondaryIndexes = "LocalSecondaryIndexes", globalSecondaryIndexes = "GlobalSecondaryIndexes"
        case billingMode = "BillingMode", provisionedThroughput = "ProvisionedThroughput"
        case streamSpecification = "StreamSpecification", tags = "Tags", deletionProtectionEnabled = "DeletionProtectionEnabled"
    }
}

public struct TableDescriptionOutput: Codable, Sendable {
    public var tableDescription: TableDescription
    enum CodingKeys: String, CodingKey { case tableDescription = "TableDescription" }
}

public struct TableNameInput: Codable, Sendable {
    public var tableName: String
    public init(tableName: String) { self.tableName = tableName }
    enum CodingKeys: String, CodingKey { case tableName = "TableName" }
}

public struct DescribeTableOutput: Codable, Sendable {
    public var table: TableDescription
    enum CodingKeys: String, CodingKey { case table = "Table" }
}

public struct ListTablesInput: Codable, Sendable {
    public var exclusiveStartTableName: String?
    public var limit: Int?
    public init(exclusiveStartTableName: String? = nil, limit: Int? = nil) {
        self.exclusiveStartTableName = exclusiveStartTableName
        self.limit = limit
    }
    enum CodingKeys: String, CodingKey { case exclusiveStartTableName = "ExclusiveStartTableName", limit = "Limit" }
}

public struct ListTablesOutput: Codable, Sendable {
    public var tableNames: [String]
    public var lastEvaluatedTableName: String?
    enum CodingKeys: String, CodingKey { case tableNames = "TableNames", lastEvaluatedTableName = "LastEvaluatedTableName" }
}

public struct UpdateTableInput: Codable, Sendable {
    public var tableName: String
    public var attributeDefinitions: [AttributeDefinition]?
    public var billingMode: BillingMode?
    public var provisionedThroughput: ProvisionedThroughput?
    public var streamSpecification: StreamSpecification?
    public var deletionProtectionEnabled: Bool?
    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", attributeDefinitions = "AttributeDefinitions", billingMode = "BillingMode"
        case provisionedThroughput = "ProvisionedThroughput", streamSpecification = "StreamSpecification"
        case deletionProtectionEnabled = "DeletionProtectionEnabled"
    }
}

public struct TagResourceInput: Codable, Sendable {
    public var resourceArn: String
    public var tags: [Tag]
    enum CodingKeys: String, CodingKey { case resourceArn = "ResourceArn", tags = "Tags" }
}

public struct UntagResourceInput: Codable, Sendable {
    public var resourceArn: String
    public var tagKeys: [String]
    enum CodingKeys: String, CodingKey { case resourceArn = "ResourceArn", tagKeys = "TagKeys" }
}

public struct ListTagsOfResourceInput: Codable, Sendable {
    public var resourceArn: String
    public var nextToken: String?
    enum CodingKeys: String, CodingKey { case resourceArn = "ResourceArn", nextToken = "NextToken" }
}

public struct ListTagsOfResourceOutput: Codable, Sendable {
    public var tags: [Tag]
    public var nextToken: String?
    enum CodingKeys: String, CodingKey { case tags = "Tags", nextToken = "NextToken" }
}

public struct UpdateTimeToLiveInput: Codable, Sendable {
    public var tableName: String
    public var timeToLiveSpecification: TimeToLiveSpecification
    enum CodingKeys: String, CodingKey { case tableName = "TableName", timeToLiveSpecification = "TimeToLiveSpecification" }
}

public struct UpdateTimeToLiveOutput: Codable, Sendable {
    public var timeToLiveSpecification: TimeToLiveSpecification
    enum CodingKeys: String, CodingKey { case timeToLiveSpecification = "TimeToLiveSpecification" }
}

public struct TimeToLiveDescription: Codable, Sendable {
    public var timeToLiveStatus: String
    public var attributeName: String?
    enum CodingKeys: String, CodingKey { case timeToLiveStatus = "TimeToLiveStatus", attributeName = "AttributeName" }
}

public struct DescribeTimeToLiveOutput: Codable, Sendable {
    public var timeToLiveDescription: TimeToLiveDescription
    enum CodingKeys: String, CodingKey { case timeToLiveDescription = "TimeToLiveDescription" }
}

public struct EmptyOutput: Codable, Sendable {
    public init() {}
}

enum TableNameRules {
    static func validate(_ name: String, field: String = "tableName") throws(DynamoDBError) {
        if name.count < 3 {
            throw .validation("1 validation error detected: Value '\(name)' at '\(field)' failed to satisfy constraint: Member must have length greater than or equal to 3")
        }
        if name.count > 255 {
            throw .validation("1 validation error detected: Value '\(name)' at '\(field)' failed to satisfy constraint: Member must have length less than or equal to 255")
        }
        let ok = name.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "." || c == "-"
        }
        if !ok {
            throw .validation("1 validation error detected: Value '\(name)' at '\(field)' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        }
    }
}

extension Database {
    func arn(_ table: String) -> String { "arn:aws:dynamodb:\(options.region):\(options.accountID):table/\(table)" }

    // MARK: CreateTable

    public func createTable(_ input: CreateTableInput) throws(DynamoDBError) -> TableDescriptionOutput {
        try TableNameRules.validate(input.tableName)
        let defs = input.attributeDefinitions
        let schema = input.keySchema
        try Self.validateKeySchema(schema, definitions: defs, what: "KeySchema")
        var used = Set(schema.map(\.attributeName))
        let hashName = schema[0].attributeName
        var lsis: [SecondaryIndexDescription]?
        var gsis: [SecondaryIndexDescription]?
        if let l = input.localSecondaryIndexes {
            if l.isEmpty { throw .validation("One or more parameter values were invalid: List of LocalSecondaryIndexes is empty") }
            if schema.count < 2 {
                throw .validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
            }
            lsis = []
            for idx in l {
                try TableNameRules.validate(idx.indexName, field: "indexName")
                try Self.validateKeySchema(idx.keySchema, definitions: defs, what: "KeySchema")
                if idx.keySchema.count != 2 || idx.keySchema[0].attributeName != hashName {
                    throw .validation("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: \(idx.indexName). index hash key: \(idx.keySchema[0].attributeName), table hash key: \(hashName)")
                }
                used.formUnion(idx.keySchema.map(\.attributeName))
                lsis!.append(describeIndex(idx, table: input.tableName, throughput: nil))
            }
        }
        if let g = input.globalSecondaryIndexes {
            if g.isEmpty { throw .validation("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty") }
            gsis = []
            for idx in g {
                try TableNameRules.validate(idx.indexName, field: "indexName")
                try Self.validateKeySchema(idx.keySchema, definitions: defs, what: "KeySchema")
                used.formUnion(idx.keySchema.map(\.attributeName))
                gsis!.append(describeIndex(idx, table: input.tableName,
                                           throughput: input.billingMode == .payPerRequest ? nil : idx.provisionedThroughput))
            }
        }
        let names = (lsis ?? []).map(\.indexName) + (gsis ?? []).map(\.indexName)
        if Set(names).count != names.count {
            throw .validation("One or more parameter values were invalid: Duplicate index name: \(names.first { n in names.filter { $0 == n }.count > 1 }!)")
        }
        let defined = Set(defs.map(\.attributeName))
        if defined.count != defs.count {
            throw .validation("Cannot have two attributes with the same name")
        }
        if defined != used {
            throw .validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
        }
        let mode = input.billingMode ?? .provisioned
        var throughput = ProvisionedThroughputDescription(readCapacityUnits: 0, writeCapacityUnits: 0)
        switch mode {
        case .provisioned:
            guard let p = input.provisionedThroughput else {
                throw .validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
            }
            if p.readCapacityUnits < 1 || p.writeCapacityUnits < 1 {
                throw .validation("One or more parameter values were invalid: Provisioned throughput must be at least 1 for both ReadCapacityUnits and WriteCapacityUnits")
            }
            throughput = ProvisionedThroughputDescription(readCapacityUnits: p.readCapacityUnits, writeCapacityUnits: p.writeCapacityUnits)
        case .payPerRequest:
            if input.provisionedThroughput != nil {
                throw .validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
            }
        }
        if let tags = input.tags { try Self.validateTags(tags) }
        let now = Date().timeIntervalSince1970
        let name = input.tableName
        let created = try storage {
            try catalog.create { id in
                var d = TableDescription(
                    tableName: name, tableStatus: .active, keySchema: schema, attributeDefinitions: defs,
                    creationDateTime: now, provisionedThroughput: throughput,
                    billingModeSummary: mode == .payPerRequest ? BillingModeSummary(billingMode: .payPerRequest, lastUpdateToPayPerRequestDateTime: now) : nil,
                    tableSizeBytes: 0, itemCount: 0, tableArn: arn(name), tableId: Self.tableUUID(id, name),
                    localSecondaryIndexes: lsis, globalSecondaryIndexes: gsis)
                if let s = input.streamSpecification, s.streamEnabled {
                    d.streamSpecification = s
                    let label = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: now)).replacingOccurrences(of: "Z", with: ".000")
                    d.latestStreamLabel = label
                    d.latestStreamArn = arn(name) + "/stream/" + label
                }
                d.deletionProtectionEnabled = input.deletionProtectionEnabled ?? false
                return TableMetadata(id: id, description: d, tags: input.tags ?? [])
            }
        }
        guard let created else {
            throw DynamoDBError(.resourceInUse, "Table already exists: \(name)")
        }
        var d = created.description
        d.tableStatus = .active
        return TableDescriptionOutput(tableDescription: d)
    }

    static func tableUUID(_ id: UInt32, _ name: String) -> String {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(id)
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let a = String(h, radix: 16), b = String(UInt64(id) &* 0x2545_F491_4F6C_DD1D ^ h, radix: 16)
        let hex = Array((String(repeating: "0", count: max(0, 16 - a.count)) + a + String(repeating: "0", count: max(0, 16 - b.count)) + b).prefix(32))
        return "\(String(hex[0..<8]))-\(String(hex[8..<12]))-\(String(hex[12..<16]))-\(String(hex[16..<20]))-\(String(hex[20..<32]))"
    }

    func describeIndex(_ idx: SecondaryIndex, table: String, throughput: ProvisionedThroughput?) -> SecondaryIndexDescription {
        SecondaryIndexDescription(
            indexName: idx.indexName, keySchema: idx.keySchema, projection: idx.projection, indexStatus: "ACTIVE",
            provisionedThroughput: throughput.map { ProvisionedThroughputDescription(readCapacityUnits: $0.readCapacityUnits, writeCapacityUnits: $0.writeCapacityUnits) },
            indexArn: arn(table) + "/index/" + idx.indexName)
    }

    static func validateKeySchema(_ schema: [KeySchemaElement], definitions: [AttributeDefinition], what: String) throws(DynamoDBError) {
        if schema.isEmpty || schema.count > 2 {
            throw .validation("1 validation error detected: Value '\(schema.map(\.attributeName))' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2")
        }
        if schema[0].keyType != .hash {
            throw .validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
        }
        if schema.count == 2 {
            if schema[1].keyType != .range {
                throw .validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
            }
            if schema[0].attributeName == schema[1].attributeName {
                throw .validation("Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema have the same name")
            }
        }
        let defined = Set(definitions.map(\.attributeName))
        let missing = schema.map(\.attributeName).filter { !defined.contains($0) }
        if !missing.isEmpty {
            throw .validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [\(missing.joined(separator: ", "))], AttributeDefinitions: [\(definitions.map(\.attributeName).joined(separator: ", "))]")
        }
    }

    static func validateTags(_ tags: [Tag]) throws(DynamoDBError) {
        for t in tags {
            if t.key.isEmpty || t.key.count > 128 {
                throw .validation("1 validation error detected: Value '\(t.key)' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128")
            }
            if t.value.count > 256 {
                throw .validation("1 validation error detected: Value '\(t.value)' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256")
            }
        }
    }

    // MARK: DescribeTable, ListTables

    func currentDescription(_ t: TableMetadata) throws(DynamoDBError) -> TableDescription {
        var d = t.description
        let c = try storage { try catalog.counts(of: t) }
        d.itemCount = c.items
        d.tableSizeBytes = c.bytes
        return d
    }

    public func describeTable(_ input: TableNameInput) throws(DynamoDBError) -> DescribeTableOutput {
        guard let t = catalog.table(named: input.tableName) else {
            throw DynamoDBError(.resourceNotFound, "Requested resource not found: Table: \(input.tableName) not found")
        }
        return DescribeTableOutput(table: try currentDescription(t))
    }

    public func listTables(_ input: ListTablesInput = ListTablesInput()) throws(DynamoDBError) -> ListTablesOutput {
        if let limit = input.limit, limit < 1 || limit > 100 {
            throw .validation("1 validation error detected: Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value \(limit < 1 ? "greater than or equal to 1" : "less than or equal to 100")")
        }
        let limit = input.limit ?? 100
        var names = catalog.allTables.map(\.name).sorted()
        if let start = input.exclusiveStartTableName { names = names.filter { $0 > start } }
        let page = Array(names.prefix(limit))
        return ListTablesOutput(tableNames: page, lastEvaluatedTableName: names.count > limit ? page.last : nil)
    }

    // MARK: UpdateTable

    public func updateTable(_ input: UpdateTableInput) throws(DynamoDBError) -> TableDescriptionOutput {
        guard var t = catalog.table(named: input.tableName) else {
            throw DynamoDBError(.resourceNotFound, "Requested resource not found: Table: \(input.tableName) not found")
        }
        var changed = false
        if let mode = input.billingMode {
            if mode == .provisioned {
                guard let p = input.provisionedThroughput ?? (t.description.billingModeSummary == nil ? ProvisionedThroughput(readCapacityUnits: t.description.provisionedThroughput.readCapacityUnits, writeCapacityUnits: t.description.provisionedThroughput.writeCapacityUnits) : nil) else {
                    throw .validation("One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
                }
                t.description.billingModeSummary = nil
                t.description.provisionedThroughput = ProvisionedThroughputDescription(readCapacityUnits: p.readCapacityUnits, writeCapacityUnits: p.writeCapacityUnits)
            } else {
                if input.provisionedThroughput != nil {
                    throw .validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
                }
                t.description.billingModeSummary = BillingModeSummary(billingMode: .payPerRequest, lastUpdateToPayPerRequestDateTime: Date().timeIntervalSince1970)
                t.description.provisionedThroughput = ProvisionedThroughputDescription(readCapacityUnits: 0, writeCapacityUnits: 0)
            }
            changed = true
        } else if let p = input.provisionedThroughput {
            if t.description.billingModeSummary?.billingMode == .payPerRequest {
                throw .validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
            }
            let old = t.description.provisionedThroughput
            if old.readCapacityUnits == p.readCapacityUnits && old.writeCapacityUnits == p.writeCapacityUnits {
                throw .validation("The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: \(old.readCapacityUnits). Requested ReadCapacityUnits: \(p.readCapacityUnits). Current WriteCapacityUnits provisioned for the table: \(old.writeCapacityUnits). Requested WriteCapacityUnits: \(p.writeCapacityUnits). Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.")
            }
            t.description.provisionedThroughput.readCapacityUnits = p.readCapacityUnits
            t.description.provisionedThroughput.writeCapacityUnits = p.writeCapacityUnits
            changed = true
        }
        if let s = input.streamSpecification {
            t.description.streamSpecification = s.streamEnabled ? s : nil
            changed = true
        }
        if let p = input.deletionProtectionEnabled {
            t.description.deletionProtectionEnabled = p
            changed = true
        }
        if !changed {
            throw .validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
        }
        let updated = t
        try storage { try catalog.update(updated) }
        return TableDescriptionOutput(tableDescription: try currentDescription(updated))
    }

    // MARK: DeleteTable

    /// Removes the table from the catalog, deletes its items and compacts their range away.
    public func deleteTable(_ input: TableNameInput) throws(DynamoDBError) -> TableDescriptionOutput {
        guard let t = catalog.table(named: input.tableName) else {
            throw DynamoDBError(.resourceNotFound, "Requested resource not found: Table: \(input.tableName) not found")
        }
        if t.description.deletionProtectionEnabled == true {
            throw .validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
        }
        var d = try currentDescription(t)
        d.tableStatus = .deleting
        _ = try storage { try catalog.remove(t.name) }
        let prefix = KeyEncoding.tablePrefix(t.id)
        let end = KeyEncoding.successor(of: prefix)
        try storage {
            let it = try engine.makeIterator(options: ReadOptions(fillCache: false), lowerBound: prefix, upperBound: end)
            var b = WriteBatch()
            it.seekToFirst()
            while it.isValid {
                b.delete(it.key)
                if b.count >= 1000 {
                    try engine.write(b)
                    b = WriteBatch()
                }
                it.next()
            }
            try it.check()
            if !b.isEmpty { try engine.write(b) }
            try engine.compactRange(begin: prefix, end: end)
        }
        return TableDescriptionOutput(tableDescription: d)
    }

    // MARK: Tags

    func tableForArn(_ arn: String) throws(DynamoDBError) -> TableMetadata {
        guard let slash = arn.range(of: ":table/") else {
            throw .validation("Invalid TableArn: Invalid ResourceArn provided as input \(arn)")
        }
        let name = String(arn[slash.upperBound...].prefix { $0 != "/" })
        guard let t = catalog.table(named: name), arn == self.arn(name) else {
            throw DynamoDBError(.resourceNotFound, "Requested resource not found: ResourcArn: \(arn) not found")
        }
        return t
    }

    public func tagResource(_ input: TagResourceInput) throws(DynamoDBError) -> EmptyOutput {
        var t = try tableForArn(input.resourceArn)
        try Self.validateTags(input.tags)
        for tag in input.tags {
            t.tags.removeAll { $0.key == tag.key }
            t.tags.append(tag)
        }
        if t.tags.count > 50 { throw DynamoDBError(.limitExceeded, "Tag count exceeds the maximum of 50 tags per resource") }
        let updated = t
        try storage { try catalog.update(updated) }
        return EmptyOutput()
    }

    public func untagResource(_ input: UntagResourceInput) throws(DynamoDBError) -> EmptyOutput {
        var t = try tableForArn(input.resourceArn)
        t.tags.removeAll { input.tagKeys.contains($0.key) }
        let updated = t
        try storage { try catalog.update(updated) }
        return EmptyOutput()
    }

    public func listTagsOfResource(_ input: ListTagsOfResourceInput) throws(DynamoDBError) -> ListTagsOfResourceOutput {
        let t = try tableForArn(input.resourceArn)
        return ListTagsOfResourceOutput(tags: t.tags.sorted { $0.key < $1.key })
    }

    // MARK: Time to live

    public func updateTimeToLive(_ input: UpdateTimeToLiveInput) throws(DynamoDBError) -> UpdateTimeToLiveOutput {
        var t = try table(input.tableName)
        let spec = input.timeToLiveSpecification
        if spec.attributeName.isEmpty {
            throw .validation("1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1")
        }
        if let current = t.timeToLive, current.enabled == spec.enabled {
            throw .validation(spec.enabled ? "TimeToLive is already enabled" : "TimeToLive is already disabled")
        }
        if t.timeToLive == nil && !spec.enabled {
            throw .validation("TimeToLive is already disabled")
        }
        t.timeToLive = spec
        let updated = t
        try storage { try catalog.update(updated) }
        return UpdateTimeToLiveOutput(timeToLiveSpecification: spec)
    }

    public func describeTimeToLive(_ input: TableNameInput) throws(DynamoDBError) -> DescribeTimeToLiveOutput {
        let t = try table(input.tableName)
        if let s = t.timeToLive, s.enabled {
            return DescribeTimeToLiveOutput(timeToLiveDescription: TimeToLiveDescription(timeToLiveStatus: "ENABLED", attributeName: s.attributeName))
        }
        return DescribeTimeToLiveOutput(timeToLiveDescription: TimeToLiveDescription(timeToLiveStatus: "DISABLED", attributeName: nil))
    }
}
