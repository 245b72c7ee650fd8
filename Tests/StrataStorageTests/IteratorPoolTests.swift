import Testing
@testable import StrataStorage

/// A finished read iterator's merging iterator serves the next `makeIterator` over the same
/// memtables and version; anything else must build afresh, and spares must not keep obsolete
/// segments on disk.
@Suite struct IteratorPoolTests {
    func firstKeys(_ db: StorageEngine, _ n: Int = 10, snapshot: Snapshot? = nil) throws -> [String] {
        let it = try db.makeIterator(options: ReadOptions(snapshot: snapshot))
        it.seekToFirst()
        var out: [String] = []
        while it.isValid && out.count < n {
            out.append(string(it.key)!)
            it.next()
        }
        try it.check()
        return out
    }

    @Test func reusedIteratorsSeeLaterWritesAndNewVersions() throws {
        let fs = MemoryFileSystem()
        let db = try StorageEngine.open(at: "/db", options: .small(fs: fs, background: false))
        #expect(try firstKeys(db) == [])
        #expect(db.iteratorPool.spareMergingCount == 1)
        // The spare was built without the (then empty) memtable: it must not serve now.
        try db.put(bytes("b"), bytes("1"))
        #expect(try firstKeys(db) == ["b"])
        #expect(db.iteratorPool.spareMergingCount == 1)
        // Same memtable, now with one more entry: the spare serves and sees it.
        try db.put(bytes("a"), bytes("2"))
        let s = db.snapshot()
        #expect(try firstKeys(db) == ["a", "b"])
        #expect(db.iteratorPool.spareMergingCount == 1)
        try db.delete(bytes("b"))
        #expect(try firstKeys(db) == ["a"])
        #expect(try firstKeys(db, snapshot: s) == ["a", "b"])
        // A flush installs a new version: spares are dropped, the next iterator reads the segment.
        try db.flush()
        #expect(db.iteratorPool.spareMergingCount == 0)
        try db.put(bytes("c"), bytes("3"))
        #expect(try firstKeys(db) == ["a", "c"])
        #expect(try firstKeys(db, snapshot: s) == ["a", "b"])
        s.release()
        // Held iterators are not spares: two at once are two different merging iterators.
        let one = try db.makeIterator(), two = try db.makeIterator()
        one.seek(bytes("b"))
        two.seekToFirst()
        #expect(string(one.key) == "c")
        #expect(string(two.key) == "a")
        try db.close()
    }

    @Test func sparesDoNotKeepObsoleteSegments() throws {
        let fs = MemoryFileSystem()
        let db = try StorageEngine.open(at: "/db", options: .small(fs: fs, background: false))
        for round in 0..<3 {
            for i in 0..<2000 { try db.put(bytes("k\(10000 + i)"), bytes("round \(round) " + String(repeating: "v", count: 30))) }
            try db.flush()
            // Leave a spare behind over the current version.
            #expect(try firstKeys(db, 1) == ["k10000"])
        }
        #expect(db.iteratorPool.spareMergingCount >= 1)
        try db.compactRange()
        let live = Set(db.liveFiles().joined().map { DatabaseFile.segment($0.number).name })
        let onDisk = Set(try fs.listDirectory("/db").filter { $0.hasSuffix(".seg") })
        #expect(onDisk == live)
        #expect(try db.allEntries().count == 2000)
        try db.close()
    }
}
