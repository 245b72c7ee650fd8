import Foundation
import Testing
@testable import Strata

private enum Color: String, Codable, Equatable { case red, green }
private enum Level: Int, Codable, Equatable { case low = 1, high = 9 }

private struct Address: Codable, Equatable {
    var city: String
    var zip: Int?
}

private struct Profile: Codable, Equatable {
    var id: String
    var age: Int
    var score: Double
    var admin: Bool
    var nickname: String?
    var address: Address
    var previous: [Address]
    var tags: Set<String>
    var lucky: Set<Int>
    var blobs: Set<Data>
    var avatar: Data
    var raw: [UInt8]
    var color: Color
    var level: Level
    var attributes: [String: Int]
    var matrix: [[Int]]
    var created: Date
}

private func sample() -> Profile {
    Profile(id: "u1", age: 42, score: 4.5, admin: false, nickname: nil,
            address: Address(city: "Oslo", zip: nil), previous: [Address(city: "Bergen", zip: 5003)],
            tags: ["b", "a"], lucky: [7, -3], blobs: [Data([1, 2]), Data([0])], avatar: Data([0xFF, 0]),
            raw: [1, 2, 3], color: .green, level: .high, attributes: ["x": 1, "y": 2], matrix: [[1], [2, 3]],
            created: Date(timeIntervalSince1970: 1_700_000_000.25))
}

@Suite struct ItemCodableTests {
    @Test func encodesEachSwiftTypeAsItsAttributeType() throws {
        let item = try ItemEncoder().encode(sample())
        #expect(item["id"] == .s("u1"))
        #expect(item["age"] == num("42"))
        #expect(item["score"] == num("4.5"))
        #expect(item["admin"] == .bool(false))
        #expect(item["nickname"] == nil)
        #expect(item["address"] == .m(["city": .s("Oslo")]))
        #expect(item["previous"] == .l([.m(["city": .s("Bergen"), "zip": num("5003")])]))
        #expect(item["tags"] == .ss(["a", "b"]))
        #expect(item["lucky"] == .ns([try Number("-3"), try Number("7")]))
        #expect(item["blobs"] == .bs([[0], [1, 2]]))
        #expect(item["avatar"] == .b([0xFF, 0]))
        #expect(item["raw"] == .b([1, 2, 3]))
        #expect(item["color"] == .s("green"))
        #expect(item["level"] == num("9"))
        #expect(item["attributes"] == .m(["x": num("1"), "y": num("2")]))
        #expect(item["matrix"] == .l([.l([num("1")]), .l([num("2"), num("3")])]))
        #expect(item["created"] == num("1700000000.25"))
        #expect(item.count == 16)
    }

    @Test func roundTripsNestedStructsOptionalsSetsAndDates() throws {
        var value = sample()
        #expect(try ItemDecoder().decode(Profile.self, from: ItemEncoder().encode(value)) == value)
        value.nickname = "ada"
        value.address.zip = 150
        #expect(try ItemDecoder().decode(Profile.self, from: ItemEncoder().encode(value)) == value)
    }

    @Test func roundTripsThroughTheDatabase() throws {
        let db = try makeDatabase()
        var value = sample()
        value.id = "ignored"
        var item = try ItemEncoder().encode(value)
        item["pk"] = "p1"
        _ = try db.putItem(PutItemInput(tableName: "items", item: item))
        let stored = try #require(try db.getItem(GetItemInput(tableName: "items", key: ["pk": "p1"])).item)
        #expect(try ItemDecoder().decode(Profile.self, from: stored) == value)
    }

    @Test func emptySetsAreOmittedAndMissingSetsDecodeEmpty() throws {
        var value = sample()
        value.tags = []
        let item = try ItemEncoder().encode(value)
        #expect(item["tags"] == nil)
        #expect(try ItemDecoder().decode(Profile.self, from: item).tags == [])
    }

    @Test func nullDecodesAsNilAndNilInsideAListIsNull() throws {
        struct Holder: Codable, Equatable { var list: [Int?]; var maybe: String? }
        let item = try ItemEncoder().encode(Holder(list: [1, nil, 3], maybe: nil))
        #expect(item == ["list": .l([num("1"), .null, num("3")])])
        #expect(try ItemDecoder().decode(Holder.self, from: ["list": .l([]), "maybe": .null]) == Holder(list: [], maybe: nil))
        #expect(try ItemDecoder().decode(Holder.self, from: item) == Holder(list: [1, nil, 3], maybe: nil))
    }

