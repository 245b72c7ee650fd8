import Testing
@testable import Strata

@Suite struct ItemCodecTests {
    static func randomValue(depth: Int, using g: inout SeededGenerator) -> AttributeValue {
        let kinds = depth >= 5 ? 8 : 10
        switch Int.random(in: 0..<kinds, using: &g) {
        case 0: return .s(KeyEncodingTests.randomString(using: &g))
        case 1: return .n(RefDecimal.randomValid(using: &g).number)
        case 2: return .b(KeyEncodingTests.randomBinary(using: &g))
        case 3: return .bool(Bool.random(using: &g))
        case 4: return .null
        case 5:
            let n = Int.random(in: 1...4, using: &g)
            return .ss(Array(Set((0..<n).map { _ in KeyEncodingTests.randomString(using: &g) })))
        case 6:
            let n = Int.random(in: 1...4, using: &g)
            return .ns(Array(Set((0..<n).map { _ in RefDecimal.randomValid(using: &g).number })))
        case 7:
            let n = Int.random(in: 1...4, using: &g)
            return .bs(Array(Set((0..<n).map { _ in KeyEncodingTests.randomBinary(using: &g) })))
        case 8:
            return .l((0..<Int.random(in: 0...4, using: &g)).map { _ in randomValue(depth: depth + 1, using: &g) })
        default:
            return .m(randomItem(depth: depth + 1, using: &g))
        }
    }

    static func randomItem(depth: Int = 0, using g: inout SeededGenerator) -> Item {
        var item: Item = [:]
        for _ in 0..<Int.random(in: 0...6, using: &g) {
            item[KeyEncodingTests.randomString(using: &g)] = randomValue(depth: depth, using: &g)
        }
        return item
    }

    @Test func randomItemsRoundTrip() throws {
        var g = SeededGenerator(seed: 0x5EED_0020)
        for _ in 0..<3_000 {
            let item = Self.randomItem(using: &g)
            let bytes = ItemCodec.encode(item)
            #expect(bytes.first == 1)
            #expect(try ItemCodec.decode(bytes) == item)
            // Deterministic: the same item (rebuilt in another insertion order) gives the same bytes.
            let rebuilt = Dictionary(uniqueKeysWithValues: item.sorted { $0.key > $1.key })
            #expect(ItemCodec.encode(rebuilt) == bytes)
            // The size read from the encoding is the decoded item's size.
            #expect(try ItemCodec.itemSize(ofEncoded: bytes) == item.itemSize)
            // Validating while encoding gives the same bytes and size.
            let validated = try ItemCodec.encodeValidated(item)
            #expect(validated.bytes == bytes)
            #expect(validated.size == item.itemSize)
        }
    }

    /// Attributes are written in UTF-8 byte order whatever their count (small items are sorted
    /// in place, items of more than 32 attributes another way).
    @Test func attributesSortedByUTF8Bytes() throws {
        var g = SeededGenerator(seed: 0x5EED_0022)
        for count in [2, 3, 17, 32, 33, 100] {
            var item: Item = [:]
            while item.count < count {
                let name: String = KeyEncodingTests.randomString(using: &g) + String(item.count)
                item[name] = AttributeValue.n(Number(item.count))
            }
            let bytes = ItemCodec.encode(item)
            var reader = ItemCodec.Reader(bytes: bytes)
            _ = try reader.byte()
            #expect(try reader.varint() == count)
            var names: [[UInt8]] = []
            for _ in 0..<count {
                names.append(Array(try reader.string().utf8))
                _ = try reader.value(depth: 1)
            }
            #expect(names == names.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(try ItemCodec.decode(bytes) == item)
            #expect(try ItemCodec.itemSize(ofEncoded: bytes) == item.itemSize)
            #expect(try item.validateItem() == item.itemSize)
        }
    }

    /// Validating while encoding rejects what `validateItem` rejects, with the same error.
    @Test func encodeValidatedRejectsWhatValidateItemRejects() throws {
        let duplicateSet: Item = ["id": "a", "s": .ss(["x", "x"])]
        let emptySet: Item = ["id": "a", "n": .ns([])]
        var deep: AttributeValue = .s("leaf")
        for _ in 0..<40 { deep = .l([deep]) }
        let tooDeep: Item = ["id": "a", "d": deep]
        let tooLarge: Item = ["id": "a", "b": .b([UInt8](repeating: 1, count: 400 * 1024))]
        for item in [duplicateSet, emptySet, tooDeep, tooLarge] {
            let expected = #expect(throws: DynamoDBError.self) { try item.validateItem() }
            let actual = #expect(throws: DynamoDBError.self) { try ItemCodec.encodeValidated(item) }
            #expect(expected?.code == .validation)
            #expect(actual?.message == expected?.message)
        }
        let justFits: Item = ["b": .b([UInt8](repeating: 1, count: 400 * 1024 - 1))]
        #expect(try ItemCodec.encodeValidated(justFits).size == 400 * 1024)
    }

    @Test func deepAndLargeItemsRoundTrip() throws {
        var v: AttributeValue = .s("leaf")
        for i in 0..<31 { v = i % 2 == 0 ? .m(["n": v]) : .l([v]) }
        let deep: Item = ["d": v, "big": .b([UInt8](repeating: 0xAB, count: 300_000)),
                          "s": .s(String(repeating: "é", count: 50_000))]
        #expect(try ItemCodec.decode(ItemCodec.encode(deep)) == deep)
    }

    /// A golden encoding: changing it means a new format version (Docs/item_format.md).
    @Test func goldenBytes() throws {
        let item: Item = ["id": "u1", "age": 42, "ok": true, "l": .l([.null, .b([0])])]
        let expected: [UInt8] = [
            0x01,                                   // version 1
            0x04,                                   // 4 attributes, sorted by name
            0x03, 0x61, 0x67, 0x65, 0x02, 0x03, 0x83, 0x53, 0x00,   // "age" N 42: positive, exponent 1+130, nibbles 5 3, end
            0x02, 0x69, 0x64, 0x01, 0x02, 0x75, 0x31,               // "id" S "u1"
            0x01, 0x6C, 0x08, 0x02, 0x06, 0x03, 0x01, 0x00,         // "l" L [NULL, B [00]]
            0x02, 0x6F, 0x6B, 0x05,                                 // "ok" BOOL true
        ]
        #expect(ItemCodec.encode(item) == expected)
        #expect(try ItemCodec.decode(expected) == item)
    }

    @Test func corruptBytesThrowAndNeverTrap() {
        var g = SeededGenerator(seed: 0x5EED_0021)
        #expect(throws: DynamoDBError.self) { try ItemCodec.decode([]) }
        #expect(throws: DynamoDBError.self) { try ItemCodec.decode([2, 0]) }     // unknown version
        #expect(throws: DynamoDBError.self) { try ItemCodec.decode([1, 0, 0]) }  // trailing byte
        for _ in 0..<3_000 {
            let bytes = ItemCodec.encode(Self.randomItem(using: &g))
            if bytes.count > 1 {
                let cut = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &g)))
                #expect(throws: DynamoDBError.self) { try ItemCodec.decode(cut) }
                #expect(throws: DynamoDBError.self) { try ItemCodec.itemSize(ofEncoded: cut) }
            }
            var damaged = bytes
            damaged[Int.random(in: 0..<bytes.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
            _ = try? ItemCodec.decode(damaged)
            _ = try? ItemCodec.itemSize(ofEncoded: damaged)
        }
    }
}
