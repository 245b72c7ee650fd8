import Foundation
import Testing
@testable import StrataStorage

/// Logs written through a memory mapping (`PosixFileSystem.openLog`).
@Suite struct MappedLogTests {
    /// Records of varied sizes, some split into fragments, across several 1 MiB windows.
    func records(_ n: Int, seed: UInt64) -> [[UInt8]] {
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { i in
            let length = i % 97 == 0 ? 40_000 + Int(rng.next() % 30_000) : 1 + Int(rng.next() % 900)
            return (0..<length).map { j in UInt8(truncatingIfNeeded: rng.next() &+ UInt64(j)) }
        }
    }

    func readAll(_ fs: PosixFileSystem, _ path: String) throws -> (records: [[UInt8]], reader: LogReader, size: Int64) {
        let file = try fs.openReadable(path)
        let size = try file.size()
        var reader = LogReader(bytes: try file.read(at: 0, count: Int(size)))
        var out: [[UInt8]] = []
        while let r = reader.next() { out.append(r) }
        return (out, reader, size)
    }

    @Test func recordsReadBackBeforeAndAfterClose() throws {
        let dir = TempDir("mapped-log")
        defer { dir.cleanup() }
        let fs = PosixFileSystem()
        let path = dir.path + "/000001.log"
        let file = try fs.openLog(path)
        #expect(file is MappedLogFile, "this machine's file system allocates space ahead")
        let writer = LogWriter(file: file)
        let written = records(3000, seed: 5)
        for (i, r) in written.enumerated() { try writer.addRecord(r, sync: i % 500 == 0) }
        let total = writer.size
        #expect(total > 2 * Int64(MappedLogFile.windowBytes))

        // As a crash leaves it: the records, then the unwritten rest of the last window.
        let open = try readAll(fs, path)
        #expect(open.records == written)
        #expect(open.size % Int64(MappedLogFile.windowBytes) == 0 && open.size > total)
        #expect(open.reader.tail?.offset == total)
        #expect(open.reader.endsInZeroFill)

        // Closed: cut back to the records.
        try writer.close()
        let closed = try readAll(fs, path)
        #expect(closed.size == total)
        #expect(closed.records == written)
        #expect(closed.reader.tail == nil)
    }

    /// Zeros after a damaged record are not a clean end: the damage is reported.
    @Test func zerosAfterDamageStillDamage() throws {
        let dir = TempDir("mapped-log")
        defer { dir.cleanup() }
        let fs = PosixFileSystem()
        let path = dir.path + "/000001.log"
        let writer = LogWriter(file: try fs.openLog(path))
        for r in records(50, seed: 9) { try writer.addRecord(r, sync: false) }
        let total = Int(writer.size)
        var bytes = try fs.openReadable(path).read(at: 0, count: total + 64)
        bytes[total - 3] ^= 0x40  // inside the last record
        var reader = LogReader(bytes: bytes)
        var n = 0
        while reader.next() != nil { n += 1 }
        #expect(n == 49)
        #expect(reader.tail?.reason == "checksum mismatch")
        #expect(!reader.endsInZeroFill)
        try writer.close()
    }

    /// A database whose process stops without closing (its log still mapped, ending in zeros)
    /// reopens with every write and reports no dropped tail.
    @Test func reopenAfterAnUnclosedMappedLog() throws {
        let dir = TempDir("mapped-log-db")
        defer { dir.cleanup() }
        do {
            var o = StorageOptions()
            o.backgroundWork = false
            let db = try StorageEngine.open(at: dir.db, options: o)
            for i in 0..<5000 { try db.put(bytes("key\(i)"), bytes("value \(i)")) }
            // The process "dies": the log is neither synced nor closed; copy the directory as it is.
            try FileManager.default.copyItem(atPath: dir.db, toPath: dir.path + "/crashed")
            try db.close()
        }
        let db = try StorageEngine.open(at: dir.path + "/crashed", options: StorageOptions())
        defer { try? db.close() }
        #expect(db.recoveryReport.droppedTails.isEmpty, "\(db.recoveryReport.droppedTails)")
        #expect(db.recoveryReport.entriesReplayed == 5000)
        for i in stride(from: 0, to: 5000, by: 7) { #expect(string(try db.get(bytes("key\(i)"))) == "value \(i)") }
    }
}
