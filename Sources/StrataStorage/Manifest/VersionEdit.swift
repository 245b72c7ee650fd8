// A change to the set of live files, one manifest record each. Format: Docs/manifest_format.md.

import Synchronization

/// Describes one segment in a version. Immutable.
public final class FileMetadata: Sendable, CustomStringConvertible {
    /// The open segment, while the segment cache keeps it open: saves a cache lookup per probe.
    let readerSlot = Mutex<SegmentReader?>(nil)
    public let number: FileNumber
    public let size: UInt64
    /// Internal keys: the segment's first and last entries.
    let smallest: [UInt8]
    let largest: [UInt8]
    public let smallestSequence: UInt64
    public let largestSequence: UInt64
    public let entryCount: UInt64
    /// Probes of this file that were followed by a probe of another file for the same key (reads
    /// that paid for this file and found nothing). At zero, compacting the file into the level
    /// below costs less than the reads it keeps costing; see "Seek compaction" in
    /// Docs/architecture.md. Shared by every version that lists the file.
    let seekBudget: Atomic<Int>

    init(number: FileNumber, size: UInt64, smallest: [UInt8], largest: [UInt8],
         smallestSequence: UInt64, largestSequence: UInt64, entryCount: UInt64) {
        self.number = number
        self.size = size
        self.smallest = smallest
        self.largest = largest
        self.smallestSequence = smallestSequence
        self.largestSequence = largestSequence
        self.entryCount = entryCount
        seekBudget = Atomic(Self.seekBudget(size: size))
    }

    /// One wasted probe of a file (an index search, a bloom probe, often a block read) costs about
    /// as much as compacting 16 KiB of it, so a file may waste size / 16 KiB probes (at least
    /// 100, so small files are not rewritten over a handful of reads).
    static func seekBudget(size: UInt64) -> Int { max(100, Int(clamping: size / (16 << 10))) }

    public var smallestUserKey: [UInt8] { Array(InternalKey.userKey(smallest)) }
    public var largestUserKey: [UInt8] { Array(InternalKey.userKey(largest)) }
    public var description: String { "#\(number) (\(size) bytes, \(entryCount) entries)" }
}

struct VersionEdit {
    /// Tags. On-disk: never change or reuse a value.
    enum Tag: UInt8 {
        case formatVersion = 1
        case logNumber = 2
        case nextFileNumber = 3
        case lastSequence = 4
        case compactPointer = 5
        case deletedFile = 6
        case newFile = 7
    }

    /// The manifest format this build writes.
    static let currentFormatVersion: UInt64 = 1

    var formatVersion: UInt64?
    var logNumber: FileNumber?
    var nextFileNumber: FileNumber?
    var lastSequence: UInt64?
    var compactPointers: [(level: Int, key: [UInt8])] = []
    var deletedFiles: [(level: Int, number: FileNumber)] = []
    var newFiles: [(level: Int, file: FileMetadata)] = []

    func encode() -> [UInt8] {
        var out: [UInt8] = []
        if let v = formatVersion { out.append(Tag.formatVersion.rawValue); putVarint(v, into: &out) }
        if let v = logNumber { out.append(Tag.logNumber.rawValue); putVarint(v.rawValue, into: &out) }
        if let v = nextFileNumber { out.append(Tag.nextFileNumber.rawValue); putVarint(v.rawValue, into: &out) }
        if let v = lastSequence { out.append(Tag.lastSequence.rawValue); putVarint(v, into: &out) }
        for (level, key) in compactPointers {
            out.append(Tag.compactPointer.rawValue)
            putVarint(level, into: &out)
            putLengthPrefixed(key, into: &out)
        }
        for (level, number) in deletedFiles {
            out.append(Tag.deletedFile.rawValue)
            putVarint(level, into: &out)
            putVarint(number.rawValue, into: &out)
        }
        for (level, f) in newFiles {
            out.append(Tag.newFile.rawValue)
            putVarint(level, into: &out)
            putVarint(f.number.rawValue, into: &out)
            putVarint(f.size, into: &out)
            putLengthPrefixed(f.smallest, into: &out)
            putLengthPrefixed(f.largest, into: &out)
            putVarint(f.smallestSequence, into: &out)
            putVarint(f.largestSequence, into: &out)
            putVarint(f.entryCount, into: &out)
        }
        return out
    }

    init() {}

    /// Decodes a record; `file` and `offset` locate it for error messages.
    init(decoding bytes: [UInt8], file: String, offset: Int64) throws {
        func bad(_ what: String) -> StorageError {
            .corruption("manifest record: \(what)", file: file, offset: offset)
        }
        try bytes.withUnsafeBytes { p in
            var r = ByteReader(p)
            while !r.isAtEnd {
                let t = r.readByte()!
                guard let tag = Tag(rawValue: t) else { throw bad("unknown tag \(t)") }
                switch tag {
                case .formatVersion:
                    guard let v = r.readVarint() else { throw bad("truncated format version") }
                    // Checked here, before any tag a newer version may have added.
                    guard v <= Self.currentFormatVersion else {
                        throw StorageError(.unsupportedVersion, "the database was written by a newer format version (manifest version \(v); this build reads up to \(Self.currentFormatVersion))", file: file, offset: offset)
                    }
                    formatVersion = v
                case .logNumber:
                    guard let v = r.readVarint() else { throw bad("truncated log number") }
                    logNumber = FileNumber(v)
                case .nextFileNumber:
                    guard let v = r.readVarint() else { throw bad("truncated next file number") }
                    nextFileNumber = FileNumber(v)
                case .lastSequence:
                    guard let v = r.readVarint() else { throw bad("truncated last sequence") }
                    lastSequence = v
                case .compactPointer:
                    guard let l = r.readVarintInt(), l < Version.levelCount, let k = r.readLengthPrefixed(), k.count >= 8 else {
                        throw bad("bad compact pointer")
                    }
                    compactPointers.append((l, k))
                case .deletedFile:
                    guard let l = r.readVarintInt(), l < Version.levelCount, let n = r.readVarint() else { throw bad("bad deleted file") }
                    deletedFiles.append((l, FileNumber(n)))
                case .newFile:
                    guard let l = r.readVarintInt(), l < Version.levelCount, let n = r.readVarint(), let size = r.readVarint(),
                          let s = r.readLengthPrefixed(), s.count >= 8, let g = r.readLengthPrefixed(), g.count >= 8,
                          let ss = r.readVarint(), let ls = r.readVarint(), let ec = r.readVarint() else {
                        throw bad("bad new file")
                    }
                    newFiles.append((l, FileMetadata(number: FileNumber(n), size: size, smallest: s, largest: g,
                                                     smallestSequence: ss, largestSequence: ls, entryCount: ec)))
                }
            }
        }
    }
}
