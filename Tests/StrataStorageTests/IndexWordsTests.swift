import Testing
@testable import StrataStorage

/// The index search aid against a plain block seek: the same entry for every target, for key
/// sets with long shared prefixes, keys that are prefixes of others, zero bytes, several entries
/// of one user key, and targets outside the keys' range.
@Suite struct IndexWordsTests {
    func randomUserKey(_ rng: inout SeededRandom, style: Int) -> [UInt8] {
        switch style {
        case 0:  // db_bench-like: 16 decimal digits, long shared prefix
            return Array(String(format: "%016d", Int.random(in: 0..<5000, using: &rng)).utf8)
        case 1:  // short keys over a tiny alphabet, with zero bytes: prefixes of each other
            return (0..<Int.random(in: 0..<6, using: &rng)).map { _ in [0, 1, 0x61, 0xff].randomElement(using: &rng)! }
        default:  // a long fixed prefix, then a varying tail of varying length
            return Array("tables/items/partition-".utf8) + (0..<Int.random(in: 0..<12, using: &rng)).map { _ in UInt8.random(in: 0x30...0x39, using: &rng) }
        }
    }

    @Test(arguments: [0, 1, 2])
    func sameEntryAsABlockSeek(style: Int) throws {
        var rng = SeededRandom(seed: UInt64(7 + style))
        for count in [1, 2, 3, 50, 700] {
            var keys: [[UInt8]] = []
            for i in 0..<count { keys.append(InternalKey.make(randomUserKey(&rng, style: style), UInt64(i + 1), .value)) }
            keys.sort { compareInternalKeys($0, $1) < 0 }
            var builder = BlockBuilder(restartInterval: 1)
            for (i, k) in keys.enumerated() {
                k.withUnsafeBytes { kb in Array("v\(i)".utf8).withUnsafeBytes { builder.add(kb, $0) } }
            }
            let raw = builder.finish()
            let block = try raw.withUnsafeBytes { try Block(copying: $0, file: "t", offset: 0) }
            let words = try #require(IndexWords(block))
            let plain = block.makeIterator(file: "t", offset: 0)
            let aided = block.makeIterator(file: "t", offset: 0)
            for _ in 0..<300 {
                let target = InternalKey.make(randomUserKey(&rng, style: Int.random(in: 0..<3, using: &rng) == 0 ? (style + 1) % 3 : style),
                                              UInt64.random(in: 0...UInt64(count + 1), using: &rng), .value)
                target.withUnsafeBytes { t in
                    plain.seek(t)
                    aided.seek(t, candidates: words.candidates(t))
                    #expect(plain.isValid == aided.isValid)
                    if plain.isValid && aided.isValid {
                        #expect(Array(plain.key) == Array(aided.key))
                        #expect(Array(plain.value) == Array(aided.value))
                    }
                    let e = words.firstEntry(in: block, atOrAfter: t)
                    #expect((e != nil) == plain.isValid)
                    if let e, plain.isValid { #expect(Array(e.key) == Array(plain.key)) }
                }
            }
        }
    }

    @Test func blockWithRestartIntervalAboveOneHasNoWords() throws {
        var builder = BlockBuilder(restartInterval: 16)
        for i in 0..<40 {
            let k = InternalKey.make(Array("k\(1000 + i)".utf8), 1, .value)
            k.withUnsafeBytes { kb in [UInt8(1)].withUnsafeBytes { builder.add(kb, $0) } }
        }
        let raw = builder.finish()
        let block = try raw.withUnsafeBytes { try Block(copying: $0, file: "t", offset: 0) }
        #expect(IndexWords(block) == nil)
    }
}
