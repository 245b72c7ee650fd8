import Testing
@testable import StrataStorage

@Suite struct LogTests {
    /// Writes records of the given sizes to a memory file and returns the file's bytes.
    func writeLog(_ sizes: [Int]) throws -> (bytes: [UInt8], records: [[UInt8]]) {
        let fs = MemoryFileSystem()
        try fs.createDirectory("/d")
        let w = LogWriter(file: try fs.openWritable("/d/x.log", truncate: true))
        var records: [[UInt8]] = []
        for (i, n) in sizes.enumerated() {
            let r = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }
            records.append(r)
            try w.addRecord(r, sync: false)
        }
        return (fs.contents(of: "/d/x.log")!, records)
    }

    static let block = LogFormat.blockSize
    static let header = LogFormat.headerSize

    @Test(arguments: [
        [0], [1], [100, 200, 300],
        [block - header],            // exactly fills a block
        [block - header - 1],        // leaves 1 byte: padding
        [block - header - 6, 10],    // leaves 6 bytes (< header): padded, next starts a new block
        [block - 2 * header, 10],    // leaves exactly a header's room: an empty FIRST fragment
        [block],                     // spans two blocks
        [3 * block + 17],            // FIRST, MIDDLE, MIDDLE, LAST
        [1000, 2 * block, 5, block - 100],
    ])
    func recordsRoundTripAcrossBlockBoundaries(_ sizes: [Int]) throws {
        let (bytes, records) = try writeLog(sizes)
        var r = LogReader(bytes: bytes)
        var got: [[UInt8]] = []
        while let rec = r.next() { got.append(rec) }
        #expect(r.tail == nil)
        #expect(got == records)
    }

    @Test(arguments: [1, 5, 7, 100, 706])
    func truncatedTailIsDroppedAndReported(_ cut: Int) throws {
        let (bytes, records) = try writeLog([500, 600, 700])
        let truncated = Array(bytes.dropLast(cut))
        var r = LogReader(bytes: truncated)
        var got: [[UInt8]] = []
        while let rec = r.next() { got.append(rec) }
        #expect(got == Array(records.prefix(2)))
        let tail = try #require(r.tail)
        #expect(tail.offset == Int64(2 * LogFormat.headerSize + 1100))
        #expect(tail.droppedBytes == Int64(truncated.count) - tail.offset)
    }

    @Test func flippedBitEndsTheLogAtThatRecord() throws {
        var (bytes, records) = try writeLog([100, 100, 100])
        bytes[LogFormat.headerSize + 100 + LogFormat.headerSize + 50] ^= 0x01
        var r = LogReader(bytes: bytes)
        var got: [[UInt8]] = []
        while let rec = r.next() { got.append(rec) }
        #expect(got == [records[0]])
        #expect(r.tail?.reason == "checksum mismatch")
        #expect(r.tail?.offset == Int64(LogFormat.headerSize + 100))
    }

    @Test func tornFragmentedRecordIsDroppedWhole() throws {
        let (bytes, records) = try writeLog([10, 2 * LogFormat.blockSize])
        // Keep the first block and a bit of the second: the big record's LAST fragment is gone.
        let cut = Array(bytes.prefix(LogFormat.blockSize + 100))
        var r = LogReader(bytes: cut)
        var got: [[UInt8]] = []
        while let rec = r.next() { got.append(rec) }
        #expect(got == [records[0]])
        #expect(r.tail?.offset == Int64(LogFormat.headerSize + 10))
    }

    @Test func writeBatchEncodesOperationsInOrder() throws {
        var b = WriteBatch()
        b.put(Array("k1".utf8), Array("v1".utf8))
        b.delete(Array("k2".utf8))
        b.put([], [])
        #expect(b.count == 3)
        var seen: [(EntryKind, [UInt8], [UInt8])] = []
        try b.forEach { kind, k, v in seen.append((kind, Array(k), Array(v))) }
        #expect(seen.map(\.0) == [.value, .deletion, .value])
        #expect(seen.map(\.1) == [Array("k1".utf8), Array("k2".utf8), []])
        var c = WriteBatch()
        c.put(Array("k3".utf8), Array("v3".utf8))
        b.append(c)
        #expect(b.count == 4)
        // A damaged count is detected.
        var bad = b.rep
        bad[8] = 9
        #expect(throws: StorageError.self) { try WriteBatch(rep: bad).forEach { _, _, _ in } }
    }
}
