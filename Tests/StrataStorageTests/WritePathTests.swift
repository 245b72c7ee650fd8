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
