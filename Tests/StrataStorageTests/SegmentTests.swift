import Foundation
import Testing
@testable import StrataStorage

@Suite struct SegmentTests {
    func ikey(_ s: String, _ seq: UInt64, _ kind: EntryKind = .value) -> [UInt8] { InternalKey.make(Array(s.utf8), seq, kind) }

    @Test(arguments: [1, 2, 16, 17, 500])
    func blockRoundTripSeekAndReverse(_ n: Int) throws {
        var builder = BlockBuilder(restartInterval: 16)
        var keys: [[UInt8]] = []
        for i in 0..<n {
            let k = ikey(String(format: "key%05d", i * 2), UInt64(i + 1))
            keys.append(k)
            k.withUnsafeBytes { kb in Array("value\(i)".utf8).withUnsafeBytes { builder.add(kb, $0) } }
        }
        let raw = builder.finish()
        let block = try raw.withUnsafeBytes { try Block(copying: $0, file: "t", offset: 0) }
        let it = block.makeIterator(file: "t", offset: 0)
        it.seekToFirst()
        var forward: [[UInt8]] = []
        while it.isValid { forward.append(Array(it.key)); it.next() }
        #expect(forward == keys)
        it.seekToLast()
        var backward: [[UInt8]] = []
        while it.isValid { backward.append(Array(it.key)); it.prev() }
        #expect(backward == keys.reversed())
        // Seek to a key between two stored keys lands on the next one.
        for i in stride(from: 0, to: n, by: max(1, n / 7)) {
            it.seek(ikey(String(format: "key%05d", i * 2 - 1), 1000))
            #expect(it.isValid)
            #expect(Array(it.key) == keys[i])
            #expect(String(decoding: it.value, as: UTF8.self) == "value\(i)")
        }
        it.seek(ikey("zzz", 1))
        #expect(!it.isValid)
        #expect(it.error == nil)
    }

    @Test func corruptBlockIsAnErrorNotACrash() throws {
        // Random garbage: restart count out of range, or entries that do not parse.
        var rng = SeededRandom(seed: 7)
        for _ in 0..<200 {
            let n = Int.random(in: 0..<64, using: &rng)
            let raw = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            guard let block = try? raw.withUnsafeBytes({ try Block(copying: $0, file: "t", offset: 0) }) else { continue }
            let it = block.makeIterator(file: "t", offset: 0)
            it.seekToFirst()
            var steps = 0
            while it.isValid && steps < 100 { it.next(); steps += 1 }
            it.seek(ikey("m", 5))
            it.seekToLast()
        }
    }