    @Test func numbersAreExact() throws {
        struct Numbers: Codable, Equatable {
            var big: Number
            var tiny: Number
            var int64: Int64
            var uint64: UInt64
            var int128: Int128
            var float: Float
            var double: Double
        }
        let value = Numbers(big: try Number("12345678901234567890123456789012345678"),
                            tiny: try Number("-1.2345678901234567890123456789012345678E-120"),
                            int64: .min, uint64: .max,
                            int128: Int128("-99999999999999999999999999999999999999")!,  // 38 digits
                            float: 0.1, double: 0.1 + 0.2)
        let item = try ItemEncoder().encode(value)
        #expect(item["big"] == num("12345678901234567890123456789012345678"))
        #expect(item["int64"] == num("-9223372036854775808"))
        #expect(item["uint64"] == num("18446744073709551615"))
        #expect(item["int128"] == num("-99999999999999999999999999999999999999"))
        #expect(item["float"] == num("0.1"))
        #expect(item["double"] == num("0.30000000000000004"))
        #expect(try ItemDecoder().decode(Numbers.self, from: item) == value)
    }

    @Test func decimalRoundTrips() throws {
        struct Price: Codable, Equatable { var amount: Decimal }
        let value = Price(amount: Decimal(string: "19.99")!)
        let item = try ItemEncoder().encode(value)
        #expect(item["amount"] == num("19.99"))
        #expect(try ItemDecoder().decode(Price.self, from: item) == value)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteDoublesAreRejected(_ value: Double) throws {
        struct Reading: Codable { var value: Double }
        let error = #expect(throws: EncodingError.self) { try ItemEncoder().encode(Reading(value: value)) }
        guard case .invalidValue(_, let context) = error else { Issue.record("expected invalidValue"); return }
        #expect(context.debugDescription.contains("DynamoDB numbers are finite"))
        #expect(context.debugDescription.contains("'value'"))
    }

    @Test func outOfRangeNumbersAreRejectedWithDynamoDBsMessage() throws {
        struct Reading: Codable { var values: [Double] }
        let error = #expect(throws: EncodingError.self) { try ItemEncoder().encode(Reading(values: [1, 1e-200])) }
        guard case .invalidValue(_, let context) = error else { Issue.record("expected invalidValue"); return }
        #expect(context.debugDescription.contains(Number.underflowMessage))
        #expect(context.debugDescription.contains("'values[1]'"))
    }

    @Test func overPreciseIntegersAreRejected() throws {
        struct Huge: Codable { var n: UInt128 }
        let error = #expect(throws: EncodingError.self) { try ItemEncoder().encode(Huge(n: .max)) }  // 39 digits
        guard case .invalidValue(_, let context) = error else { Issue.record("expected invalidValue"); return }
        #expect(context.debugDescription.contains(Number.precisionMessage))
    }

