import Foundation
import Testing
@testable import Strata
@testable import StrataWire

/// The fast path must read what JSONDecoder reads and write what JSONEncoder writes; whatever it
/// declines goes to the Codable path, so a request either takes the fast path with the same result
/// or gets exactly the old answer.
@Suite struct FastJSONTests {
    static func canonical<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func fast<T>(_ json: String, _ read: (UnsafeBufferPointer<UInt8>) throws -> T) -> T? {
        Array(json.utf8).withUnsafeBufferPointer { try? read($0) }
    }

    static let getItemBodies: [String] = [
        #"{"TableName":"t","Key":{"pk":{"S":"a"},"sk":{"N":"01.50"}}}"#,
        #" { "TableName" : "t" , "Key" : { "pk" : { "S" : "a b" } } , "ConsistentRead" : true } "#,
        "{\n\t\"TableName\":\"t\",\r\n\"Key\":{\"pk\":{\"B\":\"AAEC/w==\"}}}",
        #"{"TableName":"t","Key":{"pk":{"S":"\u00e9\ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t \u0001"}}}"#,
        ##"{"TableName":"t","Key":{"pk":{"S":"é😀 raw"}},"ProjectionExpression":"#a, b","ExpressionAttributeNames":{"#a":"a"}}"##,
        #"{"TableName":"t","Key":{"pk":{"S":"a"}},"AttributesToGet":["a","b"],"ReturnConsumedCapacity":"TOTAL"}"#,
        #"{"Key":{"pk":{"S":"a"}},"TableName":"t","ConsistentRead":false}"#,
        #"{"TableName":"t","Key":{}}"#,
    ]

    @Test(arguments: getItemBodies)
    func getItemReadsAsJSONDecoder(body: String) throws {
        let fast = try #require(Self.fast(body) { try FastInput.getItem($0) })
        let slow = try JSONDecoder().decode(GetItemInput.self, from: Data(body.utf8))
        #expect(try Self.canonical(fast) == Self.canonical(slow))
    }

    static let putItemBodies: [String] = [
        #"{"TableName":"t","Item":{"pk":{"S":"a"},"n":{"N":"-1e3"},"b":{"BOOL":false},"z":{"NULL":true}}}"#,
        #"{"TableName":"t","Item":{"m":{"M":{"x":{"L":[{"S":"1"},{"N":"2"},{"M":{}},{"L":[]}]}}}}}"#,
        #"{"TableName":"t","Item":{"ss":{"SS":["a","b"]},"ns":{"NS":["1","2.5"]},"bs":{"BS":["AA==","AQ=="]}}}"#,
        ##"{"TableName":"t","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(pk) AND #n = :v","ExpressionAttributeNames":{"#n":"n"},"ExpressionAttributeValues":{":v":{"N":"1"}},"ReturnValues":"ALL_OLD","ReturnConsumedCapacity":"INDEXES","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}"##,
        #"{"TableName":"t","Item":{"pk":{"B":""}}}"#,
    ]

    @Test(arguments: putItemBodies)
    func putItemReadsAsJSONDecoder(body: String) throws {
        let fast = try #require(Self.fast(body) { try FastInput.putItem($0) })
        let slow = try JSONDecoder().decode(PutItemInput.self, from: Data(body.utf8))
        #expect(try Self.canonical(fast) == Self.canonical(slow))
    }

    @Test func updateAndDeleteReadAsJSONDecoder() throws {
        let update = #"{"TableName":"t","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"S":"x"}},"ReturnValues":"UPDATED_NEW"}"#
        let fastUpdate = try #require(Self.fast(update) { try FastInput.updateItem($0) })
        #expect(try Self.canonical(fastUpdate) == Self.canonical(JSONDecoder().decode(UpdateItemInput.self, from: Data(update.utf8))))
        let delete = #"{"TableName":"t","Key":{"pk":{"S":"a"}},"ConditionExpression":"attribute_exists(pk)"}"#
        let fastDelete = try #require(Self.fast(delete) { try FastInput.deleteItem($0) })
        #expect(try Self.canonical(fastDelete) == Self.canonical(JSONDecoder().decode(DeleteItemInput.self, from: Data(delete.utf8))))
        // UpdateExpression is not a DeleteItem member.
        #expect(Self.fast(update) { try FastInput.deleteItem($0) } == nil)
    }

