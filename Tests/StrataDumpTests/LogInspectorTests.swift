import Testing
@testable import StrataStorage

@Suite struct LogInspectorTests {
    /// A log holding: a batch of three (put a, put b, delete c) at sequence 1, a put at 4, a delete at 5.
    static func writtenLog() throws -> (TestDatabase, String) {
        let db = TestDatabase()
        let engine = try db.open()
        var batch = WriteBatch()
        batch.put(bytes("a"), bytes("apple"))
        batch.put(bytes("b"), bytes("banana"))
        batch.delete(bytes("c"))
        try engine.write(batch)
        try engine.put(bytes("d"), bytes("date"))
        try engine.delete(bytes("a"))
        try engine.close()
        let log = try #require(try db.files(withSuffix: ".log").last)
        return (db, log)
    }

    @Test func batchesAndOperations() throws {
        let (db, log) = try Self.writtenLog()
        let r = try LogReport.inspect(path: db.path(log), fileSystem: db.fs)
        #expect(r.records.count == 3)
        #expect(r.frames.count == 3)
        #expect(r.entries == 5)
        #expect(r.firstSequence == 1 && r.lastSequence == 5)
        #expect(r.tail == nil)
        #expect(r.records.map { $0.batch?.sequence } == [1, 4, 5])
        #expect(r.records.map { $0.batch?.count } == [3, 1, 1])
        // Record sizes: a 12-byte header, then tag + length-prefixed key (+ value) per operation.
        let sizes = [12 + (1 + 2 + 6) + (1 + 2 + 7) + (1 + 2), 12 + (1 + 2 + 5), 12 + (1 + 2)]
        #expect(r.records.map(\.length) == sizes)
        #expect(r.records.map(\.offset) == [0, Int64(7 + sizes[0]), Int64(14 + sizes[0] + sizes[1])])
        let expected = """
            log             /db/\(log)
            file size       \(7 * 3 + sizes.reduce(0, +)) bytes
            records         3 (3 frames), 5 operations
            sequences       1...5
            torn tail       none
            record @0 length \(sizes[0]) (1 frame): batch sequence 1, 3 operations
              1 put a => apple
              2 put b => banana
              3 delete c
            record @\(7 + sizes[0]) length \(sizes[1]) (1 frame): batch sequence 4, 1 operation
              4 put d => date
            record @\(14 + sizes[0] + sizes[1]) length \(sizes[2]) (1 frame): batch sequence 5, 1 operation
              5 delete a
            """
        #expect(InspectionText.wal(r) == expected)
    }

    @Test func tornTailIsReported() throws {
        let (db, log) = try Self.writtenLog()
        var b = db.contents(log)
        let full = b.count
        b.removeLast(3)
        db.setContents(log, b)
        let r = try LogReport.inspect(path: db.path(log), fileSystem: db.fs)
        #expect(r.records.count == 2)
        #expect(r.entries == 4)
        let t = try #require(r.tail)
        #expect(t.offset == r.records[1].offset + 7 + Int64(r.records[1].length))
        #expect(t.droppedBytes == Int64(full - 3) - t.offset)
        #expect(t.reason == "truncated record (torn write)")
        #expect(t.isTornWrite && !r.isDamaged)
        #expect(InspectionText.wal(r).contains("torn tail       dropped \(t.droppedBytes) bytes at offset \(t.offset): truncated record (torn write)"))
    }

    @Test func damagedRecordEndsTheLog() throws {
        let (db, log) = try Self.writtenLog()
        var b = db.contents(log)
        let second = Int(try LogReport.inspect(path: db.path(log), fileSystem: db.fs).records[1].offset)
        b[second + 9] ^= 1
        db.setContents(log, b)
        let r = try LogReport.inspect(path: db.path(log), fileSystem: db.fs)
        #expect(r.records.count == 1)
        #expect(r.tail?.offset == Int64(second))
        #expect(r.tail?.reason == "checksum mismatch")
        #expect(r.isDamaged)
        #expect(InspectionText.wal(r).contains("torn tail       dropped \(b.count - second) bytes at offset \(second): checksum mismatch (damage, not a torn write)"))
    }

    @Test func largeRecordSpansBlocksAsFragments() throws {
        let db = TestDatabase()
        let engine = try db.open()
        let big = [UInt8](repeating: 0x5a, count: 80_000)
        try engine.put(bytes("big"), big)
        try engine.put(bytes("small"), bytes("x"))
        try engine.close()
        let log = try #require(try db.files(withSuffix: ".log").last)
        let r = try LogReport.inspect(path: db.path(log), fileSystem: db.fs)
        #expect(r.records.map(\.fragments) == [3, 1])
        #expect(r.frames.map(\.type) == ["first", "middle", "last", "full"])
        #expect(r.frames.map(\.offset) == [0, 32768, 65536, Int64(65536 + 7 + r.frames[2].length)])
        #expect(r.records[0].batch?.operations.first?.value?.bytes == big)
        #expect(InspectionText.wal(r, frames: true).contains("frame @32768 middle length 32761"))
    }

    @Test func recordThatIsNotABatch() throws {
        let fs = MemoryFileSystem()
        try fs.createDirectory("/l")
        let w = LogWriter(file: try fs.openWritable("/l/000001.log", truncate: true))
        try w.addRecord(bytes("tiny"), sync: true)
        var bad = WriteBatch()
        bad.put(bytes("k"), bytes("v"))
        var rep = bad.rep
        rep[8] = 5  // claims five operations
        try w.addRecord(rep, sync: true)
        try w.close()
        let r = try LogReport.inspect(path: "/l/000001.log", fileSystem: fs)
        #expect(r.badRecords == 2)
        #expect(r.records[0].problem == "record of 4 bytes is too small for a batch header (12)")
        #expect(r.records[1].problem == "write batch count 5 does not match its 1 operations")
        #expect(InspectionText.wal(r).contains("record @0 length 4 (1 frame): NOT A BATCH: record of 4 bytes"))
    }

    @Test func emptyAndZeroFilledLogs() throws {
        let fs = MemoryFileSystem()
        try fs.createDirectory("/l")
        fs.setContents(of: "/l/a.log", [])
        let empty = try LogReport.inspect(path: "/l/a.log", fileSystem: fs)
        #expect(empty.records.isEmpty && empty.tail == nil && empty.firstSequence == nil)
        fs.setContents(of: "/l/b.log", [UInt8](repeating: 0, count: 100))
        let zeros = try LogReport.inspect(path: "/l/b.log", fileSystem: fs)
        #expect(zeros.tail?.reason == "zero-filled space")
        #expect(zeros.tail?.droppedBytes == 100)
        #expect(!zeros.isDamaged)
        // A file that is not a log at all.
        fs.setContents(of: "/l/c.log", bytes(String(repeating: "hello, world ", count: 9)))
        let foreign = try LogReport.inspect(path: "/l/c.log", fileSystem: fs)
        #expect(foreign.records.isEmpty && foreign.isDamaged)
        #expect(foreign.tail?.offset == 0)
    }

    @Test func missingFileThrows() throws {
        let fs = MemoryFileSystem()
        #expect(throws: StorageError.self) { try LogReport.inspect(path: "/nope/1.log", fileSystem: fs) }
    }
}
