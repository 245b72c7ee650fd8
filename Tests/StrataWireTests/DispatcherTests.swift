import Foundation
import Testing
@testable import StrataWire

@Suite struct WireDispatcherTests {
    func dispatcher() throws -> Dispatcher {
        var o = DatabaseOptions()
        o.inMemory = true
        return Dispatcher(database: try Database.open(at: "", options: o))
    }

    func call(_ d: Dispatcher, _ op: String, _ json: String) throws -> [String: Any] {
        let out = try d.handle(operation: op, body: Array(json.utf8))
        return try JSONSerialization.jsonObject(with: Data(out)) as! [String: Any]
    }

    @Test func createPutGetThroughJSON() throws {
        let d = try dispatcher()
        let created = try call(d, "CreateTable", """
            {"TableName":"Music","AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"},{"AttributeName":"SongTitle","AttributeType":"S"}],
             "KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"SongTitle","KeyType":"RANGE"}],
             "BillingMode":"PAY_PER_REQUEST"}
            """)
        let desc = created["TableDescription"] as! [String: Any]
        #expect(desc["TableName"] as? String == "Music")
        #expect(desc["TableStatus"] as? String == "ACTIVE")
        _ = try call(d, "PutItem", """
            {"TableName":"Music","Item":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"},"Year":{"N":"02015.50"}}}
            """)
        let got = try call(d, "GetItem", """
            {"TableName":"Music","Key":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}},"ReturnConsumedCapacity":"TOTAL"}
            """)
        let item = got["Item"] as! [String: Any]
        #expect((item["Year"] as! [String: Any])["N"] as? String == "2015.5")
        let cc = got["ConsumedCapacity"] as! [String: Any]
        #expect(cc["CapacityUnits"] as? Double == 0.5)
        let empty = try call(d, "GetItem", #"{"TableName":"Music","Key":{"Artist":{"S":"x"},"SongTitle":{"S":"y"}}}"#)
        #expect(empty["Item"] == nil)
    }

    @Test func wireErrors() throws {
        let d = try dispatcher()
        let unknown = #expect(throws: DynamoDBError.self) { try d.handle(operation: "Frobnicate", body: Array("{}".utf8)) }
        #expect(unknown?.code.name == "UnknownOperationException")
        let bad = #expect(throws: DynamoDBError.self) { try d.handle(operation: "ListTables", body: Array("{not json".utf8)) }
        #expect(bad?.code == .serialization)
        let missing = #expect(throws: DynamoDBError.self) { try d.handle(operation: "DescribeTable", body: Array("{}".utf8)) }
        #expect(missing?.code == .validation)
        #expect(missing?.message == "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
        let badEnum = #expect(throws: DynamoDBError.self) {
            try d.handle(operation: "CreateTable", body: Array(#"{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"X"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]}"#.utf8))
        }
        #expect(badEnum?.code == .validation)
        let notFound = #expect(throws: DynamoDBError.self) {
            try d.handle(operation: "GetItem", body: Array(#"{"TableName":"nope","Key":{"a":{"S":"x"}}}"#.utf8))
        }
        #expect(notFound?.code == .resourceNotFound)
    }
}