    /// Each of these is answered by the Codable path: an error, or a lenient reading the fast path
    /// leaves to JSONDecoder.
    static let declined: [String] = [
        "", "{", "[]", "null", #"{"TableName":"t","Key":{"pk":{"S":"a"}}} x"#, #"{"TableName":"t","Key":{"pk":{"S":"a"}},}"#,
        #"{"TableName":"t"}"#, #"{"Key":{"pk":{"S":"a"}}}"#, #"{"TableName":null,"Key":{"pk":{"S":"a"}}}"#,
        #"{"TableName":"t","Key":{"pk":{"S":"a"}},"Limit":1}"#, #"{"TableName":"t","TableName":"u","Key":{"pk":{"S":"a"}}}"#,
        #"{"TableName":"t","Key":{"pk":{"S":"a"},"pk":{"S":"b"}}}"#, #"{"TableName":1,"Key":{"pk":{"S":"a"}}}"#,
        #"{"TableName":"t","Key":{"pk":{"S":"a","N":"1"}}}"#, #"{"TableName":"t","Key":{"pk":{"S":"a","N":null}}}"#,
        #"{"TableName":"t","Key":{"pk":{}}}"#, #"{"TableName":"t","Key":{"pk":{"S":1}}}"#, #"{"TableName":"t","Key":{"pk":{"N":"x"}}}"#,
        #"{"TableName":"t","Key":{"pk":{"B":"AAE"}}}"#, #"{"TableName":"t","Key":{"pk":{"B":"AB=="}}}"#, #"{"TableName":"t","Key":{"pk":{"NULL":false}}}"#,
        #"{"TableName":"t","Key":{"pk":{"SS":[]}}}"#, #"{"TableName":"t","Key":{"pk":{"SS":["a","a"]}}}"#, #"{"TableName":"t","Key":{"pk":{"NS":["1","1.0"]}}}"#,
        #"{"TableName":"t","Key":{"pk":{"X":"a"}}}"#, #"{"TableName":"t","Key":{"pk":{"S":"\ud83d"}}}"#, #"{"TableName":"t","Key":{"pk":{"S":"\x"}}}"#,
        "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"a\u{01}\"}}}", #"{"TableName":"t","Key":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"ALL"}"#,
        #"{"TableName":"t","Key":{"pk":{"S":"a"}},"ConsistentRead":"true"}"#,
    ]

    @Test(arguments: declined)
    func declinesWhatTheCodablePathAnswers(body: String) {
        #expect(Self.fast(body) { try FastInput.getItem($0) } == nil)
    }

    @Test func declinesInvalidUTF8() {
        var bytes = Array(#"{"TableName":"t","Key":{"pk":{"S":"ab"}}}"#.utf8)
        bytes[bytes.count - 6] = 0xFF
        #expect(bytes.withUnsafeBufferPointer { try? FastInput.getItem($0) } == nil)
    }

    static let values: [AttributeValue] = [
        .s(""), .s("plain"), .s("q\"b\\s/ \u{08}\u{0C}\n\r\t \u{01}\u{1F}\u{7F} é 😀"), .n(try! Number("-01.50")), .n(try! Number("1e30")),
        .b([]), .b([0]), .b([0, 1]), .b([0xFF, 0xFE, 0xFD]), .b(Array(0...255)), .bool(true), .bool(false), .null,
        .m([:]), .m(["a/b": .s("x")]), .l([]), .l([.s("a"), .n(Number(2)), .m(["k": .null]), .l([.bool(true)])]),
        .ss(["a", "b/c"]), .ns([Number(1), try! Number("2.5")]), .bs([[1], [0xFF, 0xFF]]),
    ]

    @Test(arguments: values)
    func writesAsJSONEncoder(value: AttributeValue) throws {
        var w = JSONWriter()
        w.attributeValue(value)
        #expect(String(decoding: w.bytes, as: UTF8.self) == String(decoding: try JSONEncoder().encode(value), as: UTF8.self))
    }

    @Test func writesOutputsAsJSONEncoder() throws {
        let item: Item = ["pk": .s("a"), "n": .n(Number(1)), "m": .m(["x": .l([.s("y")])])]
        let get = GetItemOutput(item: item)
        #expect(try JSONSerialization.jsonObject(with: Data(#require(FastOutput.getItem(get)))) as? NSDictionary
                == JSONSerialization.jsonObject(with: JSONEncoder().encode(get)) as? NSDictionary)
        #expect(FastOutput.getItem(GetItemOutput()) == Array("{}".utf8))
        #expect(FastOutput.getItem(GetItemOutput(item: item, consumedCapacity: ConsumedCapacity(tableName: "t", capacityUnits: 1))) == nil)
        let write = WriteItemOutput(attributes: ["pk": .s("a")])
        #expect(try FastOutput.writeItem(write) == Array(JSONEncoder().encode(write)))
        #expect(FastOutput.writeItem(WriteItemOutput()) == Array("{}".utf8))
    }
}
