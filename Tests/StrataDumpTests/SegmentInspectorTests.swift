import Foundation
import Testing
@testable import StrataStorage

@Suite struct SegmentInspectorTests {
    /// 100 puts (sequences 1...100), then deletes of key003 and key050 (101, 102), flushed.
    static func flushedSegment() throws -> (TestDatabase, String) {
        let db = TestDatabase()
        let seg = try #require(try db.fill(count: 100, deleted: [3, 50]))
        return (db, seg)
    }

    @Test func summaryGolden() throws {
        let (db, seg) = try Self.flushedSegment()
        let inspector = try SegmentInspector(path: db.path(seg), fileSystem: db.fs)
        let blocks = try inspector.layout()
        let data = blocks.filter { $0.kind == "data" }
        #expect(data.count >= 2, "512-byte blocks: 100 entries need several")
        let raw = data.reduce(0) { $0 + $1.rawSize! }
        let stored = data.reduce(0) { $0 + $1.storedSize }
        let lz4 = data.filter { $0.compression == "lz4" }.count
        #expect(lz4 > 0, "the values repeat, so LZ4 must pay off")
        let rawKeys = (0..<100).reduce(0) { $0 + key($1).utf8.count + 8 } + 2 * (6 + 8)
        let rawValues = (0..<100).reduce(0) { $0 + value($1).utf8.count }
        let size = db.contents(seg).count
        let index = try #require(blocks.first { $0.kind == "index" })
        let props = try #require(blocks.first { $0.kind == "properties" })
        let expected = """
            segment         /db/\(seg)
            format version  1
            file size       \(size) bytes
            entries         102 (2 deletions)
            key range       key000 @1 value .. key099 @100 value
            sequences       1...102
            data blocks     \(data.count) (\(lz4) LZ4-compressed)
            data bytes      \(raw) raw, \(stored) stored, compression ratio \(String(format: "%.2f", Double(raw) / Double(stored)))
            raw keys        \(rawKeys) bytes
            raw values      \(rawValues) bytes
            bloom filter    10 bits/key, 6 probes (blocked), 129 bytes
            index block     \(index.storedSize) bytes
            properties      \(props.storedSize) bytes
            """
        #expect(InspectionText.segment(inspector.summary) == expected)
        #expect(inspector.summary.compressionRatio > 1.5)
    }

    @Test func layoutTilesTheFile() throws {
        let (db, seg) = try Self.flushedSegment()
        let inspector = try SegmentInspector(path: db.path(seg), fileSystem: db.fs)
        let blocks = try inspector.layout()
        #expect(blocks.suffix(4).map(\.kind) == ["filter", "index", "properties", "footer"])
        var offset: UInt64 = 0
        for b in blocks {
            #expect(b.offset == offset)
            #expect(b.checksumValid)
            #expect(b.problem == nil)
            offset = b.offset + b.storedSize + (b.kind == "footer" ? 0 : 5)
        }
        #expect(offset == UInt64(db.contents(seg).count))
        let data = blocks.filter { $0.kind == "data" }
        #expect(data.map(\.number) == Array(0..<data.count).map { Optional($0) })
        #expect(data.reduce(0) { $0 + $1.entries! } == 102)
        #expect(data.allSatisfy { ($0.restartCount ?? 0) >= 1 })
        #expect(data.last?.indexKey?.render(.printable) == "key099 @100 value")
        // The text form: a header, then one row per block naming its kind, offset and checksum.
        let text = InspectionText.layout(blocks).split(separator: "\n")
        #expect(text.count == blocks.count + 1)
        #expect(text[0].hasPrefix("block"))
        #expect(text[1].split(separator: " ").prefix(3) == ["data", "0", "0"])
        #expect(text.last!.hasPrefix("footer"))
        #expect(text.dropFirst().allSatisfy { $0.contains(" ok") })
    }

    @Test func scanShowsEveryEntryNewestFirst() throws {
        let (db, seg) = try Self.flushedSegment()
        let inspector = try SegmentInspector(path: db.path(seg), fileSystem: db.fs)
        let all = try inspector.entries()
        #expect(all.count == 102)
        var expected: [String] = []
        for i in 0..<100 {
            if i == 3 { expected.append("key003 @101 deletion") }
            if i == 50 { expected.append("key050 @102 deletion") }
            expected.append("\(key(i)) @\(i + 1) value => \(value(i))")
        }
        #expect(all.map { InspectionText.entry($0) } == expected)
        #expect(all[3].value == nil && all[3].kind == "deletion")
    }

    @Test(arguments: [
        // from, to, limit, expected keys
        ("key010", "key013", nil, ["key010", "key011", "key012"]),
        ("key049", "key051", nil, ["key049", "key050", "key050"]),
        ("key095", nil, 2, ["key095", "key096"]),
        (nil, "key002", nil, ["key000", "key001"]),
        ("key0999", nil, nil, []),
        ("zzz", nil, nil, []),
        (nil, nil, 0, []),
    ] as [(String?, String?, Int?, [String])])
    func scanRange(from: String?, to: String?, limit: Int?, keys: [String]) throws {
        let (db, seg) = try Self.flushedSegment()
        let inspector = try SegmentInspector(path: db.path(seg), fileSystem: db.fs)
        let got = try inspector.entries(from: from.map(bytes), to: to.map(bytes), limit: limit)
        #expect(got.map { $0.key.description } == keys)
    }

