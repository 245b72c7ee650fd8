import Testing
@testable import StrataStorage

/// Faults injected under the engine: failed writes, failed syncs, short writes, flipped bits and
/// power loss. Each gives an error, never wrong data, and loses nothing acknowledged.
@Suite struct FaultTests {
    func open(_ fs: any FileSystem, background: Bool = false) throws -> StorageEngine {
        var o = StorageOptions.small(fs: fs, background: background)
        o.syncByDefault = true
        return try StorageEngine.open(at: "/db", options: o)
    }

    func fill(_ db: StorageEngine, _ range: Range<Int>) throws {
        for i in range { try db.put(bytes("key\(i)"), bytes("value\(i)")) }
    }

    func expectAll(_ db: StorageEngine, _ range: Range<Int>) throws {
        for i in range { #expect(string(try db.get(bytes("key\(i)"))) == "value\(i)", "key\(i)") }
    }

    @Test func failedLogSyncIsStickyAndLosesNothingAcknowledged() throws {
        let mem = MemoryFileSystem()
        let fs = FaultInjectingFileSystem(base: mem)
        var db = try open(fs)
        try fill(db, 0..<100)
        var f = FaultInjectingFileSystem.Faults()
        f.failSyncs = true
        f.onlyFilesContaining = ".log"
        fs.setFaults(f)
        #expect(throws: StorageError.self) { try db.put(bytes("key100"), bytes("value100")) }
        fs.clearFaults()
        // Sticky: the next write fails even though syncs work again.
        let e = #expect(throws: StorageError.self) { try db.put(bytes("key101"), bytes("value101")) }
        #expect(e?.code == .writesStopped)
        // Reads still work.
        try expectAll(db, 0..<100)
        try db.close()
        mem.dropUnsyncedData()
        db = try open(fs)
        try expectAll(db, 0..<100)
        #expect(try db.get(bytes("key101")) == nil)
        try fill(db, 200..<210)
        try db.close()
    }

    @Test(arguments: [0, 5, 17])
    func shortLogWriteIsStickyAndTheTornRecordIsDropped(shortBytes: Int) throws {
        let mem = MemoryFileSystem()
        let fs = FaultInjectingFileSystem(base: mem)
        var db = try open(fs)
        try fill(db, 0..<50)
        var f = FaultInjectingFileSystem.Faults()
        f.failWritesAfterBytes = 0
        f.shortWriteBytes = shortBytes
        f.onlyFilesContaining = ".log"
        fs.setFaults(f)
        #expect(throws: StorageError.self) { try db.put(bytes("key50"), bytes("value50")) }
        #expect(fs.failedWrites == 1)
        fs.clearFaults()
        #expect(throws: StorageError.self) { try db.put(bytes("key51"), bytes("value51")) }
        try db.close()
        db = try open(fs)
        try expectAll(db, 0..<50)
        #expect(try db.get(bytes("key50")) == nil)
        if shortBytes > 0 {
            #expect(db.recoveryReport.droppedTails.count == 1, "the partial record is reported")
        }
        try db.close()
    }

    @Test func failedSegmentWriteStopsWritesButLosesNothing() throws {
        let mem = MemoryFileSystem()
        let fs = FaultInjectingFileSystem(base: mem)
        var db = try open(fs)
        try fill(db, 0..<100)
        var f = FaultInjectingFileSystem.Faults()
        f.failWritesAfterBytes = 100
        f.shortWriteBytes = 50
        f.onlyFilesContaining = ".seg"
        fs.setFaults(f)
        #expect(throws: StorageError.self) { try db.flush() }
        fs.clearFaults()
        let e = #expect(throws: StorageError.self) { try db.put(bytes("x"), bytes("y")) }
        #expect(e?.code == .writesStopped)
        try expectAll(db, 0..<100)
        try db.close()
        mem.dropUnsyncedData()
        db = try open(fs)
        try expectAll(db, 0..<100)
        try db.flush()
        try db.compactRange()
        try expectAll(db, 0..<100)
        try db.close()
    }

    @Test func failedManifestWriteStopsWritesButLosesNothing() throws {
        let mem = MemoryFileSystem()
        let fs = FaultInjectingFileSystem(base: mem)
        var db = try open(fs)
        try fill(db, 0..<100)
        var f = FaultInjectingFileSystem.Faults()
        f.failSyncs = true
        f.onlyFilesContaining = "MANIFEST"
        fs.setFaults(f)
        #expect(throws: StorageError.self) { try db.flush() }
        fs.clearFaults()
        #expect(throws: StorageError.self) { try db.put(bytes("x"), bytes("y")) }
        try db.close()
        mem.dropUnsyncedData()
        db = try open(fs)
        try expectAll(db, 0..<100)
        try db.close()
    }

    @Test func flippedBitInASegmentIsAnErrorNeverAWrongValue() throws {
        let mem = MemoryFileSystem()
        let fs = FaultInjectingFileSystem(base: mem)
        var db = try open(fs)
        try fill(db, 0..<300)
        try db.flush()
        try db.compactRange()
        try db.close()
        var f = FaultInjectingFileSystem.Faults()
        f.flipBitInFilesContaining = ".seg"
        f.flipBitOffset = 20
        fs.setFaults(f)
        var o = StorageOptions.small(fs: fs, background: false)
        o.blockCacheBytes = 0
        db = try StorageEngine.open(at: "/db", options: o)
        var errors = 0
        for i in 0..<300 {
            do {
                let v = try db.get(bytes("key\(i)"))
                #expect(v == nil || string(v) == "value\(i)", "wrong value for key\(i)")
            } catch let e as StorageError {
                #expect(e.code == .corruption)
                #expect(e.file?.hasSuffix(".seg") == true)
                #expect(e.offset == 0)
                errors += 1
            }
        }
        #expect(errors > 0, "the damaged block must be reported")
        let it = try db.makeIterator()
        it.seekToFirst()
        while it.isValid { it.next() }
        #expect(throws: StorageError.self) { try it.check() }
        try db.close()
    }

    @Test func powerLossKeepsEverySyncedWrite() throws {
        let mem = MemoryFileSystem()
        var db = try open(mem)
        try fill(db, 0..<500)
        // Unsynced writes may vanish; synced ones may not.
        for i in 500..<600 { try db.put(bytes("key\(i)"), bytes("value\(i)"), options: WriteOptions(sync: false)) }
        mem.dropUnsyncedData()
        try db.close()
        db = try open(mem)
        try expectAll(db, 0..<500)
        try db.close()
    }

    @Test func randomWriteFailuresNeverCorruptTheDatabase() throws {
        // Fail the n-th write for many n: every outcome reopens to a prefix of acknowledged writes.
        for failAfter in stride(from: 200, to: 20_000, by: 1_300) {
            let mem = MemoryFileSystem()
            let fs = FaultInjectingFileSystem(base: mem)
            var f = FaultInjectingFileSystem.Faults()
            f.failWritesAfterBytes = failAfter
            f.shortWriteBytes = failAfter % 23
            fs.setFaults(f)
            var acked = 0
            if let db = try? open(fs) {
                for i in 0..<400 {
                    do { try db.put(bytes("key\(i)"), bytes("value\(i)")); acked = i + 1 } catch { break }
                }
                try? db.close()
            }
            fs.clearFaults()
            mem.dropUnsyncedData()
            let db = try open(fs)
            try expectAll(db, 0..<acked)
            try db.close()
        }
    }
}

@Suite struct OpenTests {
    @Test func secondOpenIsRefusedWhileTheFirstHoldsTheLock() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try StorageEngine.open(at: dir.db)
        let e = #expect(throws: StorageError.self) { try StorageEngine.open(at: dir.db) }
        #expect(e?.code == .locked)
        try db.close()
        let again = try StorageEngine.open(at: dir.db)
        try again.close()
    }

