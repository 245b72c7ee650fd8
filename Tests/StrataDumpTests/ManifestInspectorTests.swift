import Foundation
import Testing
@testable import StrataStorage

@Suite struct ManifestInspectorTests {
    /// Two flushes: keys 0..<40 then 40..<60 (and a delete of key005), each a level-0 segment.
    static func twoSegments() throws -> TestDatabase {
        let db = TestDatabase()
        let engine = try db.open()
        for i in 0..<40 { try engine.put(bytes(key(i)), bytes(value(i))) }
        try engine.flush()
        for i in 40..<60 { try engine.put(bytes(key(i)), bytes(value(i))) }
        try engine.delete(bytes(key(5)))
        try engine.flush()
        try engine.close()
        return db
    }

    /// The names `twoSegments` gives its segments (file numbers are deterministic).
    static var twoSegmentNames: [String] {
        get throws { try twoSegments().files(withSuffix: ".seg") }
    }

    @Test func liveVersionGolden() throws {
        let db = try Self.twoSegments()
        let m = try ManifestReport.inspect(directory: db.dir, fileSystem: db.fs)
        let segs = try db.files(withSuffix: ".seg")
        #expect(segs.count == 2)
        #expect(m.fileCount == 2)
        #expect(m.lastSequence == 61)
        #expect(m.formatVersion == 1)
        #expect(m.levels.count == 7)
        // A flush may place its segment below level 0 when nothing overlaps (as LevelDB does).
        let live = m.levels.flatMap(\.files).sorted { $0.number < $1.number }
        #expect(live.map(\.name) == segs)
        #expect(live.map(\.entries) == [40, 21])
        #expect(live.map { $0.smallest.render(.printable) } == ["key000 @1 value", "key005 @61 deletion"])
        #expect(live.map { $0.largest.render(.printable) } == ["key039 @40 value", "key059 @60 value"])
        #expect(live.map(\.size) == segs.map { UInt64(db.contents($0).count) })
        #expect(live.map(\.level) == live.map { f in m.levels.firstIndex { $0.files.contains(f) }! })
        let manifest = try #require(try db.names().first { $0.hasPrefix("MANIFEST-") })
        #expect(m.manifest == manifest)
        let log = try #require(try db.files(withSuffix: ".log").last)
        #expect(m.logNumber == UInt64(log.prefix(6))!)
        // The first edit is the snapshot a new manifest starts with.
        #expect(m.edits.first?.formatVersion == 1)
        #expect(Set(m.edits.flatMap(\.newFiles).map(\.name)) == Set(segs))
        let total = live.reduce(0) { $0 + $1.size }
        let expectedHead = """
            manifest        \(manifest) (CURRENT in /db)
            file size       \(db.contents(manifest).count) bytes
            format version  1
            log number      \(m.logNumber)
            next file       \(m.nextFileNumber)
            last sequence   61
            live files      2, \(total) bytes
            """
        let text = InspectionText.manifest(m)
        #expect(text.hasPrefix(expectedHead + "\nlevel "))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("  \(segs[0])  \(live[0].size) bytes  40 entries  sequences 1...40  key000 @1 value .. key039 @40 value"))
        #expect(lines.contains("  \(segs[1])  \(live[1].size) bytes  21 entries  sequences 41...61  key005 @61 deletion .. key059 @60 value"))
        #expect(lines.contains("level \(live[0].level): 1 file, \(live[0].size) bytes, 40 entries"))
        #expect(lines.contains("torn tail       none"))
        #expect(lines.contains("edits           \(m.edits.count)"))
        #expect(lines.filter { $0.hasPrefix("edit @") }.count == m.edits.count)
        #expect(lines.contains { $0.hasPrefix("edit @0: format version 1, log number ") })
    }

    @Test func compactRangeLeavesASoundDatabase() throws {
        let db = try Self.twoSegments()
        let engine = try db.open()
        try engine.compactRange()
        try engine.close()
        let m = try ManifestReport.inspect(directory: db.dir, fileSystem: db.fs)
        let deeper = m.levels.flatMap(\.files)
        #expect(deeper.count >= 1)
        // The put of key005 is shadowed by its delete and dropped; the delete itself may go too.
        let entries = deeper.reduce(0) { $0 + $1.entries }
        #expect(entries == 59 || entries == 60)
        #expect(m.edits.contains { !$0.deletedFiles.isEmpty })
        let report = try DatabaseReport.inspect(directory: db.dir, fileSystem: db.fs)
        #expect(report.ok, "\(report.problems)")
        // The compaction's inputs are no longer live. The engine may leave them on disk until the
        // next open (compactRange still holds the old version when it deletes obsolete files):
        // they must show as orphans, and the next open removes them.
        let before = Set(try ManifestInspectorTests.twoSegmentNames)
        #expect(Set(report.orphans).isSubset(of: before))
        try db.open().close()
        let reopened = try DatabaseReport.inspect(directory: db.dir, fileSystem: db.fs)
        #expect(reopened.ok)
        #expect(reopened.orphans.isEmpty)
    }

