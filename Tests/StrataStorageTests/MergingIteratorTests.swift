import Testing
@testable import StrataStorage

/// The merging iterator against a sorted list of every child's entries: forward, backward,
/// seeks, and direction changes, for 0 to 9 children (the tournament tree pads to a power of
/// two) with the same user keys spread over several children.
@Suite struct MergingIteratorTests {
    /// Children as memtables holding random entries; returns them and all internal keys, sorted.
    func makeChildren(_ count: Int, _ rng: inout SeededRandom) -> ([MemTable], [[UInt8]]) {
        var tables: [MemTable] = []
        var all: [[UInt8]] = []
        var seq: UInt64 = 1
        for _ in 0..<count {
            let t = MemTable(logNumber: FileNumber(0))
            for _ in 0..<Int.random(in: 0..<40, using: &rng) {
                let user = bytes("k\(Int.random(in: 0..<60, using: &rng))")
                let kind: EntryKind = Bool.random(using: &rng) ? .value : .deletion
                user.withUnsafeBytes { u in
                    [UInt8](repeating: 7, count: 3).withUnsafeBytes { t.add(sequence: seq, kind: kind, key: u, value: $0) }
                }
                all.append(InternalKey.make(user, seq, kind))
                seq += 1
            }
            tables.append(t)
        }
        all.sort { compareInternalKeys($0, $1) < 0 }
        return (tables, all)
    }

    @Test(arguments: Array(0...9))
    func matchesSortedUnion(children: Int) throws {
        var rng = SeededRandom(seed: UInt64(100 + children))
        let (tables, expected) = makeChildren(children, &rng)
        let it = MergingIterator(ContiguousArray(tables.map { $0.makeIterator() as any InternalIterator }))
        var forward: [[UInt8]] = []
        it.seekToFirst()
        while it.isValid { forward.append(Array(it.key)); it.next() }
        #expect(forward == expected)
        var backward: [[UInt8]] = []
        it.seekToLast()
        while it.isValid { backward.append(Array(it.key)); it.prev() }
        #expect(backward == expected.reversed())
        // Random seeks, then a random walk with direction changes.
        for _ in 0..<50 {
            let target = InternalKey.make(bytes("k\(Int.random(in: 0..<61, using: &rng))"),
                                          UInt64.random(in: 0..<(UInt64(expected.count) + 2), using: &rng), .value)
            it.seek(target)
            var index = expected.firstIndex { compareInternalKeys($0, target) >= 0 } ?? expected.count
            for _ in 0..<12 {
                if index < expected.count {
                    #expect(it.isValid && Array(it.key) == expected[index])
                } else {
                    #expect(!it.isValid)
                }
                guard it.isValid else { break }
                if Bool.random(using: &rng) {
                    it.next()
                    index += 1
                } else {
                    it.prev()
                    if index == 0 { #expect(!it.isValid); break }
                    index -= 1
                }
            }
        }
    }
}