    @Test func directoryThatIsNotADatabaseIsRefused() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        try "hello".write(toFile: dir.path + "/notes.txt", atomically: true, encoding: .utf8)
        let e = #expect(throws: StorageError.self) { try StorageEngine.open(at: dir.path) }
        #expect(e?.code == .notADatabase)
        #expect(e?.description.contains("not a Strata database") == true)
    }

    @Test func createIfMissingAndErrorIfExists() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var o = StorageOptions()
        o.createIfMissing = false
        let e = #expect(throws: StorageError.self) { try StorageEngine.open(at: dir.db, options: o) }
        #expect(e?.code == .notFound)
        try StorageEngine.open(at: dir.db).close()
        o.createIfMissing = true
        o.errorIfExists = true
        let e2 = #expect(throws: StorageError.self) { try StorageEngine.open(at: dir.db, options: o) }
        #expect(e2?.code == .alreadyExists)
    }

    @Test func newerManifestVersionIsRefused() throws {
        let mem = MemoryFileSystem()
        try StorageEngine.open(at: "/db", options: .small(fs: mem)).close()
        let current = string(mem.contents(of: "/db/CURRENT"))!.trimmingCharacters(in: .newlines)
        var edit = VersionEdit()
        edit.formatVersion = 99
        edit.logNumber = FileNumber(1)
        edit.nextFileNumber = FileNumber(100)
        edit.lastSequence = 0
        try mem.remove("/db/" + current)
        let w = LogWriter(file: try mem.openWritable("/db/" + current, truncate: true))
        try w.addRecord(edit.encode(), sync: true)
        let e = #expect(throws: StorageError.self) { try StorageEngine.open(at: "/db", options: .small(fs: mem)) }
        #expect(e?.code == .unsupportedVersion)
        #expect(e?.message.contains("newer format version") == true)
    }

    @Test func damagedCurrentIsCorruption() throws {
        let mem = MemoryFileSystem()
        try StorageEngine.open(at: "/db", options: .small(fs: mem)).close()
        mem.setContents(of: "/db/CURRENT", bytes("garbage"))
        let e = #expect(throws: StorageError.self) { try StorageEngine.open(at: "/db", options: .small(fs: mem)) }
        #expect(e?.code == .corruption)
        #expect(e?.file == "/db/CURRENT")
    }

    @Test func missingSegmentIsCorruption() throws {
        let mem = MemoryFileSystem()
        let db = try StorageEngine.open(at: "/db", options: .small(fs: mem, background: false))
        for i in 0..<200 { try db.put(bytes("k\(i)"), bytes("v\(i)")) }
        try db.flush()
        let seg = try #require(db.liveFiles().joined().first)
        try db.close()
        try mem.remove("/db/" + DatabaseFile.segment(seg.number).name)
        let e = #expect(throws: StorageError.self) { try StorageEngine.open(at: "/db", options: .small(fs: mem)) }
        #expect(e?.code == .corruption)
        #expect(e?.message.contains("missing") == true)
    }

    @Test func invalidOptionsAreRejected() {
        var o = StorageOptions()
        o.memtableBytes = 10
        let e = #expect(throws: StorageError.self) { try StorageEngine.open(at: "/nonexistent-strata", options: o) }
        #expect(e?.code == .invalidArgument)
    }
}