    /// A full compaction writes the surviving entries with sequence number 0: the check passes,
    /// the segments and the manifest say 0...0, and the manifest keeps the real last sequence.
    @Test func zeroedSequencesPassTheCheck() throws {
        let db = TestDatabase()
        try db.fill(count: 100, deleted: [3, 50])
        let engine = try db.open()
        try engine.compactRange()
        try engine.close()
        let report = try DatabaseReport.inspect(directory: db.dir, fileSystem: db.fs)
        #expect(report.ok, "\(report.problems)")
        #expect(report.manifest.lastSequence == 102)
        let files = report.manifest.levels.flatMap(\.files)
        #expect(!files.isEmpty)
        #expect(files.allSatisfy { $0.smallestSequence == 0 && $0.largestSequence == 0 })
        #expect(files.reduce(0) { $0 + $1.entries } == 98)
        let seg = try SegmentInspector(path: db.path(files[0].name), fileSystem: db.fs)
        #expect(InspectionText.segment(seg.summary).split(separator: "\n").contains("sequences       0...0"))
        #expect(try seg.entries().allSatisfy { $0.sequence == 0 && $0.kind == "value" })
        #expect(SegmentInspector.check(path: db.path(files[0].name), fileSystem: db.fs).ok)
    }

    @Test func manifestFileCanBeReadDirectly() throws {
        let db = try Self.twoSegments()
        let name = try #require(try db.names().first { $0.hasPrefix("MANIFEST-") })
        let m = try ManifestReport.inspect(manifestPath: db.path(name), fileSystem: db.fs)
        #expect(m.directory == nil)
        #expect(m.fileCount == 2)
    }

    @Test func notADatabase() throws {
        let fs = MemoryFileSystem()
        try fs.createDirectory("/empty")
        let e = try #require(throws: StorageError.self) { try ManifestReport.inspect(directory: "/empty", fileSystem: fs) }
        #expect(e.code == .notADatabase)
        #expect(e.message == "not a Strata database: the directory has no CURRENT file")
        let missing = try #require(throws: StorageError.self) { try ManifestReport.inspect(directory: "/none", fileSystem: fs) }
        #expect(missing.code == .notFound)
    }

    @Test(arguments: ["MANIFEST-000009\n", "garbage", "", "CURRENT\n"])
    func currentThatNamesNoManifest(text: String) throws {
        let db = try Self.twoSegments()
        db.setContents("CURRENT", bytes(text))
        let e = try #require(throws: StorageError.self) { try ManifestReport.inspect(directory: db.dir, fileSystem: db.fs) }
        #expect(e.code == .corruption)
        #expect(e.file == "/db/CURRENT")
    }

    @Test func foreignManifestIsRefused() throws {
        let db = try Self.twoSegments()
        let name = try #require(try db.names().first { $0.hasPrefix("MANIFEST-") })
        db.setContents(name, bytes(String(repeating: "not a log ", count: 10)))
        let e = try #require(throws: StorageError.self) { try ManifestReport.inspect(directory: db.dir, fileSystem: db.fs) }
        #expect(e.code == .notADatabase)
        #expect(e.message.hasPrefix("not a Strata manifest: no readable records"))
    }
}

