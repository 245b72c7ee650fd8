import Testing
@testable import StrataStorage

/// Seek compaction: a file that lookups keep probing in vain is compacted into the level below
/// once its seek budget is used up, with no level over its size.
@Suite struct SeekCompactionTests {
    /// Options where no size-based compaction is ever due, and compactions run inline at a flush.
    private func options(seekCompaction: Bool) -> StorageOptions {
        var o = StorageOptions.withoutSizeCompactions()
        o.seekCompaction = seekCompaction
        return o
    }

    private func key(_ i: Int) -> [UInt8] {
        let s = String(i)
        return bytes("k" + String(repeating: "0", count: 4 - s.count) + s)
    }

    /// Two overlapping segments: every key in the older one, the even keys in the newer one (the
    /// newer lies above the older). A lookup of an odd key probes the newer file, finds nothing
    /// and goes on: it is charged to the newer file.
    private func makeTwoLayers(_ db: StorageEngine) throws -> FileMetadata {
        for i in 0..<1000 { try db.put(key(i), bytes("a\(i)")) }
        try db.flush()
        for i in stride(from: 0, to: 1000, by: 2) { try db.put(key(i), bytes("b\(i)")) }
        try db.flush()
        let levels = db.liveFiles()
        let files = levels.enumerated().flatMap { l, fs in fs.map { (l, $0) } }
        #expect(files.count == 2)
        let newest = files.max { $0.1.largestSequence < $1.1.largestSequence }!
        let oldest = files.min { $0.1.largestSequence < $1.1.largestSequence }!
        #expect(newest.0 < oldest.0 || (newest.0 == 0 && oldest.0 == 0))
        return newest.1
    }

    @Test func aFileProbedInVainIsCompactedDown() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try StorageEngine.open(at: dir.db, options: options(seekCompaction: true))
        defer { try? db.close() }
        let upper = try makeTwoLayers(db)
        let budget = FileMetadata.seekBudget(size: upper.size)
        #expect(budget == 100)
        // Lookups of odd keys: each wastes a probe of the upper file.
        for n in 0..<budget { #expect(try db.get(key(2 * (n % 500) + 1)) == bytes("a\(2 * (n % 500) + 1)")) }
        #expect(upper.seekBudget.load(ordering: .relaxed) <= 0)
        #expect(db.statistics().seekCompactionCount == 0)
        // The next flush runs the due compactions inline; the candidate survived the flush's edit.
        try db.put(bytes("z"), bytes("z"))
        try db.flush()
        #expect(db.statistics().seekCompactionCount == 1)
        #expect(!db.liveFiles().joined().contains { $0.number == upper.number })
        // Nothing was lost or resurrected by the merge.
        for i in 0..<1000 { #expect(try db.get(key(i)) == bytes((i % 2 == 0 ? "b" : "a") + "\(i)")) }
    }

    @Test func lookupsFoundInTheFirstFileChargeNothing() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try StorageEngine.open(at: dir.db, options: options(seekCompaction: true))
        defer { try? db.close() }
        let upper = try makeTwoLayers(db)
        for n in 0..<300 { #expect(try db.get(key(2 * (n % 500))) == bytes("b\(2 * (n % 500))")) }
        #expect(upper.seekBudget.load(ordering: .relaxed) == FileMetadata.seekBudget(size: upper.size))
    }

    @Test func turnedOffChargesNothing() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try StorageEngine.open(at: dir.db, options: options(seekCompaction: false))
        defer { try? db.close() }
        let upper = try makeTwoLayers(db)
        for n in 0..<300 { _ = try db.get(key(2 * (n % 500) + 1)) }
        try db.put(bytes("z"), bytes("z"))
        try db.flush()
        #expect(upper.seekBudget.load(ordering: .relaxed) == FileMetadata.seekBudget(size: upper.size))
        #expect(db.statistics().seekCompactionCount == 0)
        #expect(db.liveFiles().joined().contains { $0.number == upper.number })
    }

    /// With the background thread, reads alone (no flush) get the file compacted.
    @Test func theCompactionThreadTakesTheCandidate() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var o = options(seekCompaction: true)
        o.backgroundWork = true
        let db = try StorageEngine.open(at: dir.db, options: o)
        defer { try? db.close() }
        let upper = try makeTwoLayers(db)
        for n in 0..<150 { _ = try db.get(key(2 * (n % 500) + 1)) }
        try db.waitForCompactions()
        #expect(db.statistics().seekCompactionCount == 1)
        #expect(!db.liveFiles().joined().contains { $0.number == upper.number })
        for i in 0..<1000 { #expect(try db.get(key(i)) == bytes((i % 2 == 0 ? "b" : "a") + "\(i)")) }
    }

    /// A read iterator samples its position; where the upper file and the lower one both hold the
    /// key, the upper file is charged, and iteration alone gets it compacted.
    @Test func iteratorSamplesChargeTheUpperFile() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var o = options(seekCompaction: true)
        o.backgroundWork = true
        o.readSampleBytes = 16
        let db = try StorageEngine.open(at: dir.db, options: o)
        defer { try? db.close() }
        let upper = try makeTwoLayers(db)
        let all = try db.allEntries()
        #expect(all.count == 1000)
        #expect(upper.seekBudget.load(ordering: .relaxed) <= 0)
        try db.waitForCompactions()
        #expect(db.statistics().seekCompactionCount == 1)
        #expect(!db.liveFiles().joined().contains { $0.number == upper.number })
        #expect(try db.allEntries().map(\.1) == (0..<1000).map { ($0 % 2 == 0 ? "b" : "a") + "\($0)" })
    }
}