    /// Both filter kinds: the blocked one this build writes and the classic one earlier builds
    /// wrote (still read). No false negatives; about 1% false positives at 10 bits per key.
    @Test(arguments: [false, true])
    func bloomFilterFalsePositiveRateIsAboutOnePercent(classic: Bool) {
        var hashes: [UInt64] = []
        for i in 0..<10_000 { hashes.append(Array("present-\(i)".utf8).withUnsafeBytes { bloomHash($0) }) }
        let filter = classic ? BloomFilter.buildClassic(hashes: hashes, bitsPerKey: 10) : BloomFilter.build(hashes: hashes, bitsPerKey: 10)
        #expect(classic ? filter.last == 6 : filter.last == BloomFilter.blockedMarker + 6)
        #expect(classic || (filter.count - 1) % 64 == 0)
        filter.withUnsafeBytes { f in
            for h in hashes { #expect(BloomFilter.mayContain(f, hash: h)) }
            var falsePositives = 0
            let trials = 100_000
            for i in 0..<trials {
                let h = Array("absent-\(i)".utf8).withUnsafeBytes { bloomHash($0) }
                if BloomFilter.mayContain(f, hash: h) { falsePositives += 1 }
            }
            let rate = Double(falsePositives) / Double(trials)
            #expect(rate < 0.02, "false positive rate \(rate)")
            #expect(rate > 0.0001, "a 10 bits/key filter cannot be this good: \(rate)")
        }
    }

    /// A blocked filter whose size is not whole lines, or whose probe count is out of range, is
    /// damaged: it answers "may contain" for every key rather than hide one.
    @Test func damagedBlockedFilterNeverHidesAKey() {
        let hashes = (0..<100).map { i in Array("k\(i)".utf8).withUnsafeBytes { bloomHash($0) } }
        let good = BloomFilter.build(hashes: hashes, bitsPerKey: 10)
        let absent = (0..<200).map { i in Array("absent\(i)".utf8).withUnsafeBytes { bloomHash($0) } }
        #expect(absent.contains { h in !good.withUnsafeBytes { BloomFilter.mayContain($0, hash: h) } })
        var shortLine = good
        shortLine.remove(at: 0)  // 63 bytes of bits: not a whole line
        var badCount = good
        badCount[badCount.count - 1] = BloomFilter.blockedMarker + 31
        for damaged in [shortLine, badCount] {
            for h in absent + hashes { #expect(damaged.withUnsafeBytes { BloomFilter.mayContain($0, hash: h) }) }
        }
    }

    /// Writes a segment of `n` entries to a memory file system; returns the fs and path.
    func makeSegment(_ n: Int, compression: Bool = true) throws -> (MemoryFileSystem, String) {
        let fs = MemoryFileSystem()
        try fs.createDirectory("/d")
        var options = StorageOptions()
        options.compression = compression
        options.blockBytes = 1024
        let file = try fs.openWritable("/d/000007.seg", truncate: true)
        let w = SegmentWriter(file: file, options: options)
        for i in 0..<n {
            try w.add(ikey(String(format: "k%06d", i), UInt64(i + 1), i % 10 == 9 ? .deletion : .value),
                      Array(String(repeating: "value \(i % 17) ", count: 4).utf8))
        }
        _ = try w.finish()
        try file.sync()
        return (fs, "/d/000007.seg")
    }

    @Test(arguments: [true, false])
    func segmentRoundTrip(compression: Bool) throws {
        let (fs, path) = try makeSegment(3000, compression: compression)
        let r = try SegmentReader(file: try fs.openReadable(path), number: FileNumber(7), cache: BlockCache(capacityBytes: 1 << 20))
        #expect(r.properties.entryCount == 3000)
        #expect(r.properties.deletionCount == 300)
        #expect(r.properties.smallestSequence == 1)
        #expect(r.properties.largestSequence == 3000)
        #expect(r.properties.dataBlockCount > 10)
        if compression {
            #expect(r.properties.compressedBlockCount == r.properties.dataBlockCount)
            #expect(r.properties.storedDataBytes < r.properties.rawDataBytes / 2)
        } else {
            #expect(r.properties.storedDataBytes == r.properties.rawDataBytes)
        }
        for i in [0, 1, 9, 1500, 2999] {
            let uk = Array(String(format: "k%06d", i).utf8)
            let res = try r.get(lookup: InternalKey.lookup(uk, 10_000), userKey: uk, hash: uk.withUnsafeBytes { bloomHash($0) }, fillCache: true)
            switch res {
            case .found(let v): #expect(i % 10 != 9); #expect(String(decoding: v, as: UTF8.self).hasPrefix("value \(i % 17) "))
            case .deleted: #expect(i % 10 == 9)
            case .absent: Issue.record("key \(i) missing")
            }
        }
        // Not visible below its sequence number.
        let uk = Array("k001500".utf8)
        if case .found = try r.get(lookup: InternalKey.lookup(uk, 1000), userKey: uk, hash: uk.withUnsafeBytes { bloomHash($0) }, fillCache: true) {
            Issue.record("entry visible before its sequence number")
        }
        let it = r.makeIterator()
        it.seekToLast()
        var count = 0
        while it.isValid { count += 1; it.prev() }
        #expect(count == 3000)
    }

    @Test func flippedBitGivesCorruptionNamingFileAndOffset() throws {
        let (fs, path) = try makeSegment(2000)
        var data = fs.contents(of: path)!
        data[100] ^= 0x40  // inside the first data block
        fs.setContents(of: path, data)
        let r = try SegmentReader(file: try fs.openReadable(path), number: FileNumber(7), cache: nil)
        let it = r.makeIterator()
        it.seekToFirst()
        #expect(!it.isValid)
        let e = try #require(it.error)
        #expect(e.code == .corruption)
        #expect(e.file == path)
        #expect(e.offset == 0)
    }

    @Test(arguments: [0, 10, 63, 64])
    func truncatedOrForeignFilesAreRefused(_ keep: Int) throws {
        let (fs, path) = try makeSegment(100)
        let data = fs.contents(of: path)!
        fs.setContents(of: path, Array(data.prefix(keep)))
        #expect(throws: StorageError.self) { try SegmentReader(file: try fs.openReadable(path), number: FileNumber(7), cache: nil) }
        fs.setContents(of: path, Array(repeating: 0x41, count: 4096))
        let e = #expect(throws: StorageError.self) { try SegmentReader(file: try fs.openReadable(path), number: FileNumber(7), cache: nil) }
        #expect(e?.code == .notADatabase)
    }

    @Test func newerSegmentVersionIsRefused() throws {
        let (fs, path) = try makeSegment(10)
        var data = fs.contents(of: path)!
        let footer = data.count - SegmentFormat.footerSize
        data[footer + 48] = 9  // version 9
        // Re-seal the footer checksum so only the version is wrong.
        let crc = data.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[footer..<(footer + 52)])) }
        withUnsafeBytes(of: CRC32C.mask(crc).littleEndian) { for i in 0..<4 { data[footer + 52 + i] = $0[i] } }
        fs.setContents(of: path, data)
        let e = #expect(throws: StorageError.self) { try SegmentReader(file: try fs.openReadable(path), number: FileNumber(7), cache: nil) }
        #expect(e?.code == .unsupportedVersion)
    }
}

/// Blocks of a mapped segment are verified and decompressed in place: damage must still be
/// caught by the checksum, never read as data.
@Suite struct MappedBlockTests {
    @Test func flippedByteInAMappedSegmentFailsItsChecksum() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let o = StorageOptions.small(background: false)
        var db = try StorageEngine.open(at: dir.db, options: o)
        for i in 0..<500 { try db.put(bytes("key\(10000 + i)"), bytes(String(repeating: "v", count: 40) + "\(i)")) }
        try db.flush()
        #expect(try db.allEntries().count == 500)
        try db.close()
        // One byte of the first data block of every segment.
        let segs = try FileManager.default.contentsOfDirectory(atPath: dir.db).filter { $0.hasSuffix(".seg") }
        #expect(!segs.isEmpty)
        for s in segs {
            let url = URL(fileURLWithPath: dir.db + "/" + s)
            var data = [UInt8](try Data(contentsOf: url))
            data[10] ^= 0x40
            try Data(data).write(to: url)
        }
        db = try StorageEngine.open(at: dir.db, options: o)
        let it = try db.makeIterator()
        it.seekToFirst()
        while it.isValid { it.next() }
        let e = #expect(throws: StorageError.self) { try it.check() }
        #expect(e?.code == .corruption)
        #expect(e?.message == "block checksum mismatch")
        try db.close()
    }
}