    @Test func formatsRenderKeysAndValues() throws {
        let fs = MemoryFileSystem()
        try writeSegment(fs, "/seg/1.seg", [("a\u{1}\\", 7, .value, "hi"), ("b", 3, .deletion, "")])
        let inspector = try SegmentInspector(path: "/seg/1.seg", fileSystem: fs)
        let e = try inspector.entries()
        #expect(e.map { InspectionText.entry($0, format: .printable) } == ["a\\x01\\\\ @7 value => hi", "b @3 deletion"])
        #expect(e.map { InspectionText.entry($0, format: .hex) } == ["61015c @7 value => 6869", "62 @3 deletion"])
        #expect(e.map { InspectionText.entry($0, format: .base64) } == ["YQFc @7 value => aGk=", "Yg== @3 deletion"])
    }

    @Test func checkPassesOnAFreshSegment() throws {
        let (db, seg) = try Self.flushedSegment()
        let c = SegmentInspector.check(path: db.path(seg), fileSystem: db.fs)
        #expect(c.problem == nil)
        #expect(c.entries == 102)
        #expect(c.userKeys == 100)
        #expect(c.dataBlocks >= 2)
        #expect(InspectionText.check(c).hasPrefix("OK /db/\(seg): \(c.dataBlocks) data blocks, 102 entries, 100 user keys"))
    }

    @Test func checkNamesTheDamagedDataBlock() throws {
        let (db, seg) = try Self.flushedSegment()
        let blocks = try SegmentInspector(path: db.path(seg), fileSystem: db.fs).layout()
        let victim = try #require(blocks.first { $0.kind == "data" && $0.number == 1 })
        var b = db.contents(seg)
        b[Int(victim.offset) + 3] ^= 0x40
        db.setContents(seg, b)
        let c = SegmentInspector.check(path: db.path(seg), fileSystem: db.fs)
        let p = try #require(c.problem)
        #expect(p.file == "/db/\(seg)")
        #expect(p.offset == Int64(victim.offset))
        #expect(p.message.hasPrefix("data block 1: block checksum mismatch"))
        #expect(InspectionText.check(c) == "FAILED /db/\(seg) at offset \(victim.offset): \(p.message)")
        // The layout still lists the block, marked bad; a scan stops there with the same words.
        let layout = try SegmentInspector(path: db.path(seg), fileSystem: db.fs).layout()
        #expect(layout.first { $0.number == 1 }?.checksumValid == false)
        #expect(throws: StorageError.self) { try SegmentInspector(path: db.path(seg), fileSystem: db.fs).entries() }
    }

    @Test func checkFindsKeysOutOfOrder() throws {
        let fs = MemoryFileSystem()
        try writeSegment(fs, "/seg/2.seg", [("a", 1, .value, "x"), ("c", 2, .value, "x"), ("b", 3, .value, "x")])
        let p = try #require(SegmentInspector.check(path: "/seg/2.seg", fileSystem: fs).problem)
        #expect(p.message.hasPrefix("data block 0: entry 2 is out of order (b @3 value after c @2 value)"))
        #expect(p.offset == 0)
    }

    @Test func checkFindsKeysOutOfOrderAcrossBlocks() throws {
        let fs = MemoryFileSystem()
        let big = String(repeating: "v", count: 300)  // one entry per 256-byte block
        try writeSegment(fs, "/seg/3.seg", [("a", 1, .value, big), ("c", 2, .value, big), ("b", 3, .value, big)])
        let p = try #require(SegmentInspector.check(path: "/seg/3.seg", fileSystem: fs).problem)
        #expect(p.message.hasPrefix("index block: the key of data block 2 does not follow") || p.message.hasPrefix("data block 2: its first key does not follow"))
    }

    @Test func checkFindsAKeyTheBloomFilterRejects() throws {
        let fs = MemoryFileSystem()
        try writeSegment(fs, "/seg/4.seg", (0..<50).map { (key($0), UInt64($0 + 1), .value, "x") })
        let inspector = try SegmentInspector(path: "/seg/4.seg", fileSystem: fs)
        let filter = try #require(try inspector.layout().first { $0.kind == "filter" })
        // Clear every bit, keep the probe count: each key now fails the filter.
        rewriteBlock(fs, "/seg/4.seg", offset: Int(filter.offset), size: Int(filter.storedSize)) { b in
            for i in 0..<(b.count - 1) { b[i] = 0 }
        }
        let p = try #require(SegmentInspector.check(path: "/seg/4.seg", fileSystem: fs).problem)
        #expect(p.message == "filter block: user key key000 of data block 0 does not pass the bloom filter")
        #expect(p.offset == Int64(filter.offset))
    }

