import Testing
@testable import StrataStorage

/// Compactions write sequence number 0 for the oldest entry of a key that every live snapshot can
/// see, when no level below the output holds the key (Docs/architecture.md, "What is dropped").
/// Readers must not notice: snapshots keep their versions, and the last sequence number comes
/// from the manifest and the logs, never from segment contents.
@Suite struct SequenceZeroingTests {
    static func key(_ i: Int) -> [UInt8] { bytes("key\(1000 + i)") }

    func open(_ fs: MemoryFileSystem) throws -> StorageEngine {
        try StorageEngine.open(at: "/db", options: .small(fs: fs, background: false))
    }

    /// The sequence number of every entry in the live segments.
    func liveSequences(_ db: StorageEngine, _ fs: MemoryFileSystem) throws -> [UInt64] {
        var out: [UInt64] = []
        for f in db.liveFiles().joined() {
            let s = try SegmentInspector(path: "/db/" + DatabaseFile.segment(f.number).name, fileSystem: fs)
            for e in try s.entries() { out.append(e.sequence) }
        }
        return out
    }

    func value(_ db: StorageEngine, _ i: Int, _ snapshot: Snapshot? = nil) throws -> String? {
        string(try db.get(Self.key(i), options: ReadOptions(snapshot: snapshot)))
    }

    @Test func snapshotsTakenBeforeKeepTheirVersions() throws {
        let fs = MemoryFileSystem()
        let db = try open(fs)
        for i in 0..<300 { try db.put(Self.key(i), bytes("old-\(i)")) }
        let before = db.snapshot()
        for i in stride(from: 0, to: 300, by: 2) { try db.put(Self.key(i), bytes("new-\(i)")) }
        for i in stride(from: 1, to: 300, by: 7) { try db.delete(Self.key(i)) }
        try db.compactRange()
        #expect(db.liveFiles()[0].isEmpty)
        #expect(db.statistics().compactionZeroedSequences > 0)

        // The snapshot sees every old value, through get and through an iterator.
        for i in 0..<300 { #expect(try value(db, i, before) == "old-\(i)", "key \(i) at the snapshot") }
        let seen = try db.allEntries(snapshot: before)
        #expect(seen.count == 300)
        #expect(seen.allSatisfy { $0.1.hasPrefix("old-") })
        // The present sees the overwrites and the deletes.
        for i in 0..<300 {
            let expected: String? = i % 7 == 1 ? nil : (i % 2 == 0 ? "new-\(i)" : "old-\(i)")
            #expect(try value(db, i) == expected, "key \(i) now")
        }
        // Values the snapshot needs under a newer entry keep their sequence numbers; keys written
        // once have nothing newer and nothing beneath: sequence 0.
        let seqs = try liveSequences(db, fs)
        #expect(seqs.contains(0))
        #expect(seqs.filter { $0 == 0 }.count < seqs.count)

        // Once the snapshot is gone, a full compaction leaves one entry per live key, all at 0.
        before.release()
        try db.compactRange()
        let live = 300 - Array(stride(from: 1, to: 300, by: 7)).count
        let after = try liveSequences(db, fs)
        #expect(after.count == live)
        #expect(after.allSatisfy { $0 == 0 })
        #expect(try db.allEntries().count == live)
        // A snapshot taken now, then newer writes: the zeroed entries stay its versions.
        let now = db.snapshot()
        try db.put(Self.key(0), bytes("newest-0"))
        try db.compactRange()
        #expect(try value(db, 0, now) == "new-0")
        #expect(try value(db, 0) == "newest-0")
        now.release()
        try db.close()

        let report = try DatabaseReport.inspect(directory: "/db", fileSystem: fs)
        #expect(report.ok, "\(report.problems)")
    }

    @Test func lastSequenceSurvivesACrashAfterEverythingWasZeroed() throws {
        let fs = MemoryFileSystem()
        var db = try open(fs)
        for i in 0..<500 { try db.put(Self.key(i), bytes("v-\(i)")) }
        try db.compactRange()
        #expect(try liveSequences(db, fs).allSatisfy { $0 == 0 })
        let last = db.lastSequence.rawValue
        #expect(last == 500)
        // Power loss: nothing unsynced survives. The manifest (synced) holds the last sequence.
        try db.close()
        fs.dropUnsyncedData()
        db = try open(fs)
        #expect(db.lastSequence.rawValue == last)
        // New writes get numbers above it, so they hide the zeroed entries and snapshots work.
        let s = db.snapshot()
        try db.put(Self.key(7), bytes("after"))
        #expect(try value(db, 7) == "after")
        #expect(try value(db, 7, s) == "v-7")
        #expect(db.lastSequence.rawValue == last + 1)
        s.release()
        // A synced write in the log, then another crash: replay continues from the manifest's count.
        try db.put(Self.key(8), bytes("synced"), options: WriteOptions(sync: true))
        try db.close()
        fs.dropUnsyncedData()
        db = try open(fs)
        #expect(db.lastSequence.rawValue == last + 2)
        #expect(try value(db, 8) == "synced")
        #expect(try value(db, 9) == "v-9")
        try db.close()
    }

    @Test func baseLevelCursorMatchesAScanOfTheFiles() throws {
        // Two deeper levels with gaps between files: [b, d] [g, h] and [c, c] [f, k].
        func file(_ n: UInt64, _ lo: String, _ hi: String) -> FileMetadata {
            FileMetadata(number: FileNumber(n), size: 1, smallest: InternalKey.make(bytes(lo), 5, .value),
                         largest: InternalKey.make(bytes(hi), 5, .value), smallestSequence: 5, largestSequence: 5, entryCount: 2)
        }
        let levels = [[], [file(1, "b", "d"), file(2, "g", "h")], [file(3, "c", "c"), file(4, "f", "k")]]
        func scan(_ k: String) -> Bool {
            !levels.joined().contains { f in
                compareBytes(bytes(k), f.smallestUserKey) >= 0 && compareBytes(bytes(k), f.largestUserKey) <= 0
            }
        }
        var cursor = BaseLevelCursor(levels)
        for k in ["a", "b", "b", "bz", "c", "d", "e", "f", "g", "h", "ha", "k", "ka", "z"] {
            #expect(cursor.isBaseLevel(for: k) == scan(k), "key \(k)")
        }
    }
}

extension BaseLevelCursor {
    mutating func isBaseLevel(for key: String) -> Bool { bytes(key).withUnsafeBytes { isBaseLevel(for: $0) } }
}
