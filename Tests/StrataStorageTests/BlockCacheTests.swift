import Testing
@testable import StrataStorage

@Suite struct BlockCacheTests {
    /// A block of `size` bytes whose first 8 bytes hold `tag` (the rest a valid restart array).
    func block(_ tag: UInt64, size: Int = 256) throws -> Block {
        var bytes = [UInt8](repeating: 0, count: size)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: tag >> (8 * UInt64(i))) }
        bytes[size - 4] = 1  // one restart point (at offset 0)
        return try bytes.withUnsafeBytes { try Block(copying: $0, file: nil, offset: 0) }
    }

    func tag(_ b: Block) -> UInt64 { UnsafeRawBufferPointer(b.data).loadUnaligned(as: UInt64.self) }

    @Test func hitsMissesAndReplacement() throws {
        let c = BlockCache(capacityBytes: 1 << 20)
        #expect(c.get(.init(file: 1, offset: 0)) == nil)
        for f in 1...3 as ClosedRange<UInt64> {
            for o in 0..<200 as Range<UInt64> { c.insert(.init(file: f, offset: o * 4096), try block(f << 32 | o)) }
        }
        #expect(c.blockCount == 600)
        for f in 1...3 as ClosedRange<UInt64> {
            for o in 0..<200 as Range<UInt64> {
                let b = try #require(c.get(.init(file: f, offset: o * 4096)))
                #expect(tag(b) == f << 32 | o)
            }
        }
        #expect(c.get(.init(file: 4, offset: 0)) == nil)
        #expect(c.get(.init(file: 1, offset: 1)) == nil)
        // Inserting a key again replaces its block.
        c.insert(.init(file: 2, offset: 4096), try block(99))
        #expect(c.blockCount == 600)
        #expect(c.get(.init(file: 2, offset: 4096)).map(tag) == 99)
        #expect(c.usedBytes == 600 * 256)
        #expect(c.hits.load(ordering: .relaxed) == 601)
        #expect(c.misses.load(ordering: .relaxed) == 3)
    }

    @Test func evictFileKeepsOthersFindable() throws {
        let c = BlockCache(capacityBytes: 1 << 22)
        // Many files and offsets so probe runs cross each other and wrap around the tables.
        for f in 0..<40 as Range<UInt64> {
            for o in 0..<50 as Range<UInt64> { c.insert(.init(file: f, offset: o * 3000 + f), try block(f * 1000 + o, size: 64)) }
        }
        // Every third file goes: half of them by their offsets (with offsets never cached mixed
        // in), half by walking the cache.
        for f in stride(from: 0, to: 40, by: 3) as StrideTo<UInt64> {
            if f % 2 == 0 {
                c.evict(file: f, offsets: (0..<60).map { $0 * 3000 + f } + [7, 1 << 40])
            } else {
                c.evict(file: f)
            }
        }
        #expect(c.cachedFiles == Set((0..<40).filter { $0 % 3 != 0 }))
        for f in 0..<40 as Range<UInt64> {
            for o in 0..<50 as Range<UInt64> {
                let b = c.get(.init(file: f, offset: o * 3000 + f))
                if f % 3 == 0 { #expect(b == nil) } else { #expect(b.map(tag) == f * 1000 + o) }
            }
        }
        #expect(c.usedBytes == c.blockCount * 64)
        #expect(c.blockCount == (40 - 14) * 50)
    }

    @Test func capacityBoundsBytesAndKeepsRecentlyHitBlocks() throws {
        let c = BlockCache(capacityBytes: 16 * 16 * 1024)  // 16 KiB per shard
        var hot: [BlockCache.Key] = []
        for o in 0..<4000 as Range<UInt64> {
            let k = BlockCache.Key(file: 5, offset: o * 512)
            c.insert(k, try block(o, size: 1024))
            if o < 8 { hot.append(k) }
            if o >= 8 { for h in hot { _ = c.get(h) } }  // keep the first blocks referenced
            #expect(c.usedBytes <= 16 * 16 * 1024)
        }
        for (i, h) in hot.enumerated() { #expect(c.get(h).map(tag) == UInt64(i)) }
        // The latest insert is always present.
        #expect(c.get(.init(file: 5, offset: 3999 * 512)).map(tag) == 3999)
    }

    @Test func zeroCapacityKeepsNothing() throws {
        let c = BlockCache(capacityBytes: 0)
        c.insert(.init(file: 1, offset: 0), try block(1))
        #expect(c.get(.init(file: 1, offset: 0)) == nil)
    }

    /// Files a compaction deletes leave no blocks behind: the engine evicts them through each
    /// segment's index (or, for a segment no longer open, by walking the cache).
    @Test func compactionLeavesOnlyLiveFilesCached() throws {
        let dir = TempDir("cache-evict")
        defer { dir.cleanup() }
        var o = StorageOptions.withoutSizeCompactions()
        o.blockCacheBytes = 8 << 20  // holds everything: only eviction removes blocks
        let db = try StorageEngine.open(at: dir.db, options: o)
        defer { try? db.close() }
        var rng = SeededRandom(seed: 42)
        for round in 0..<3 {
            for _ in 0..<1500 {
                let k = rng.next() % 2000
                try db.put(bytes("key\(k)"), bytes("value \(k) round \(round) " + String(repeating: "x", count: 40)))
            }
            try db.flush()
            for k in 0..<2000 { _ = try db.get(bytes("key\(k)")) }  // caches blocks of every file
        }
        let cache = try #require(db.blockCache)
        let before = cache.cachedFiles
        let liveBefore = Set(db.versions.current.levels.flatMap { $0 }.map { $0.number.rawValue })
        #expect(before == liveBefore)
        try db.compactRange()
        let live = Set(db.versions.current.levels.flatMap { $0 }.map { $0.number.rawValue })
        #expect(live.isDisjoint(with: liveBefore))  // every file was rewritten
        for k in 0..<2000 { _ = try db.get(bytes("key\(k)")) }
        #expect(cache.cachedFiles == live)
    }
}