    @Test func checkFindsAnIndexKeyBelowItsBlock() throws {
        let fs = MemoryFileSystem()
        let big = String(repeating: "v", count: 300)
        try writeSegment(fs, "/seg/5.seg", [("b", 1, .value, big), ("d", 2, .value, big)])
        let inspector = try SegmentInspector(path: "/seg/5.seg", fileSystem: fs)
        let index = try #require(try inspector.layout().first { $0.kind == "index" })
        // Index keys are "b"+trailer and "d"+trailer: turn "d" into "a" (below its block's "d").
        rewriteBlock(fs, "/seg/5.seg", offset: Int(index.offset), size: Int(index.storedSize)) { b in
            // "d" followed by its trailer (sequence 2, kind value): 0x01 0x02.
            let i = b.indices.first { $0 + 2 < b.count && b[$0] == UInt8(ascii: "d") && b[$0 + 1] == 1 && b[$0 + 2] == 2 }!
            b[i] = UInt8(ascii: "a")
        }
        let p = try #require(SegmentInspector.check(path: "/seg/5.seg", fileSystem: fs).problem)
        #expect(p.message.hasPrefix("index block:"))
        #expect(p.offset == Int64(index.offset))
    }

    @Test func checkFindsPropertiesThatDisagree() throws {
        let fs = MemoryFileSystem()
        try writeSegment(fs, "/seg/6.seg", [("a", 1, .value, "x"), ("b", 2, .value, "y")])
        let inspector = try SegmentInspector(path: "/seg/6.seg", fileSystem: fs)
        let props = try #require(try inspector.layout().first { $0.kind == "properties" })
        rewriteBlock(fs, "/seg/6.seg", offset: Int(props.offset), size: Int(props.storedSize)) { b in
            #expect(b[0] == 1 && b[1] == 2)  // tag 1 (entry count) = 2
            b[1] = 3
        }
        let p = try #require(SegmentInspector.check(path: "/seg/6.seg", fileSystem: fs).problem)
        #expect(p.message == "properties block: entry count is 3, but the data blocks hold 2")
    }

    @Test(arguments: [
        (0, "footer: file too short to be a segment"),
        (63, "footer: file too short to be a segment"),
    ])
    func tooShortIsNotASegment(size: Int, message: String) throws {
        let fs = MemoryFileSystem()
        try fs.createDirectory("/x")
        fs.setContents(of: "/x/f", [UInt8](repeating: 7, count: size))
        let e = try #require(throws: StorageError.self) { try SegmentInspector(path: "/x/f", fileSystem: fs) }
        #expect(e.code == .notADatabase)
        #expect(e.message.hasPrefix(message))
        #expect(e.file == "/x/f")
    }

    @Test func foreignFileIsRefusedByMagic() throws {
        let fs = MemoryFileSystem()
        try fs.createDirectory("/x")
        fs.setContents(of: "/x/f", Array(String(repeating: "hello world\n", count: 20).utf8))
        let e = try #require(throws: StorageError.self) { try SegmentInspector(path: "/x/f", fileSystem: fs) }
        #expect(e.code == .notADatabase)
        #expect(e.message.hasPrefix("footer: not a Strata segment: bad magic number"))
        #expect(e.offset == Int64(240 - 64 + 56))
    }

    @Test func newerFormatVersionIsRefused() throws {
        let fs = MemoryFileSystem()
        try writeSegment(fs, "/seg/7.seg", [("a", 1, .value, "x")])
        var b = fs.contents(of: "/seg/7.seg")!
        let footer = b.count - 64
        b[footer + 48] = 9
        let crc = CRC32C.checksum(Array(b[footer..<(footer + 52)]))
        var masked: [UInt8] = []
        putFixed32(CRC32C.mask(crc), into: &masked)
        b.replaceSubrange((footer + 52)..<(footer + 56), with: masked)
        fs.setContents(of: "/seg/7.seg", b)
        let e = try #require(throws: StorageError.self) { try SegmentInspector(path: "/seg/7.seg", fileSystem: fs) }
        #expect(e.code == .unsupportedVersion)
        #expect(e.offset == Int64(footer + 48))
    }

    @Test func hugeHandlesInAValidFooterDoNotTrap() throws {
        // A footer with a correct checksum whose handles would overflow 64-bit arithmetic.
        let fs = MemoryFileSystem()
        try fs.createDirectory("/x")
        var footer: [UInt8] = []
        SegmentFooter(filter: BlockHandle(offset: .max - 2, size: 10), index: BlockHandle(offset: 0, size: .max),
                      properties: BlockHandle(offset: 0, size: 0)).encode(into: &footer)
        fs.setContents(of: "/x/f", [UInt8](repeating: 0, count: 100) + footer)
        let e = try #require(throws: StorageError.self) { try SegmentInspector(path: "/x/f", fileSystem: fs) }
        #expect(e.message.contains("points past the footer"))
        #expect(SegmentInspector.check(path: "/x/f", fileSystem: fs).problem != nil)
    }
}
