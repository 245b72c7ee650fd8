import Foundation
import Testing
@testable import Strata

@Suite struct AttributeValueJSONTests {
    static func decode(_ json: String) throws -> AttributeValue {
        try JSONDecoder().decode(AttributeValue.self, from: Data(json.utf8))
    }

    static func encode(_ value: AttributeValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test(arguments: [
        (#"{"S":"x"}"#, AttributeValue.s("x")),
        (#"{"S":""}"#, .s("")),
        (#"{"N":"01.50"}"#, .n(try! Number("1.5"))),
        (#"{"B":"aGVsbG8="}"#, .b(Array("hello".utf8))),
        (#"{"B":""}"#, .b([])),
        (#"{"BOOL":true}"#, .bool(true)),
        (#"{"BOOL":false}"#, .bool(false)),
        (#"{"NULL":true}"#, .null),
        (#"{"M":{"a":{"S":"b"},"n":{"N":"1"}}}"#, .m(["a": .s("b"), "n": .n(Number(1))])),
        (#"{"M":{}}"#, .m([:])),
        (#"{"L":[{"S":"a"},{"N":"2"},{"L":[]}]}"#, .l([.s("a"), .n(Number(2)), .l([])])),
        (#"{"SS":["a","b",""]}"#, .ss(["a", "b", ""])),
        (#"{"NS":["1","2.5"]}"#, .ns([Number(1), try! Number("2.5")])),
        (#"{"BS":["AQ==","Ag=="]}"#, .bs([[1], [2]])),
        (#"{"S":"x","N":null}"#, .s("x")),
    ])
    func decodes(json: String, expected: AttributeValue) throws {
        #expect(try Self.decode(json) == expected)
    }

    @Test func roundTrips() throws {
        let value: AttributeValue = .m([
            "s": .s("héllo \u{0} ✓"), "n": .n(try Number("-1.5e-3")), "b": .b([0, 255, 7]), "t": .bool(true),
            "z": .null, "l": .l([.ss(["x"]), .ns([Number(3)]), .bs([[9]])]),
        ])
        let json = try Self.encode(value)
        #expect(try Self.decode(json) == value)
        #expect(try Self.encode(.n(try Number("1e3"))) == #"{"N":"1000"}"#)
        #expect(try Self.encode(.b(Array("hello".utf8))) == #"{"B":"aGVsbG8="}"#)
        #expect(try Self.encode(.null) == #"{"NULL":true}"#)
        let item: Item = try JSONDecoder().decode(Item.self, from: Data(#"{"id":{"S":"u1"},"age":{"N":"42"}}"#.utf8))
        #expect(item == ["id": "u1", "age": 42])
    }

    @Test(arguments: [
        (#"{}"#, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        (#"{"S":null}"#, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        (#"{"S":"a","N":"1"}"#,
         "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
        (#"{"NULL":false}"#, "One or more parameter values were invalid: Null attribute value types must have the value of true"),
        (#"{"SS":[]}"#, "One or more parameter values were invalid: An string set  may not be empty"),
        (#"{"NS":[]}"#, "One or more parameter values were invalid: An number set  may not be empty"),
        (#"{"BS":[]}"#, "One or more parameter values were invalid: Binary sets should not be empty"),
        (#"{"SS":["a","a"]}"#, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
        (#"{"NS":["1","1.0"]}"#, "Input collection contains duplicates"),
        (#"{"BS":["Yg==","Yg=="]}"#,
         "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."),
        (#"{"N":"b"}"#, "The parameter cannot be converted to a numeric value: b"),
        (#"{"N":""}"#, "The parameter cannot be converted to a numeric value"),
        (#"{"NS":["1","b"]}"#, "The parameter cannot be converted to a numeric value: b"),
        (#"{"N":"1e126"}"#, Number.overflowMessage),
        (#"{"M":{"a":{"SS":[]}}}"#, "One or more parameter values were invalid: An string set  may not be empty"),
        (#"{"L":[{"NULL":false}]}"#, "One or more parameter values were invalid: Null attribute value types must have the value of true"),
    ])
    func rejectsInvalid(json: String, message: String) {
        #expect(throws: DynamoDBError.validation(message)) { try Self.decode(json) }
    }

    @Test(arguments: [
        (#"{"N":123}"#, "NUMBER_VALUE cannot be converted to String"),
        (#"{"S":true}"#, "TRUE_VALUE cannot be converted to String"),
        (#"{"S":34.56}"#, "DECIMAL_VALUE cannot be converted to String"),
        (#"{"S":{}}"#, "Start of structure or map found where not expected"),
        (#"{"S":[]}"#, "Unrecognized collection type class java.lang.String"),
        (#"{"BOOL":"23"}"#, "STRING_VALUE cannot be converted to Boolean"),
        (#"{"B":"23456"}"#, "Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
        (#"{"B":"=+/="}"#, "Invalid last non-pad Base64 character dectected"),
        (#"{"B":"+/+="}"#, "Invalid last non-pad Base64 character dectected"),
        (#"{"B":23}"#, "only base-64-encoded strings are convertible to bytes"),
        (#"{"L":"23"}"#, "Unexpected field type"),
        (#"{"L":{}}"#, "Start of structure or map found where not expected"),
        (#"{"M":true}"#, "Unexpected field type"),
    ])
    func rejectsMalformed(json: String, message: String) {
        #expect(throws: DynamoDBError(.serialization, message)) { try Self.decode(json) }
    }

    @Test func base64MatchesFoundation() throws {
        var g = SeededGenerator(seed: 0x5EED_0004)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) }
            let text = Base64.encode(bytes)
            #expect(text == Data(bytes).base64EncodedString())
            #expect(try Base64.decode(text) == bytes)
        }
    }
}

@Suite struct AttributeValueValidationTests {
    static func nested(_ levels: Int) -> AttributeValue {
        var v: AttributeValue = .s("leaf")
        for i in 0..<levels { v = i % 2 == 0 ? .m(["n": v]) : .l([v]) }
        return v
    }

    @Test func nestingLimitIs32Levels() throws {
        try Self.nested(31).validate()   // leaf at level 32
        #expect(Self.nested(31).nestingDepth == 32)
        #expect(throws: AttributeValue.nestingError) { try Self.nested(32).validate() }
        #expect(throws: AttributeValue.nestingError) { try (["a": Self.nested(40)] as Item).validateItem() }
    }

    @Test func setsAreCheckedWhenBuiltInSwift() {
        #expect(throws: DynamoDBError.self) { try AttributeValue.ss([]).validate() }
        #expect(throws: DynamoDBError.self) { try AttributeValue.l([.ns([Number(1), Number(1)])]).validate() }
        #expect(throws: DynamoDBError.self) { try AttributeValue.bs([[1], [1]]).validate() }
        #expect(throws: Never.self) { try AttributeValue.bs([[], [1]]).validate() }
    }

    /// The Developer Guide's rules, worked by hand.
    static let sizeCases: [(Item, Int)] = {
        var cases: [(Item, Int)] = []
        cases.append((["id": .s("abc")], 2 + 3))
        cases.append((["n": .n(Number(12345))], 1 + 4))          // 5 digits: 3 + 1
        cases.append((["n": .n(Number(1234))], 1 + 3))           // 4 digits: 2 + 1
        cases.append((["n": .n(Number(0))], 1 + 2))
        cases.append((["n": .n(try! Number("1.5e-100"))], 1 + 2))
        cases.append((["n": .n(try! Number("100000"))], 1 + 2))  // trailing zeros are trimmed
        cases.append((["b": .b([1, 2, 3])], 1 + 3))
        cases.append((["t": .bool(true), "z": .null], 1 + 1 + 1 + 1))
        cases.append((["m": .m([:])], 1 + 3))
        cases.append((["l": .l([])], 1 + 3))
        cases.append((["m": .m(["ab": .s("xyz")])], 1 + 3 + 1 + 2 + 3))
        cases.append((["l": .l([.s("xyz"), .n(Number(1))])], 1 + 3 + (1 + 3) + (1 + 2)))
        cases.append((["ss": .ss(["a", "bc"])], 2 + 3))
        cases.append((["ns": .ns([Number(1), Number(123)])], 2 + 2 + 3))
        cases.append((["bs": .bs([[1], [1, 2]])], 2 + 3))
        cases.append((["é": .s("ü")], 2 + 2))
        return cases
    }()

    @Test func itemSize() {
        for (item, expected) in Self.sizeCases {
            #expect(item.itemSize == expected, "\(item)")
        }
    }

    @Test func itemSizeLimit() throws {
        let name = "data"
        let fits: Item = [name: .s(String(repeating: "x", count: 400 * 1024 - name.utf8.count))]
        try fits.validateItem()
        let over: Item = [name: .s(String(repeating: "x", count: 400 * 1024 - name.utf8.count + 1))]
        #expect(throws: DynamoDBError.validation("Item size has exceeded the maximum allowed size")) {
            try over.validateItem()
        }
    }

    @Test func keyRules() throws {
        try AttributeValue.validateKey(.s(String(repeating: "k", count: 2048)), name: "pk", type: .s, role: .partition)
        try AttributeValue.validateKey(.b([UInt8](repeating: 1, count: 1024)), name: "sk", type: .b, role: .sort)
        try AttributeValue.validateKey(.n(try Number("9.9999999999999999999999999999999999999E+125")), name: "sk",
                                       type: .n, role: .sort)
        #expect(throws: DynamoDBError.validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")) {
            try AttributeValue.validateKey(.s(String(repeating: "k", count: 2049)), name: "pk", type: .s, role: .partition)
        }
        #expect(throws: DynamoDBError.validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")) {
            try AttributeValue.validateKey(.s(String(repeating: "é", count: 513)), name: "sk", type: .s, role: .sort)
        }
        #expect(throws: DynamoDBError.validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")) {
            try AttributeValue.validateKey(.s(""), name: "pk", type: .s, role: .partition)
        }
        #expect(throws: DynamoDBError.validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: sk")) {
            try AttributeValue.validateKey(.b([]), name: "sk", type: .b, role: .sort)
        }
        #expect(throws: DynamoDBError.validation("One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")) {
            try AttributeValue.validateKey(.n(Number(1)), name: "pk", type: .s, role: .partition)
        }
    }
}

@Suite struct AttributeValueLiteralTests {
    @Test func literalsBuildItems() throws {
        let item: Item = ["id": "u1", "age": 42, "score": 4.5, "tiny": 1e-5, "admin": false,
                          "tags": ["a", 1], "address": ["city": "Oslo"], "note": .null]
        #expect(item["id"] == .s("u1"))
        #expect(item["age"] == .n(Number(42)))
        #expect(item["score"] == .n(try Number("4.5")))
        #expect(item["tiny"] == .n(try Number("0.00001")))
        #expect(item["admin"] == .bool(false))
        #expect(item["tags"] == .l([.s("a"), .n(Number(1))]))
        #expect(item["address"] == .m(["city": .s("Oslo")]))
        #expect(item["note"] == .null)
        #expect(item.count == 8)
        let negative: AttributeValue = -7
        #expect(negative == .n(Number(-7)))
    }
}
