import Testing
@testable import StrataStorage

/// Flushes bound for level 0 are written uncompressed (unless `compressLevel0Flushes`); flushes
/// that go straight to a deeper level stay compressed.
@Suite struct FlushCompressionTests {
    private func key(_ i: Int) -> [UInt8] {
        let s = String(i)
        return bytes("k" + String(repeating: "0", count: 4 - s.count) + s)
    }

    /// Three overlapping flushes (no size-based compaction): the first goes deep, the second to
    /// level 1, the third can only go to level 0. Returns (level, compressed blocks, data blocks)
    /// of each file, and checks every key reads back.
    private func flushThree(compressLevel0: Bool) throws -> [(level: Int, compressed: UInt64, blocks: UInt64)] {
        let dir = TempDir()
        defer { dir.cleanup() }
        var o = StorageOptions.withoutSizeCompactions()
        o.seekCompaction = false
        o.compressLevel0Flushes = compressLevel0
        let db = try StorageEngine.open(at: dir.db, options: o)
        defer { try? db.close() }
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: 100)
        for round in 0..<3 {
            for i in stride(from: round, to: 1000, by: 1) { try db.put(key(i), value + bytes("\(round)")) }
            try db.flush()
        }
        for i in 0..<1000 { #expect(try db.get(key(i)) == value + bytes("\(min(i, 2))")) }
        var out: [(Int, UInt64, UInt64)] = []
        for (level, files) in db.liveFiles().enumerated() {
            for f in files {
                let p = try db.segments.reader(f).properties
                out.append((level, p.compressedBlockCount, p.dataBlockCount))
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    @Test func levelZeroFlushesAreWrittenUncompressed() throws {
        let files = try flushThree(compressLevel0: false)
        #expect(files.map(\.level) == [0, 1, 2])
        #expect(files[0].compressed == 0 && files[0].blocks > 1)
        #expect(files[1].compressed == files[1].blocks)
        #expect(files[2].compressed == files[2].blocks)
    }

    @Test func compressLevel0FlushesKeepsThemCompressed() throws {
        let files = try flushThree(compressLevel0: true)
        #expect(files.map(\.level) == [0, 1, 2])
        #expect(files.allSatisfy { $0.compressed == $0.blocks })
    }
}
