import Foundation
import Synchronization
import Testing
@testable import StrataStorage

@Suite struct WritePathTests {
    /// Records written through the in-place framing path read back exactly, whether they fit in
    /// the current block or have to be split (the path falls back to fragments).
    @Test(arguments: [
        [12], [100, 200],
        [LogFormat.blockSize - LogFormat.headerSize],          // exactly fills a block
        [LogFormat.blockSize - LogFormat.headerSize - 3, 20],  // leaves less than a header
        [LogFormat.blockSize - 2 * LogFormat.headerSize, 10],  // leaves exactly a header's room
        [LogFormat.blockSize + 5, 40, 3 * LogFormat.blockSize],
    ])
    func recordsFramedInPlaceRoundTrip(_ sizes: [Int]) throws {
        let fs = MemoryFileSystem()
        try fs.createDirectory("/d")
        let w = LogWriter(file: try fs.openWritable("/d/x.log", truncate: true))
        var records: [[UInt8]] = []
        for (i, n) in sizes.enumerated() {
            let r = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }
            records.append(r)
            var framed = [UInt8](repeating: 0xEE, count: LogFormat.headerSize) + r
            try framed.withUnsafeMutableBytes { try w.addRecord(headroom: $0, sync: false) }
            // Interleave the copying path: both must agree on the block offset.
            try w.addRecord(r, sync: false)
            records.append(r)
        }
        var reader = LogReader(bytes: fs.contents(of: "/d/x.log")!)
        var got: [[UInt8]] = []
        while let rec = reader.next() { got.append(rec) }
        #expect(reader.tail == nil)
        #expect(got == records)
    }

    /// A batch built by many puts (it grows geometrically now) encodes the same bytes as the
    /// operations one by one.
    @Test func batchGrowthKeepsEveryOperation() throws {
        var b = WriteBatch()
        var expected: [(EntryKind, [UInt8], [UInt8])] = []
        for i in 0..<1000 {
            let k = bytes("key\(i)")
            if i % 3 == 0 {
                b.delete(k)
                expected.append((.deletion, k, []))
            } else {
                let v = [UInt8](repeating: UInt8(i & 0xff), count: i % 300)
                b.put(k, v)
                expected.append((.value, k, v))
            }
        }
        #expect(b.count == 1000)
        var seen: [(EntryKind, [UInt8], [UInt8])] = []
        try b.forEach { kind, k, v in seen.append((kind, Array(k), Array(v))) }
        #expect(seen.map(\.0) == expected.map(\.0))
        #expect(seen.map(\.1) == expected.map(\.1))
        #expect(seen.map(\.2) == expected.map(\.2))
        var sized = WriteBatch()
        sized.put(bytes("a"), [UInt8](repeating: 1, count: 200))
        #expect(sized.byteSize == WriteBatch.headerSize + WriteBatch.operationSize(.value, keyCount: 1, valueCount: 200))
    }

    /// Ascending runs (which link in after the last nodes without a search), descending runs and
    /// random keys interleaved: the memtable keeps internal-key order and every version.
    @Test(arguments: [UInt64(1), 2, 3])
    func memtableOrderWithAscendingAndRandomInserts(_ seed: UInt64) throws {
        let m = MemTable(logNumber: FileNumber(1))
        var rng = SeededRandom(seed: seed)
        var model: [([UInt8], UInt64)] = []
        var seq: UInt64 = 1
        func add(_ k: [UInt8]) {
            let v = bytes("v\(seq)")
            k.withUnsafeBytes { kp in v.withUnsafeBytes { vp in m.add(sequence: seq, kind: .value, key: kp, value: vp) } }
            model.append((k, seq))
            seq += 1
        }
        for round in 0..<20 {
            let mode = rng.next() % 3
            let base = rng.next() % 10_000
            for j in 0..<UInt64(50) {
                let n: UInt64 = mode == 0 ? base + j : mode == 1 ? base &- j : rng.next() % 10_000
                add(bytes(String(format6(n))))
            }
            if round % 5 == 0 { add(model[Int(rng.next() % UInt64(model.count))].0) }  // a newer version
        }
        // Expected order: user key ascending, sequence descending.
        let expected = model.sorted { a, b in
            let c = compareBytes(a.0, b.0)
            return c != 0 ? c < 0 : a.1 > b.1
        }
        let it = m.makeIterator()
        it.seekToFirst()
        var got: [([UInt8], UInt64)] = []
        while it.isValid {
            let k = it.key
            got.append((Array(k[0..<(k.count - 8)]), InternalKey.trailer(k) >> 8))
            it.next()
        }
        #expect(got.map(\.0) == expected.map(\.0))
        #expect(got.map(\.1) == expected.map(\.1))
        #expect(m.count == model.count)
        // Every key's newest version answers a lookup; a key past the end is absent.
        for (k, s) in expected.reversed() {
            if case .found(let v) = m.get(k, sequence: seq) {
                let newest = expected.first { compareBytes($0.0, k) == 0 }!.1
                #expect(v == bytes("v\(newest)"))
            } else {
                Issue.record("key \(string(k)!) at \(s) not found")
            }
        }
        if case .absent = m.get(bytes("999999x"), sequence: seq) {} else { Issue.record("a key past the end was found") }
    }

    private func format6(_ n: UInt64) -> String {
        let s = String(n % 1_000_000)
        return String(repeating: "0", count: 6 - s.count) + s
    }

    /// Puts and deletes through the engine (the direct, queue-empty path) and a batch write,
    /// then a reopen replays the log: everything acknowledged is there.
    @Test func directPutsAndDeletesSurviveReopen() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var o = StorageOptions.small()
        o.backgroundWork = false
        var model: [String: String] = [:]
        do {
            let db = try StorageEngine.open(at: dir.db, options: o)
            var rng = SeededRandom(seed: 7)
            for i in 0..<3000 {
                let k = "k\(rng.next() % 500)"
                if i % 4 == 0 {
                    try db.delete(bytes(k))
                    model[k] = nil
                } else {
                    let v = "v\(i)"
                    try db.put(bytes(k), bytes(v))
                    model[k] = v
                }
                if i % 500 == 0 {
                    var b = WriteBatch()
                    b.put(bytes("batch\(i)"), bytes("x"))
                    b.delete(bytes("k0"))
                    try db.write(b)
                    model["batch\(i)"] = "x"
                    model["k0"] = nil
                }
            }
            for (k, v) in model { #expect(string(try db.get(bytes(k))) == v) }
            try db.close()
        }
        let db = try StorageEngine.open(at: dir.db, options: o)
        defer { try? db.close() }
        let all = try db.allEntries()
        #expect(all.map(\.0) == model.keys.sorted())
        #expect(all.map(\.1) == model.keys.sorted().map { model[$0]! })
        try db.close()
        #expect(throws: StorageError.self) { try db.put(bytes("a"), bytes("b")) }
        #expect(throws: StorageError.self) { try db.delete(bytes("a")) }
    }
}

