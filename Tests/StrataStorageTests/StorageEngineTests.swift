import Foundation
import Testing
@testable import StrataStorage

@Suite struct StorageEngineTests {
    @Test func putGetDeleteAndReopen() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var db = try StorageEngine.open(at: dir.db, options: .small())
        try db.put(bytes("a"), bytes("1"))
        try db.put(bytes("b"), bytes("2"))
        try db.delete(bytes("a"))
        #expect(try db.get(bytes("a")) == nil)
        #expect(string(try db.get(bytes("b"))) == "2")
        #expect(try db.get(bytes("zzz")) == nil)
        try db.close()
        db = try StorageEngine.open(at: dir.db, options: .small())
        #expect(try db.get(bytes("a")) == nil)
        #expect(string(try db.get(bytes("b"))) == "2")
        #expect(db.recoveryReport.entriesReplayed == 3)
        try db.flush()
        try db.close()
        db = try StorageEngine.open(at: dir.db, options: .small())
        #expect(string(try db.get(bytes("b"))) == "2")
        #expect(db.recoveryReport.entriesReplayed == 0)
        try db.close()
    }

    @Test func manyWritesFlushAndCompact() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try StorageEngine.open(at: dir.db, options: .small())
        for i in 0..<5000 {
            try db.put(bytes(String(format: "key%06d", i)), bytes("value-\(i)-" + String(repeating: "x", count: 50)))
        }
        for i in stride(from: 0, to: 5000, by: 3) { try db.delete(bytes(String(format: "key%06d", i))) }
        try db.flush()
        for i in [0, 1, 2, 2999, 4999] {
            let v = try db.get(bytes(String(format: "key%06d", i)))
            if i % 3 == 0 { #expect(v == nil) } else { #expect(string(v)?.hasPrefix("value-\(i)-") == true) }
        }
        try db.compactRange()
        let stats = db.statistics()
        #expect(stats.levels[0].fileCount == 0)
        #expect(stats.compactionCount > 0)
        let all = try db.allEntries()
        #expect(all.count == 5000 - 1667)
        #expect(all.map(\.0) == all.map(\.0).sorted())
        try db.close()
    }
}

@Suite struct SpaceTests {
    @Test func fullCompactionLeavesOnlyLiveSegmentsOnDisk() throws {
        let mem = MemoryFileSystem()
        let db = try StorageEngine.open(at: "/db", options: .small(fs: mem))
        for round in 0..<3 {
            for i in 0..<3000 { try db.put(bytes(String(format: "k%05d", i)), bytes("round \(round) " + String(repeating: "v", count: 40))) }
        }
        try db.compactRange()
        let live = Set(db.liveFiles().joined().map { DatabaseFile.segment($0.number).name })
        let onDisk = Set(try mem.listDirectory("/db").filter { $0.hasSuffix(".seg") })
        #expect(onDisk == live)
        try db.close()
    }
}