    @Test func datesAsISO8601() throws {
        struct Event: Codable, Equatable { var at: Date }
        let value = Event(at: Date(timeIntervalSince1970: 1_714_564_800.25))
        let item = try ItemEncoder(dateEncodingStrategy: .iso8601).encode(value)
        #expect(item["at"] == .s("2024-05-01T12:00:00.250Z"))
        #expect(try ItemDecoder(dateDecodingStrategy: .iso8601).decode(Event.self, from: item) == value)
        #expect(try ItemDecoder(dateDecodingStrategy: .iso8601).decode(Event.self, from: ["at": "2024-05-01T12:00:00Z"])
                == Event(at: Date(timeIntervalSince1970: 1_714_564_800)))
        #expect(throws: DecodingError.self) { try ItemDecoder().decode(Event.self, from: item) }
    }

    @Test func attributeValuesPassThrough() throws {
        struct Raw: Codable, Equatable { var any: AttributeValue; var set: AttributeValue }
        let value = Raw(any: .null, set: .ss(["x"]))
        let item = try ItemEncoder().encode(value)
        #expect(item == ["any": .null, "set": .ss(["x"])])
        #expect(try ItemDecoder().decode(Raw.self, from: item) == value)
        #expect(try ItemEncoder().encode(["id": "u1", "n": 1] as Item) == ["id": "u1", "n": 1])
    }

    @Test func singleValues() throws {
        #expect(try ItemEncoder().encodeValue(Date(timeIntervalSince1970: 10)) == num("10"))
        #expect(try ItemEncoder().encodeValue(Optional<Int>.none) == .null)
        #expect(try ItemEncoder().encodeValue(Set(["a"])) == .ss(["a"]))
        #expect(try ItemDecoder().decodeValue(Int.self, from: num("-7")) == -7)
    }

    @Test func topLevelMustBeAMap() {
        let error = #expect(throws: EncodingError.self) { try ItemEncoder().encode(42) }
        guard case .invalidValue(_, let context) = error else { Issue.record("expected invalidValue"); return }
        #expect(context.debugDescription == "Int encodes as N, but an item must encode as a map (M)")
    }

    @Test func mixedSetsAreRejected() {
        struct Bad: Codable { var s: Set<[Int]> }
        #expect(throws: EncodingError.self) { try ItemEncoder().encode(Bad(s: [[1]])) }
    }

    // MARK: mismatches name the path

    /// (item, expected fragment of the error message)
    static let mismatches: [(Item, String)] = [
        (["city": "Oslo", "zip": "0150"], "Expected Int (N) at 'zip' but found S"),
        (["city": 7], "Expected String (S) at 'city' but found N"),
        (["city": "Oslo", "zip": 1.5], "The number 1.5 is not a whole number, as Int requires at 'zip'"),
        (["city": "Oslo", "zip": num("99999999999999999999")], "The number 99999999999999999999 does not fit in Int at 'zip'"),
        (["zip": 1], "No attribute 'city' in the item"),
    ]

    @Test(arguments: mismatches)
    func mismatchesNameTheAttribute(_ item: Item, _ fragment: String) {
        let error = #expect(throws: DecodingError.self) { try ItemDecoder().decode(Address.self, from: item) }
        #expect(describe(error).contains(fragment), "\(describe(error))")
    }

    @Test func nestedMismatchesNameTheWholePath() throws {
        var item = try ItemEncoder().encode(sample())
        item["previous"] = .l([.m(["city": "Bergen"]), .m(["city": .bool(true)])])
        let e1 = #expect(throws: DecodingError.self) { try ItemDecoder().decode(Profile.self, from: item) }
        #expect(describe(e1).contains("Expected String (S) at 'previous[1].city' but found BOOL"), "\(describe(e1))")

        item = try ItemEncoder().encode(sample())
        item["address"] = .l([])
        let e2 = #expect(throws: DecodingError.self) { try ItemDecoder().decode(Profile.self, from: item) }
        #expect(describe(e2).contains("Expected a map (M) at 'address' but found L"), "\(describe(e2))")

        item = try ItemEncoder().encode(sample())
        item["tags"] = .s("a")
        let e3 = #expect(throws: DecodingError.self) { try ItemDecoder().decode(Profile.self, from: item) }
        #expect(describe(e3).contains("at 'tags' but found S"), "\(describe(e3))")

        item = try ItemEncoder().encode(sample())
        item["color"] = "purple"
        let e4 = #expect(throws: DecodingError.self) { try ItemDecoder().decode(Profile.self, from: item) }
        #expect(e4.map { context(of: $0).codingPath.map(\.stringValue) } == ["color"])

        item = try ItemEncoder().encode(sample())
        item["avatar"] = .s("AAE=")
        let e5 = #expect(throws: DecodingError.self) { try ItemDecoder().decode(Profile.self, from: item) }
        #expect(describe(e5).contains("Expected Data (B) at 'avatar' but found S"), "\(describe(e5))")
    }

    @Test func setsDecodeFromListsToo() throws {
        struct Tagged: Codable, Equatable { var tags: Set<String> }
        #expect(try ItemDecoder().decode(Tagged.self, from: ["tags": ["a", "b", "a"]]) == Tagged(tags: ["a", "b"]))
    }
}

private func context(of error: DecodingError) -> DecodingError.Context {
    switch error {
    case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): c
    @unknown default: DecodingError.Context(codingPath: [], debugDescription: "")
    }
}

private func describe(_ error: DecodingError?) -> String {
    error.map { context(of: $0).debugDescription } ?? "no error"
}