/// A file written past several writeback steps (the POSIX file starts writeback every MiB) in
/// appends of odd sizes, across reopen for append, reads back byte for byte.
@Test func posixFileWrittenPastWritebackStepsReadsBack() throws {
    let dir = TempDir()
    defer { dir.cleanup() }
    let fs = PosixFileSystem()
    let path = dir.path + "/big"
    var expected: [UInt8] = []
    var rng = SeededRandom(seed: 77)
    for reopen in 0..<2 {
        let f = try fs.openWritable(path, truncate: reopen == 0)
        #expect(f.size == Int64(expected.count))
        while expected.count < (reopen + 1) * 3 * Int(PosixWritableFile.writebackBytes) + 12_345 {
            let chunk = (0..<(1 + Int(rng.next() % 200_000))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            try f.append(chunk)
            expected += chunk
        }
        try f.sync()
        try f.close()
    }
    let r = try fs.openReadable(path)
    #expect(try r.read(at: 0, count: expected.count) == expected)
}

/// `put(_:_:measuringPrevious:)` reports what the key held just before the put, wherever that
/// is: the put's own memtable, a frozen one, a segment on any level, or nowhere (absent or
/// deleted).
@Suite struct PutMeasuringPreviousTests {
    /// The measure used by the tests: the value's length plus its first byte, so a wrong value of
    /// the right length still fails.
    static func measure(_ v: UnsafeRawBufferPointer) -> Int { v.count * 1000 + Int(v.first ?? 0) }

    static func expected(_ v: [UInt8]?) -> Int? { v.map { $0.withUnsafeBytes(measure) } }

    /// One thread's random puts and deletes over `keys`, checked against a model after every put.
    static func run(_ db: StorageEngine, keys: [[UInt8]], operations: Int, seed: UInt64) throws -> Int {
        var rng = SeededRandom(seed: seed)
        var model: [[UInt8]: [UInt8]] = [:]
        var mismatches = 0
        for step in 0..<operations {
            let key = keys[Int(rng.next() % UInt64(keys.count))]
            if rng.next() % 5 == 0 {
                try db.delete(key)
                model[key] = nil
                continue
            }
            let value = [UInt8](repeating: UInt8(truncatingIfNeeded: step), count: 1 + Int(rng.next() % 300))
            let previous = try db.put(key, value, measuringPrevious: measure)
            if previous != expected(model[key]) { mismatches += 1 }
            model[key] = value
        }
        for (key, value) in model where try db.get(key) != value { mismatches += 1 }
        return mismatches
    }

    @Test func previousFoundInMemtablesAndSegments() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try StorageEngine.open(at: dir.db, options: .small())
        let keys = (0..<400).map { bytes(String(format: "key%05d", $0)) }
        #expect(try Self.run(db, keys: keys, operations: 6_000, seed: 11) == 0)
        let s = db.statistics()
        #expect(s.flushCount > 0 && s.compactionCount > 0, "the test must reach segments (\(s.flushCount) flushes, \(s.compactionCount) compactions)")
        try db.close()
    }

    @Test func previousAfterReopenAndFullCompaction() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var db = try StorageEngine.open(at: dir.db, options: .small())
        try db.put(bytes("a"), bytes("first"))
        try db.put(bytes("b"), bytes("gone"))
        try db.delete(bytes("b"))
        try db.close()
        db = try StorageEngine.open(at: dir.db, options: .small())
        #expect(try db.put(bytes("a"), bytes("second"), measuringPrevious: Self.measure) == Self.expected(bytes("first")))
        #expect(try db.put(bytes("b"), bytes("again"), measuringPrevious: Self.measure) == nil)
        #expect(try db.put(bytes("c"), bytes("new"), measuringPrevious: Self.measure) == nil)
        try db.flush()
        try db.compactRange()
        #expect(try db.put(bytes("a"), bytes("third"), measuringPrevious: Self.measure) == Self.expected(bytes("second")))
        #expect(try db.put(bytes("c"), bytes("newer"), measuringPrevious: Self.measure) == Self.expected(bytes("new")))
        try db.close()
    }

    /// Writers on disjoint keys at once: puts that find the write queue busy take the read-then-
    /// write path, the others their own insertion; both report exactly.
    @Test func concurrentWritersOnDisjointKeys() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try StorageEngine.open(at: dir.db, options: .small())
        let threads = 4
        let mismatches = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let keys = (0..<150).map { bytes("t\(t)-\($0)") }
            do {
                mismatches.add(try Self.run(db, keys: keys, operations: 3_000, seed: UInt64(100 + t)), ordering: .relaxed)
            } catch {
                failures.add(1, ordering: .relaxed)
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(mismatches.load(ordering: .relaxed) == 0)
        try db.close()
    }
}
