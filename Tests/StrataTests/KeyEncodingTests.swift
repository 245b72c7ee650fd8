import Testing
@testable import Strata

@Suite struct KeyEncodingTests {
    static func bytesCompare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a == b ? 0 : (a.lexicographicallyPrecedes(b) ? -1 : 1)
    }

    static func encoded(_ v: AttributeValue) -> [UInt8] {
        var out: [UInt8] = []
        KeyEncoding.encodeComponent(v, into: &out)
        return out
    }

    /// DynamoDB's sort-key order, written independently: numbers through the reference
    /// decimal, strings by UTF-8 bytes, binaries by unsigned bytes.
    static func referenceCompare(_ a: AttributeValue, _ b: AttributeValue) -> Int {
        switch (a, b) {
        case (.s(let x), .s(let y)): bytesCompare(Array(x.utf8), Array(y.utf8))
        case (.b(let x), .b(let y)): bytesCompare(x, y)
        case (.n(let x), .n(let y)):
            RefDecimal.compare(RefDecimal(negative: x.isNegative, digits: x.significantDigits, exponent: x.exponent),
                               RefDecimal(negative: y.isNegative, digits: y.significantDigits, exponent: y.exponent))
        default: fatalError("mixed types")
        }
    }

    static let stringAlphabet: [String] = ["\u{0}", "\u{1}", "a", "b", "z", "A", "\u{7F}", "é", "ÿ", "€", "😀", " ", "0"]

    static func randomString(using g: inout SeededGenerator) -> String {
        let n = Int.random(in: 0...6, using: &g)
        return (0..<n).map { _ in stringAlphabet.randomElement(using: &g)! }.joined()
    }

    static func randomBinary(using g: inout SeededGenerator) -> [UInt8] {
        let n = Int.random(in: 0...6, using: &g)
        let interesting: [UInt8] = [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFE, 0xFF]
        return (0..<n).map { _ in
            Bool.random(using: &g) ? interesting.randomElement(using: &g)! : UInt8.random(in: 0...255, using: &g)
        }
    }

    static func randomValue(_ type: String, using g: inout SeededGenerator) -> AttributeValue {
        switch type {
        case "S": .s(randomString(using: &g))
        case "B": .b(randomBinary(using: &g))
        default: .n(RefDecimal.randomValid(using: &g).number)
        }
    }

    @Test func numbersEncodeInOrderAcrossTheWholeRange() throws {
        var g = SeededGenerator(seed: 0x5EED_0010)
        var values = try ["0", "1e-130", "-1e-130", "9.9999999999999999999999999999999999999E+125",
                          "-9.9999999999999999999999999999999999999E+125", "1", "-1", "1.1", "10", "1.01",
                          "99999999999999999999999999999999999999", "0.1"].map { AttributeValue.n(try Number($0)) }
        for _ in 0..<3_000 { values.append(Self.randomValue("N", using: &g)) }
        try Self.checkOrderAndRoundTrip(values)
    }

    @Test func stringsEncodeInUTF8OrderWithEmbeddedZeros() throws {
        var g = SeededGenerator(seed: 0x5EED_0011)
        var values: [AttributeValue] = [.s(""), .s("\u{0}"), .s("\u{0}\u{0}"), .s("a"), .s("a\u{0}"), .s("a\u{0}b"),
                                        .s("ab"), .s("\u{1}"), .s(String(repeating: "z", count: 1024))]
        for _ in 0..<3_000 { values.append(Self.randomValue("S", using: &g)) }
        try Self.checkOrderAndRoundTrip(values)
    }

    @Test func binariesEncodeInUnsignedByteOrder() throws {
        var g = SeededGenerator(seed: 0x5EED_0012)
        var values: [AttributeValue] = [.b([]), .b([0]), .b([0, 0]), .b([0, 0xFF]), .b([0, 1]), .b([0xFF]),
                                        .b([0xFF, 0]), .b([1])]
        for _ in 0..<3_000 { values.append(Self.randomValue("B", using: &g)) }
        try Self.checkOrderAndRoundTrip(values)
    }

    /// Sorting by encoded bytes gives the reference order, and every encoding decodes back.
    static func checkOrderAndRoundTrip(_ values: [AttributeValue]) throws {
        let encodings = values.map(encoded)
        for (v, e) in zip(values, encodings) {
            var at = 0
            #expect(try KeyEncoding.decodeComponent(e, at: &at) == v)
            #expect(at == e.count)
        }
        // All pairs of a sample, plus neighbours after sorting.
        let order = values.indices.sorted { encodings[$0].lexicographicallyPrecedes(encodings[$1]) }
        for (i, j) in zip(order, order.dropFirst()) {
            let r = referenceCompare(values[i], values[j])
            #expect(r <= 0, "\(values[i]) sorted before \(values[j])")
            if r == 0 { #expect(encodings[i] == encodings[j]) }
        }
        for i in 0..<min(values.count, 150) {
            for j in 0..<min(values.count, 150) {
                #expect(bytesCompare(encodings[i], encodings[j]) == referenceCompare(values[i], values[j]),
                        "\(values[i]) vs \(values[j])")
            }
        }
    }

    @Test func numberEncodingIsCompact() throws {
        #expect(Self.encoded(.n(.zero)) == [0x02, 0x02])
        // tag, sign, exponent 0 + 130, digit 1 as nibble 2 then terminator.
        #expect(Self.encoded(.n(Number(1))) == [0x02, 0x03, 130, 0x20])
        #expect(Self.encoded(.n(Number(12))) == [0x02, 0x03, 131, 0x23, 0x00])
        #expect(Self.encoded(.n(Number(-1))) == [0x02, 0x01, 255 - 130, 0xDF])
        // 38 digits: 2 + 19 + 1 bytes.
        #expect(Self.encoded(.n(try Number("99999999999999999999999999999999999999"))).count == 1 + 1 + 1 + 20)
    }

    /// The worked example of Docs/key_encoding.md.
    @Test func documentedExample() throws {
        let key = KeyEncoding.encodeKey(tableID: 7, partitionKey: "u1", sortKey: .n(try Number("-2.5")))
        #expect(key == [0x00, 0x00, 0x00, 0x07, 0x01, 0x75, 0x31, 0x00, 0x01, 0x02, 0x01, 0x7D, 0xC9, 0xFF])
    }

    /// A whole key equals the partition prefix plus the appended sort component (Query builds
    /// its ranges from the latter), for every key type and random values with embedded zeros,
    /// the longest numbers and the largest table id.
    @Test func wholeKeyMatchesPrefixAndAppendedComponent() throws {
        var g = SeededGenerator(seed: 0x5EED_0019)
        let extremes = try ["9.9999999999999999999999999999999999999E+125", "-1e-130", "0",
                            "12345678901234567890123456789012345678"].map { AttributeValue.n(try Number($0)) }
        for pkType in ["S", "N", "B"] {
            for skType in ["S", "N", "B", ""] {
                for round in 0..<300 {
                    let table = round % 3 == 0 ? UInt32.max : UInt32.random(in: 0...1000, using: &g)
                    let pk = round < extremes.count && pkType == "N" ? extremes[round] : Self.randomValue(pkType, using: &g)
                    let sk: AttributeValue? = skType.isEmpty ? nil
                        : (round < extremes.count && skType == "N" ? extremes[round] : Self.randomValue(skType, using: &g))
                    var appended = KeyEncoding.partitionPrefix(tableID: table, partitionKey: pk)
                    if let sk { KeyEncoding.encodeComponent(sk, into: &appended) }
                    #expect(KeyEncoding.encodeKey(tableID: table, partitionKey: pk, sortKey: sk) == appended)
                }
            }
        }
    }

    @Test func keysRoundTripAndPartitionsAreContiguous() throws {
        var g = SeededGenerator(seed: 0x5EED_0013)
        for (pkType, skType) in [("S", "N"), ("N", "S"), ("B", "B"), ("S", "S"), ("N", "")] {
            var keys: [(UInt32, AttributeValue, AttributeValue?)] = []
            let partitions = (0..<12).map { _ in Self.randomValue(pkType, using: &g) }
                .filter { $0 != .s("") && $0 != .b([]) }
            for _ in 0..<400 {
                let table = UInt32.random(in: 0...2, using: &g) == 2 ? UInt32.max : UInt32.random(in: 0...1, using: &g)
                let pk = partitions.randomElement(using: &g)!
                let sk: AttributeValue? = skType.isEmpty ? nil : Self.randomValue(skType, using: &g)
                keys.append((table, pk, sk))
            }
            let encodings = keys.map { KeyEncoding.encodeKey(tableID: $0.0, partitionKey: $0.1, sortKey: $0.2) }
            for (k, e) in zip(keys, encodings) {
                let d = try KeyEncoding.decodeKey(e)
                #expect(d.tableID == k.0 && d.partitionKey == k.1 && d.sortKey == k.2)
            }
            let order = keys.indices.sorted { encodings[$0].lexicographicallyPrecedes(encodings[$1]) }
            // Contiguity: once a (table, partition) run ends it never comes back.
            var seen: Set<[UInt8]> = []
            var current: [UInt8]? = nil
            for i in order {
                let p = KeyEncoding.partitionPrefix(tableID: keys[i].0, partitionKey: keys[i].1)
                if p != current {
                    #expect(!seen.contains(p), "partition \(keys[i].1) is split")
                    seen.insert(p)
                    current = p
                }
            }
            // Within a partition, sort-key order.
            for (i, j) in zip(order, order.dropFirst()) where keys[i].0 == keys[j].0 && keys[i].1 == keys[j].1 {
                if let a = keys[i].2, let b = keys[j].2 {
                    #expect(Self.referenceCompare(a, b) <= 0)
                }
            }
        }
    }

    /// Every query range holds exactly the partition's items that satisfy the condition.
    @Test func queryRangesSelectExactlyTheMatchingItems() {
        var g = SeededGenerator(seed: 0x5EED_0014)
        for skType in ["S", "N", "B"] {
            for _ in 0..<40 {
                let table = UInt32.random(in: 0...3, using: &g)
                let pk = AttributeValue.s("p\(Int.random(in: 0..<3, using: &g))")
                // Items of this partition and of neighbours (other partitions, other tables).
                var keys: [(UInt32, AttributeValue, AttributeValue)] = []
                for _ in 0..<150 {
                    let t = Int.random(in: 0..<4, using: &g) == 0 ? table &+ 1 : table
                    let p: AttributeValue = Int.random(in: 0..<4, using: &g) == 0 ? .s("p\(Int.random(in: 0..<3, using: &g))\u{0}") : pk
                    keys.append((t, p, Self.randomValue(skType, using: &g)))
                }
                let a = Self.randomValue(skType, using: &g)
                var b = Self.randomValue(skType, using: &g)
                if Self.referenceCompare(a, b) > 0 { b = a }
                var conditions: [SortKeyCondition?] = [nil, .equal(a), .lessThan(a), .lessThanOrEqual(a), .greaterThan(a),
                                                       .greaterThanOrEqual(a), .between(a, b)]
                if skType != "N" {
                    // A prefix of an existing sort key, so begins_with matches something.
                    let existing = keys.randomElement(using: &g)!.2
                    switch existing {
                    case .s(let s): conditions.append(.beginsWith(.s(String(s.prefix(Int.random(in: 0...2, using: &g))))))
                    case .b(let x): conditions.append(.beginsWith(.b(Array(x.prefix(Int.random(in: 0...2, using: &g))))))
                    default: break
                    }
                }
                for condition in conditions {
                    let range = KeyEncoding.queryRange(tableID: table, partitionKey: pk, condition: condition)
                    for k in keys {
                        let key = KeyEncoding.encodeKey(tableID: k.0, partitionKey: k.1, sortKey: k.2)
                        let expected = k.0 == table && k.1 == pk && Self.matches(k.2, condition)
                        #expect(range.contains(key) == expected, "\(String(describing: condition)) on \(k.2)")
                    }
                }
            }
        }
    }

    static func matches(_ v: AttributeValue, _ condition: SortKeyCondition?) -> Bool {
        guard let condition else { return true }
        switch condition {
        case .equal(let a): return referenceCompare(v, a) == 0
        case .lessThan(let a): return referenceCompare(v, a) < 0
        case .lessThanOrEqual(let a): return referenceCompare(v, a) <= 0
        case .greaterThan(let a): return referenceCompare(v, a) > 0
        case .greaterThanOrEqual(let a): return referenceCompare(v, a) >= 0
        case .between(let a, let b): return referenceCompare(v, a) >= 0 && referenceCompare(v, b) <= 0
        case .beginsWith(let p):
            switch (v, p) {
            case (.s(let s), .s(let q)): return Array(s.utf8).starts(with: Array(q.utf8))
            case (.b(let x), .b(let q)): return x.starts(with: q)
            default: return false
            }
        }
    }

    @Test func successorAndEmptyRanges() {
        #expect(KeyEncoding.successor(of: [1, 2]) == [1, 3])
        #expect(KeyEncoding.successor(of: [1, 0xFF]) == [2])
        #expect(KeyEncoding.successor(of: [0xFF, 0xFF]) == nil)
        let a = AttributeValue.n(Number(5)), b = AttributeValue.n(Number(3))
        #expect(KeyEncoding.queryRange(tableID: 1, partitionKey: "p", condition: .between(a, b)).isEmpty)
        #expect(!KeyEncoding.queryRange(tableID: 1, partitionKey: "p", condition: .between(b, a)).isEmpty)
    }

    @Test func malformedKeysThrow() throws {
        var g = SeededGenerator(seed: 0x5EED_0015)
        for _ in 0..<2_000 {
            let pk = Self.randomValue("S", using: &g)
            let key = KeyEncoding.encodeKey(tableID: 7, partitionKey: pk, sortKey: Self.randomValue("N", using: &g))
            // A truncated key is malformed, except exactly at the end of the partition component.
            let cut = Array(key.prefix(Int.random(in: 0..<key.count, using: &g)))
            if cut.count == KeyEncoding.partitionPrefix(tableID: 7, partitionKey: pk).count {
                #expect(try KeyEncoding.decodeKey(cut).sortKey == nil)
            } else {
                #expect(throws: DynamoDBError.self) { try KeyEncoding.decodeKey(cut) }
            }
            // Random damage either decodes to something or throws; it never traps.
            var damaged = key
            damaged[Int.random(in: 0..<key.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
            _ = try? KeyEncoding.decodeKey(damaged)
        }
    }
}
