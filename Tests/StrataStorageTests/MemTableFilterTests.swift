import Testing
@testable import StrataStorage

@Suite struct MemTableFilterTests {
    func key(_ n: UInt64) -> [UInt8] { Array("user-\(n)".utf8) }
    func hash(_ k: [UInt8]) -> UInt64 { k.withUnsafeBytes { bloomHash($0) } }

    /// Every inserted key is reported; absent keys are mostly ruled out (about 1% false positives
    /// at 16 bits per key; the bound leaves room).
    @Test func noFalseNegativesAndFewFalsePositives() {
        let f = MemTableFilter(expectedBytes: 8 << 20)  // 128 KiB: 1 Mi bits
        #expect(f.byteCount == 128 << 10)
        let n: UInt64 = 65_536  // 16 bits per key
        for i in 0..<n { f.insert(hash: hash(key(i))) }
        for i in 0..<n { #expect(f.mayContain(hash: hash(key(i)))) }
        var falsePositives = 0
        for i in n..<(n + 100_000) where f.mayContain(hash: hash(key(i))) { falsePositives += 1 }
        #expect(falsePositives < 3_000, "false positives: \(falsePositives) of 100000")
        #expect(falsePositives > 0, "a filter this full answers maybe for some absent keys")
    }

    @Test func sizeFollowsTheMemtableWithinBounds() {
        #expect(MemTableFilter(expectedBytes: 0).byteCount == 4096)
        #expect(MemTableFilter(expectedBytes: 64 << 20).byteCount == 1 << 20)
        #expect(MemTableFilter(expectedBytes: 1 << 40).byteCount == 16 << 20)
        #expect(MemTableFilter(expectedBytes: (8 << 20) + 64).byteCount == 256 << 10)  // rounded up to a power of two
    }

    /// The memtable's answers with the filter in front: present keys (including deletions, and
    /// several versions of one key) are found at the right sequence, absent keys are absent.
    @Test func memtableLookupsThroughTheFilter() {
        let m = MemTable(logNumber: FileNumber(1), expectedBytes: 16 << 10)  // a small, crowded filter
        var rng = SeededRandom(seed: 7)
        var expected: [UInt64: (seq: UInt64, deleted: Bool)] = [:]
        var seq: UInt64 = 0
        for _ in 0..<3000 {
            let k = rng.next() % 2000
            seq += 1
            let deleted = rng.next() % 5 == 0
            let value = Array("v\(seq)".utf8)
            key(k).withUnsafeBytes { kb in
                value.withUnsafeBytes { vb in
                    _ = m.add(sequence: seq, kind: deleted ? .deletion : .value, key: kb, value: deleted ? UnsafeRawBufferPointer(start: nil, count: 0) : vb)
                }
            }
            expected[k] = (seq, deleted)
        }
        for k in 0..<4000 as Range<UInt64> {
            let result = m.get(key(k), sequence: seq)
            switch (expected[k], result) {
            case (nil, .absent): break
            case (let e?, .deleted) where e.deleted: break
            case (let e?, .found(let v)) where !e.deleted: #expect(v == Array("v\(e.seq)".utf8))
            default: Issue.record("key \(k): expected \(String(describing: expected[k])), got \(result)")
            }
        }
    }
}