@Suite struct DatabaseReportTests {
    @Test func healthyDatabase() throws {
        let db = try ManifestInspectorTests.twoSegments()
        // Unflushed writes stay in the live log.
        let engine = try db.open()
        try engine.put(bytes("zz"), bytes("last"))
        try engine.close()
        let r = try DatabaseReport.inspect(directory: db.dir, fileSystem: db.fs)
        #expect(r.ok, "\(r.problems)")
        #expect(r.segments.count == 2)
        #expect(r.segments.sorted { $0.file < $1.file }.map(\.entries) == [40, 21])
        #expect(r.orphans.isEmpty)
        #expect(r.foreign.isEmpty)
        let liveLog = try #require(r.logs.last)
        #expect(liveLog.entries == 1)
        #expect(liveLog.firstSequence == 62)
        let text = InspectionText.database(r)
        let segs = try db.files(withSuffix: ".seg")
        #expect(text.contains("segments checked: 2\n"))
        #expect(text.contains("\n  \(segs[0])  ok (\(r.segments.first { $0.file.hasSuffix(segs[0]) }!.dataBlocks) data blocks, 40 entries)\n"))
        #expect(text.contains("  \(liveLog.name)  \(liveLog.size) bytes  1 records  1 operations  sequences 62...62  torn tail: none"))
        #expect(text.hasSuffix("orphan files: none\nforeign files: none\nstatus: OK"))
    }

    @Test func orphansForeignFilesAndDamage() throws {
        let db = try ManifestInspectorTests.twoSegments()
        let segs = try db.files(withSuffix: ".seg")
        db.setContents("000999.seg", db.contents(segs[0]))
        db.setContents("000001.log", [])
        db.setContents("notes.txt", bytes("hello"))
        var damaged = db.contents(segs[1])
        damaged[10] ^= 0xff
        db.setContents(segs[1], damaged)
        let r = try DatabaseReport.inspect(directory: db.dir, fileSystem: db.fs)
        #expect(r.orphans == ["000001.log", "000999.seg"])
        #expect(r.foreign == ["notes.txt"])
        #expect(r.problems.count == 1)
        #expect(r.problems.first?.file == db.path(segs[1]))
        #expect(r.problems.first?.message.hasPrefix("data block 0: block checksum mismatch") == true)
        let text = InspectionText.database(r)
        #expect(text.contains("  \(segs[1])  FAILED"))
        #expect(text.contains("status: 1 problem\n  /db/\(segs[1]) at offset 0: data block 0: block checksum mismatch"))
    }

    @Test func damagedLiveLogIsAProblemButATornOneIsNot() throws {
        let db = try ManifestInspectorTests.twoSegments()
        let engine = try db.open()
        try engine.put(bytes("x"), bytes("1"))
        try engine.put(bytes("y"), bytes("2"))
        try engine.close()
        let log = try #require(try db.files(withSuffix: ".log").last)
        var b = db.contents(log)
        db.setContents(log, Array(b.dropLast(2)))
        let torn = try DatabaseReport.inspect(directory: db.dir, fileSystem: db.fs)
        #expect(torn.ok, "\(torn.problems)")
        #expect(torn.logs.last?.tail?.isTornWrite == true)
        b[7 + 4] ^= 0x20  // inside the first record's payload
        db.setContents(log, b)
        let damaged = try DatabaseReport.inspect(directory: db.dir, fileSystem: db.fs)
        #expect(damaged.problems.map(\.message) == ["damaged record: checksum mismatch; recovery drops the last \(b.count) bytes"])
        #expect(damaged.problems.first?.offset == 0)
    }

    @Test func realDirectoryThroughThePosixFileSystem() throws {
        var template = Array("/tmp/strata-dump-test-XXXXXX".utf8CString)
        let dir = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
        defer {
            for name in (try? PosixFileSystem().listDirectory(dir)) ?? [] { try? PosixFileSystem().remove(dir + "/" + name) }
            rmdir(dir)
        }
        var o = StorageOptions()
        o.backgroundWork = false
        let engine = try StorageEngine.open(at: dir, options: o)
        for i in 0..<10 { try engine.put(bytes(key(i)), bytes(value(i))) }
        try engine.flush()
        try engine.close()
        let r = try DatabaseReport.inspect(directory: dir)
        #expect(r.ok, "\(r.problems)")
        #expect(r.segments.map(\.entries) == [10])
        #expect(r.manifest.lastSequence == 10)
    }

    @Test func missingSegment() throws {
        let db = try ManifestInspectorTests.twoSegments()
        let segs = try db.files(withSuffix: ".seg")
        try db.fs.remove(db.path(segs[0]))
        let r = try DatabaseReport.inspect(directory: db.dir, fileSystem: db.fs)
        #expect(r.problems.count == 1)
        #expect(r.problems.first?.message.hasPrefix("missing: the manifest lists it in level ") == true)
        #expect(r.problems.first?.file == db.path(segs[0]))
    }
}
