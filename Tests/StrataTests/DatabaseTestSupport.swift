import Foundation
@testable import Strata

/// An in-memory database with a table `items` (partition key `pk` S, sort key `sk` N when `sorted`).
func makeDatabase(sorted: Bool = false) throws -> Database {
    var o = DatabaseOptions()
    o.inMemory = true
    let db = try Database.open(at: "", options: o)
    var defs = [AttributeDefinition(attributeName: "pk", attributeType: .s)]
    var schema = [KeySchemaElement(attributeName: "pk", keyType: .hash)]
    if sorted {
        defs.append(AttributeDefinition(attributeName: "sk", attributeType: .n))
        schema.append(KeySchemaElement(attributeName: "sk", keyType: .range))
    }
    _ = try db.createTable(CreateTableInput(tableName: "items", attributeDefinitions: defs, keySchema: schema))
    return db
}

func num(_ s: String) -> AttributeValue { .n(try! Number(s)) }
