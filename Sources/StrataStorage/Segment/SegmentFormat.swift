// Constants and small records of the segment file format. Format: Docs/segment_format.md.

/// On-disk: never change.
enum SegmentFormat {
    /// "STRATSEG" read as a little-endian u64.
    static let magic: UInt64 = 0x4745_5354_4152_5453
    static let formatVersion: UInt32 = 1
    static let footerSize = 64
    /// compression type (1) + masked CRC32C (4) after every block.
    static let blockTrailerSize = 5
}

/// Where a block lives in a segment: offset and size of its stored contents (trailer excluded).
struct BlockHandle: Equatable, Sendable {
    var offset: UInt64
    var size: UInt64

    func encode(into out: inout [UInt8]) {
        putVarint(offset, into: &out)
        putVarint(size, into: &out)
    }

    init(offset: UInt64, size: UInt64) {
        self.offset = offset
        self.size = size
    }

    init?(decoding r: inout ByteReader) {
        guard let o = r.readVarint(), let s = r.readVarint() else { return nil }
        offset = o
        size = s
    }
}

/// The fixed 64-byte footer at the end of every segment.
///
///     filter handle (offset u64, size u64) | index handle | properties handle
///     | format version u32 | masked CRC32C of bytes 0..<52 u32 | magic u64
struct SegmentFooter: Equatable {
    var filter: BlockHandle
    var index: BlockHandle
    var properties: BlockHandle
    var formatVersion: UInt32 = SegmentFormat.formatVersion

    func encode(into out: inout [UInt8]) {
        let start = out.count
        for h in [filter, index, properties] {
            putFixed64(h.offset, into: &out)
            putFixed64(h.size, into: &out)
        }
        putFixed32(formatVersion, into: &out)
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<(start + 52)])) }
        putFixed32(CRC32C.mask(crc), into: &out)
        putFixed64(SegmentFormat.magic, into: &out)
    }

    init(filter: BlockHandle, index: BlockHandle, properties: BlockHandle) {
        self.filter = filter
        self.index = index
        self.properties = properties
    }

    init(decoding bytes: [UInt8], file: String, offset: Int64) throws {
        guard bytes.count == SegmentFormat.footerSize else {
            throw StorageError(.notADatabase, "file too short to be a segment (\(bytes.count) footer bytes)", file: file, offset: offset)
        }
        let magic = loadFixed64(bytes, 56)
        guard magic == SegmentFormat.magic else {
            throw StorageError(.notADatabase, "not a Strata segment: bad magic number 0x\(String(magic, radix: 16))", file: file, offset: offset + 56)
        }
        // Version before checksum: a newer version may lay the footer out differently.
        let version = loadFixed32(bytes, 48)
        guard version <= SegmentFormat.formatVersion else {
            throw StorageError(.unsupportedVersion, "segment format version \(version) is newer than this build reads (up to \(SegmentFormat.formatVersion))", file: file, offset: offset + 48)
        }
        let stored = CRC32C.unmask(loadFixed32(bytes, 52))
        let actual = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<52])) }
        guard stored == actual else {
            throw StorageError.corruption("segment footer checksum mismatch", file: file, offset: offset)
        }
        guard version >= 1 else {
            throw StorageError.corruption("segment format version 0 is not valid", file: file, offset: offset + 48)
        }
        formatVersion = version
        filter = BlockHandle(offset: loadFixed64(bytes, 0), size: loadFixed64(bytes, 8))
        index = BlockHandle(offset: loadFixed64(bytes, 16), size: loadFixed64(bytes, 24))
        properties = BlockHandle(offset: loadFixed64(bytes, 32), size: loadFixed64(bytes, 40))
    }
}

/// Facts about a segment, stored in its properties block as tagged fields.
public struct SegmentProperties: Sendable, Equatable {
    public var entryCount: UInt64 = 0
    public var deletionCount: UInt64 = 0
    public var dataBlockCount: UInt64 = 0
    public var rawKeyBytes: UInt64 = 0
    public var rawValueBytes: UInt64 = 0
    /// Sum of data block sizes before compression.
    public var rawDataBytes: UInt64 = 0
    /// Sum of data block sizes as stored (after compression, trailers excluded).
    public var storedDataBytes: UInt64 = 0
    public var compressedBlockCount: UInt64 = 0
    public var smallestSequence: UInt64 = .max
    public var largestSequence: UInt64 = 0
    public var bloomBitsPerKey: UInt64 = 0
    /// Internal keys (user key + trailer).
    public var smallestKey: [UInt8] = []
    public var largestKey: [UInt8] = []

    /// Tags. On-disk: never change or reuse.
    enum Tag: UInt8 {
        case entryCount = 1, deletionCount = 2, dataBlockCount = 3, rawKeyBytes = 4, rawValueBytes = 5
        case rawDataBytes = 6, storedDataBytes = 7, compressedBlockCount = 8, smallestSequence = 9
        case largestSequence = 10, bloomBitsPerKey = 11, smallestKey = 12, largestKey = 13
    }

    func encode(into out: inout [UInt8]) {
        let ints: [(Tag, UInt64)] = [
            (.entryCount, entryCount), (.deletionCount, deletionCount), (.dataBlockCount, dataBlockCount),
            (.rawKeyBytes, rawKeyBytes), (.rawValueBytes, rawValueBytes), (.rawDataBytes, rawDataBytes),
            (.storedDataBytes, storedDataBytes), (.compressedBlockCount, compressedBlockCount),
            (.smallestSequence, entryCount == 0 ? 0 : smallestSequence), (.largestSequence, largestSequence),
            (.bloomBitsPerKey, bloomBitsPerKey),
        ]
        for (t, v) in ints {
            out.append(t.rawValue)
            putVarint(v, into: &out)
        }
        out.append(Tag.smallestKey.rawValue)
        putLengthPrefixed(smallestKey, into: &out)
        out.append(Tag.largestKey.rawValue)
        putLengthPrefixed(largestKey, into: &out)
    }

    init() {}

    init(decoding p: UnsafeRawBufferPointer, file: String, offset: Int64) throws {
        var r = ByteReader(p)
        while !r.isAtEnd {
            guard let t = r.readByte() else { break }
            guard let tag = Tag(rawValue: t) else {
                throw StorageError.corruption("unknown properties tag \(t)", file: file, offset: offset + Int64(r.position - 1))
            }
            switch tag {
            case .smallestKey, .largestKey:
                guard let b = r.readLengthPrefixed() else {
                    throw StorageError.corruption("truncated properties", file: file, offset: offset + Int64(r.position))
                }
                if tag == .smallestKey { smallestKey = b } else { largestKey = b }
            default:
                guard let v = r.readVarint() else {
                    throw StorageError.corruption("truncated properties", file: file, offset: offset + Int64(r.position))
                }
                switch tag {
                case .entryCount: entryCount = v
                case .deletionCount: deletionCount = v
                case .dataBlockCount: dataBlockCount = v
                case .rawKeyBytes: rawKeyBytes = v
                case .rawValueBytes: rawValueBytes = v
                case .rawDataBytes: rawDataBytes = v
                case .storedDataBytes: storedDataBytes = v
                case .compressedBlockCount: compressedBlockCount = v
                case .smallestSequence: smallestSequence = v
                case .largestSequence: largestSequence = v
                case .bloomBitsPerKey: bloomBitsPerKey = v
                case .smallestKey, .largestKey: break
                }
            }
        }
    }
}
