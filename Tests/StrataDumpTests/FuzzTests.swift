import Testing
@testable import StrataStorage

/// Damaged and foreign input: every inspector answers with a StorageError or a reported problem,
/// never a trap. The cases are seeded, so a failure repeats.
@Suite struct FuzzTests {
    static func segmentBytes() throws -> [UInt8] {
        let fs = MemoryFileSystem()
        try writeSegment(fs, "/seg/f.seg", (0..<60).map { (key($0), UInt64($0 + 1), $0 % 7 == 0 ? .deletion : .value, $0 % 7 == 0 ? "" : value($0)) })
        return fs.contents(of: "/seg/f.seg")!
    }

    /// Runs every segment entry point on `b`; returns whether the check found a problem.
    static func exerciseSegment(_ b: [UInt8]) throws -> Bool {
        let fs = MemoryFileSystem()
        try fs.createDirectory("/z")
        fs.setContents(of: "/z/f.seg", b)
        if let s = try? SegmentInspector(path: "/z/f.seg", fileSystem: fs) {
            _ = s.summary
            _ = InspectionText.segment(s.summary)
            if let l = try? s.layout() { _ = InspectionText.layout(l) }
            _ = try? s.entries()
            _ = try? s.entries(from: bytes("key030"), to: bytes("key040"), limit: 3)
        }
        return SegmentInspector.check(path: "/z/f.seg", fileSystem: fs).problem != nil
    }

    @Test func everyTruncationOfASegmentIsAProblem() throws {
        let b = try Self.segmentBytes()
        #expect(try !Self.exerciseSegment(b))
        for n in 0..<b.count {
            #expect(try Self.exerciseSegment(Array(b[0..<n])), "truncated to \(n) of \(b.count) bytes")
        }
    }

    @Test func everySingleByteFlipInASegmentIsAProblem() throws {
        // Every byte is covered by a block checksum, the footer checksum or the magic number.
        let b = try Self.segmentBytes()
        var rng = SeededRandom(seed: 1)
        for i in 0..<b.count {
            var d = b
            d[i] ^= UInt8.random(in: 1...255, using: &rng)
            #expect(try Self.exerciseSegment(d), "byte \(i) flipped")
        }
    }

    @Test(arguments: 0..<4)
    func randomBytesAndSplicesAreNotSegments(seed: UInt64) throws {
        var rng = SeededRandom(seed: 100 + seed)
        let good = try Self.segmentBytes()
        for _ in 0..<200 {
            let n = Int.random(in: 0..<600, using: &rng)
            var b = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) {
                // A real footer (valid checksum, magic) on top of garbage: handles point anywhere.
                b += good.suffix(64)
            }
            _ = try Self.exerciseSegment(b)
        }
    }

    static func walBytes() throws -> [UInt8] {
        let db = TestDatabase()
        let engine = try db.open()
        var rng = SeededRandom(seed: 7)
        for i in 0..<40 {
            var batch = WriteBatch()
            for j in 0..<Int.random(in: 1...4, using: &rng) {
                if j == 3 { batch.delete(bytes(key(i))) } else {
                    batch.put(bytes(key(i * 4 + j)), [UInt8](repeating: UInt8(i), count: Int.random(in: 0...3000, using: &rng)))
                }
            }
            try engine.write(batch)
        }
        try engine.close()
        return db.contents(try db.files(withSuffix: ".log").last!)
    }

    static func exerciseWAL(_ b: [UInt8]) throws -> LogReport {
        let fs = MemoryFileSystem()
        try fs.createDirectory("/z")
        fs.setContents(of: "/z/1.log", b)
        let r = try LogReport.inspect(path: "/z/1.log", fileSystem: fs)
        _ = InspectionText.wal(r, frames: true)
        return r
    }

    @Test func walTruncationsDropOnlyTheTail() throws {
        let b = try Self.walBytes()
        let whole = try Self.exerciseWAL(b)
        #expect(whole.records.count == 40 && whole.tail == nil && whole.badRecords == 0)
        var rng = SeededRandom(seed: 3)
        for _ in 0..<300 {
            let n = Int.random(in: 0..<b.count, using: &rng)
            let r = try Self.exerciseWAL(Array(b[0..<n]))
            // What survives is a prefix of the whole log, and anything cut is reported as a tail.
            #expect(r.records == Array(whole.records.prefix(r.records.count)))
            let kept = r.records.last.map { Int($0.offset) + 7 * $0.fragments + $0.length } ?? 0
            if kept < n { #expect(r.tail != nil, "cut at \(n)") }
            #expect(r.badRecords == 0)
        }
    }

    @Test func walBitFlipsNeverTrap() throws {
        let b = try Self.walBytes()
        var rng = SeededRandom(seed: 4)
        for _ in 0..<300 {
            var d = b
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                d[Int.random(in: 0..<d.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            let r = try Self.exerciseWAL(d)
            #expect(r.records.count < 40 || r.tail == nil)
        }
        for _ in 0..<100 {
            _ = try Self.exerciseWAL((0..<Int.random(in: 0..<70_000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
    }

    @Test func damagedManifestsAndDatabasesNeverTrap() throws {
        let db = try ManifestInspectorTests.twoSegments()
        let name = try #require(try db.names().first { $0.hasPrefix("MANIFEST-") })
        let good = db.contents(name)
        var rng = SeededRandom(seed: 5)
        var refused = 0
        for round in 0..<300 {
            var d = good
            if round % 3 == 0 {
                d = Array(d[0..<Int.random(in: 0..<d.count, using: &rng)])
            } else {
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    d[Int.random(in: 0..<d.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            db.setContents(name, d)
            do {
                let m = try ManifestReport.inspect(directory: db.dir, fileSystem: db.fs)
                _ = InspectionText.manifest(m)
            } catch is StorageError {
                refused += 1
            }
            if let r = try? DatabaseReport.inspect(directory: db.dir, fileSystem: db.fs) { _ = InspectionText.database(r) }
        }
        #expect(refused > 0)
        // A valid version edit with absurd contents (huge file numbers, sizes, sequences).
        let fs = MemoryFileSystem()
        try fs.createDirectory("/m")
        var e = VersionEdit()
        e.formatVersion = 1
        e.logNumber = FileNumber(.max)
        e.nextFileNumber = FileNumber(.max)
        e.lastSequence = .max
        e.newFiles = [(6, FileMetadata(number: FileNumber(.max), size: .max, smallest: [UInt8](repeating: 0xff, count: 8),
                                       largest: [UInt8](repeating: 0, count: 8), smallestSequence: .max, largestSequence: 0, entryCount: .max))]
        let w = LogWriter(file: try fs.openWritable("/m/MANIFEST-000001", truncate: true))
        try w.addRecord(e.encode(), sync: true)
        try w.close()
        fs.setContents(of: "/m/CURRENT", bytes("MANIFEST-000001\n"))
        let m = try ManifestReport.inspect(directory: "/m", fileSystem: fs)
        #expect(m.levels[6].entries == .max)
        _ = InspectionText.manifest(m)
        let r = try DatabaseReport.inspect(directory: "/m", fileSystem: fs)
        #expect(!r.ok)
    }
}