@Suite struct RecoveryTests {
    @Test func damageInAnEarlierLogStopsReplayThere() throws {
        let mem = MemoryFileSystem()
        var o = StorageOptions.small(fs: mem, background: false)
        o.memtableBytes = 1 << 20
        var db = try StorageEngine.open(at: "/db", options: o)
        for i in 0..<50 { try db.put(bytes("a\(i)"), bytes("v")) }
        try db.close()
        // Make a second, later log by hand: the database's own log is the first.
        let names = try mem.listDirectory("/db").filter { $0.hasSuffix(".log") }.sorted()
        let first = try #require(names.last)
        let firstNumber = UInt64(first.dropLast(4))!
        let later = "/db/" + DatabaseFile.log(FileNumber(firstNumber + 1)).name
        let w = LogWriter(file: try mem.openWritable(later, truncate: true))
        var b = WriteBatch()
        b.put(bytes("late"), bytes("x"))
        b.sequence = 1000
        try w.addRecord(b.rep, sync: true)
        // Damage the first log's last record.
        var data = mem.contents(of: "/db/" + first)!
        data[data.count - 2] ^= 0xff
        mem.setContents(of: "/db/" + first, data)
        db = try StorageEngine.open(at: "/db", options: o)
        #expect(try db.get(bytes("late")) == nil, "nothing after damage is replayed")
        #expect(try db.get(bytes("a48")) != nil)
        #expect(try db.get(bytes("a49")) == nil)
        #expect(db.recoveryReport.droppedTails.count == 2)
        #expect(db.recoveryReport.preservedLogs.count == 2)
        #expect(mem.fileExists("/db/" + first + ".bad"))
        try db.close()
    }

    @Test func hostileFooterSizesAreAnErrorNotATrap() throws {
        let mem = MemoryFileSystem()
        try mem.createDirectory("/d")
        var footer: [UInt8] = []
        SegmentFooter(filter: BlockHandle(offset: .max - 2, size: 10),
                      index: BlockHandle(offset: 0, size: .max),
                      properties: BlockHandle(offset: 5, size: 5)).encode(into: &footer)
        mem.setContents(of: "/d/000009.seg", [UInt8](repeating: 0, count: 100) + footer)
        let e = #expect(throws: StorageError.self) {
            try SegmentReader(file: try mem.openReadable("/d/000009.seg"), number: FileNumber(9), cache: nil)
        }
        #expect(e?.code == .corruption)
    }
}

@Suite struct InterruptedCreationTests {
    @Test func creationInterruptedBeforeCurrentStartsOver() throws {
        let mem = MemoryFileSystem()
        try mem.createDirectory("/db")
        // What a crash during the first open can leave: a manifest and a temp file, no CURRENT.
        mem.setContents(of: "/db/MANIFEST-000003", [1, 2, 3])
        mem.setContents(of: "/db/000003.tmp", Array("MANIFEST-000003".utf8))
        let db = try StorageEngine.open(at: "/db", options: .small(fs: mem))
        try db.put(bytes("k"), bytes("v"))
        try db.close()
        let again = try StorageEngine.open(at: "/db", options: .small(fs: mem))
        #expect(string(try again.get(bytes("k"))) == "v")
        try again.close()
    }

    @Test func logsWithoutCurrentAreCorruptionNotANewDatabase() throws {
        let mem = MemoryFileSystem()
        try mem.createDirectory("/db")
        mem.setContents(of: "/db/000004.log", [0, 1, 2])
        let e = #expect(throws: StorageError.self) { try StorageEngine.open(at: "/db", options: .small(fs: mem)) }
        #expect(e?.code == .corruption)
    }
}
