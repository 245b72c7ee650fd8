// Reads a segment file for strata-dump: properties, block layout, entries. Format: Docs/segment_format.md.
//
// Unlike `SegmentReader`, every handle and length read from the file is checked with arithmetic
// that cannot overflow, so a damaged or foreign file gives a `StorageError`, never a trap.

/// Facts about a segment, from its footer and properties block.
public struct SegmentSummary: Sendable, Equatable, Encodable {
    public var file: String
    public var fileSize: UInt64
    public var formatVersion: UInt32
    public var entries: UInt64
    public var deletions: UInt64
    public var dataBlocks: UInt64
    public var compressedBlocks: UInt64
    /// First and last entries (nil in an empty segment).
    public var smallestKey: InspectedKey?
    public var largestKey: InspectedKey?
    public var smallestSequence: UInt64?
    public var largestSequence: UInt64?
    public var rawKeyBytes: UInt64
    public var rawValueBytes: UInt64
    /// Data blocks before compression, and as stored (trailers excluded).
    public var rawDataBytes: UInt64
    public var storedDataBytes: UInt64
    /// rawDataBytes / storedDataBytes (1 when there is no data).
    public var compressionRatio: Double
    public var bloomBitsPerKey: UInt64
    /// Probes per key, from the filter's last byte (nil without a filter, or when that byte is
    /// neither kind's).
    public var bloomProbes: Int?
    /// "blocked" or "classic" (Docs/segment_format.md, section 5); nil without a filter, or when
    /// its last byte is neither kind's.
    public var bloomKind: String?
    public var filterBytes: UInt64
    public var indexBytes: UInt64
    public var propertiesBytes: UInt64
}

/// One block of a segment as it lies in the file (the footer is listed as a block too).
public struct SegmentBlockInfo: Sendable, Equatable, Encodable {
    /// "data", "filter", "index", "properties" or "footer".
    public var kind: String
    /// Position among the data blocks (0-based); nil for the others.
    public var number: Int?
    public var offset: UInt64
    /// Stored contents, trailer excluded.
    public var storedSize: UInt64
    /// Size after decompression (nil if the block could not be decoded).
    public var rawSize: UInt64?
    /// "none", "lz4" or "unknown(N)".
    public var compression: String
    public var restartCount: Int?
    public var entries: Int?
    /// The stored (unmasked) CRC32C and whether it matches the bytes.
    public var checksum: UInt32
    public var checksumValid: Bool
    /// For a data block, its index key (>= its last key, < the next block's first key).
    public var indexKey: InspectedKey?
    /// Why the block could not be decoded, if it could not.
    public var problem: String?
}

/// One entry of a segment.
public struct SegmentEntry: Sendable, Equatable, Encodable {
    public var key: InspectedBytes
    public var sequence: UInt64
    /// "value", "deletion", or "unknown(N)".
    public var kind: String
    /// Nil for a deletion.
    public var value: InspectedBytes?
    /// The data block holding it.
    public var block: Int
}

/// Opens one segment file and answers questions about it.
public final class SegmentInspector {
    public let path: String
    let file: any ReadableFile
    public let fileSize: UInt64
    let footerOffset: UInt64
    let footer: SegmentFooter
    let footerChecksum: UInt32
    let properties: SegmentProperties
    let index: Block
    let filter: [UInt8]

    /// Reads the footer, index, filter and properties. Throws a `StorageError` naming the file,
    /// the part of it and the offset when the file is not a readable segment.
    public init(path: String, fileSystem: any FileSystem = PosixFileSystem()) throws {
        self.path = path
        file = try fileSystem.openReadable(path)
        do {
            let size = try file.size()
            fileSize = UInt64(max(size, 0))
            guard fileSize >= UInt64(SegmentFormat.footerSize) else {
                throw StorageError(.notADatabase, "footer: file too short to be a segment (\(size) bytes, a footer needs \(SegmentFormat.footerSize))", file: path, offset: 0)
            }
            footerOffset = fileSize - UInt64(SegmentFormat.footerSize)
            let footerBytes = try file.read(at: Int64(footerOffset), count: SegmentFormat.footerSize)
            let footerAt = Int64(footerOffset)
            footer = try located("footer", file: path) { try SegmentFooter(decoding: footerBytes, file: path, offset: footerAt) }
            footerChecksum = CRC32C.unmask(loadFixed32(footerBytes, 52))
            let limit = footerOffset
            for (name, h) in [("filter", footer.filter), ("index", footer.index), ("properties", footer.properties)] {
                guard Self.fits(h, before: limit) else {
                    throw StorageError.corruption("footer: \(name) block handle (offset \(h.offset), size \(h.size)) points past the footer", file: path, offset: footerAt)
                }
            }
            let f = footer
            let file = self.file
            index = try located("index block", file: path) { try Self.decode(try Self.readRaw(file, f.index)) }
            filter = try located("filter block", file: path) { try Self.verified(try Self.readRaw(file, f.filter)) }
            let p = try located("properties block", file: path) { try Self.verified(try Self.readRaw(file, f.properties)) }
            properties = try located("properties block", file: path) {
                try p.withUnsafeBytes { try SegmentProperties(decoding: $0, file: path, offset: Int64(f.properties.offset)) }
            }
        } catch {
            file.close()
            throw error
        }
    }

    deinit { file.close() }

    /// Whether a block and its trailer lie wholly before `limit` (no overflow on any input).
    static func fits(_ h: BlockHandle, before limit: UInt64) -> Bool {
        let trailer = UInt64(SegmentFormat.blockTrailerSize)
        return h.offset <= limit && h.size <= limit - h.offset && trailer <= limit - h.offset - h.size
    }

    /// A block's stored bytes and trailer, checksum not yet judged.
    struct RawBlock {
        var handle: BlockHandle
        var contents: [UInt8]
        var typeByte: UInt8
        var storedChecksum: UInt32
        var actualChecksum: UInt32
        var checksumValid: Bool { storedChecksum == actualChecksum }
        var compression: String {
            switch CompressionType(rawValue: typeByte) {
            case .none?: return "none"
            case .lz4?: return "lz4"
            case nil: return "unknown(\(typeByte))"
            }
        }
    }

    /// Reads a block whose handle `fits` before the footer.
    static func readRaw(_ file: any ReadableFile, _ h: BlockHandle) throws -> RawBlock {
        let size = Int(h.size)
        let n = size + SegmentFormat.blockTrailerSize
        let data = try file.read(at: Int64(h.offset), count: n)
        guard data.count == n else {
            throw StorageError.corruption("truncated block (wanted \(n) bytes, file has \(data.count))", file: file.path, offset: Int64(h.offset))
        }
        let typeByte = data[size]
        let stored = CRC32C.unmask(loadFixed32(data, size + 1))
        let actual = data.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<(size + 1)])) }
        return RawBlock(handle: h, contents: Array(data[0..<size]), typeByte: typeByte, storedChecksum: stored, actualChecksum: actual)
    }

    /// The stored contents of a block whose checksum matches.
    static func verified(_ raw: RawBlock) throws -> [UInt8] {
        guard raw.checksumValid else {
            throw StorageError.corruption("block checksum mismatch (stored 0x\(hex32(raw.storedChecksum)), computed 0x\(hex32(raw.actualChecksum)))", file: nil, offset: Int64(raw.handle.offset))
        }
        return raw.contents
    }

    /// Verifies, decompresses and parses a block.
    static func decode(_ raw: RawBlock) throws -> Block {
        let contents = try verified(raw)
        let at = Int64(raw.handle.offset)
        switch CompressionType(rawValue: raw.typeByte) {
        case .none?:
            return try contents.withUnsafeBytes { try Block(copying: $0, file: nil, offset: at) }
        case .lz4?:
            guard let out = contents.withUnsafeBytes({ LZ4Codec.decompress($0) }) else {
                throw StorageError.corruption("LZ4 block does not decompress", file: nil, offset: at)
            }
            return try Block(owning: out, file: nil, offset: at)
        case nil:
            throw StorageError.corruption("unknown block compression type \(raw.typeByte)", file: nil, offset: at + Int64(raw.handle.size))
        }
    }

    static func hex32(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }

    public var summary: SegmentSummary {
        let p = properties
        let empty = p.entryCount == 0
        return SegmentSummary(
            file: path, fileSize: fileSize, formatVersion: footer.formatVersion,
            entries: p.entryCount, deletions: p.deletionCount, dataBlocks: p.dataBlockCount,
            compressedBlocks: p.compressedBlockCount,
            smallestKey: InspectedKey(internal: p.smallestKey), largestKey: InspectedKey(internal: p.largestKey),
            smallestSequence: empty ? nil : p.smallestSequence, largestSequence: empty ? nil : p.largestSequence,
            rawKeyBytes: p.rawKeyBytes, rawValueBytes: p.rawValueBytes,
            rawDataBytes: p.rawDataBytes, storedDataBytes: p.storedDataBytes,
            compressionRatio: p.storedDataBytes == 0 ? 1 : Double(p.rawDataBytes) / Double(p.storedDataBytes),
            bloomBitsPerKey: p.bloomBitsPerKey,
            bloomProbes: BloomFilter.kind(filter)?.probes, bloomKind: BloomFilter.kind(filter)?.name,
            filterBytes: footer.filter.size, indexBytes: footer.index.size, propertiesBytes: footer.properties.size)
    }

    /// The data blocks' handles and index keys, in index order. Throws on a malformed index.
    func dataHandles() throws -> [(handle: BlockHandle, indexKey: [UInt8])] {
        var result: [(BlockHandle, [UInt8])] = []
        let it = index.makeIterator(file: path, offset: Int64(footer.index.offset))
        it.seekToFirst()
        while it.isValid {
            var r = ByteReader(it.value)
            guard let h = BlockHandle(decoding: &r), r.isAtEnd else {
                throw StorageError.corruption("index block: entry \(result.count) holds a malformed block handle", file: path, offset: Int64(footer.index.offset))
            }
            guard Self.fits(h, before: footer.filter.offset) else {
                throw StorageError.corruption("index block: data block \(result.count) handle (offset \(h.offset), size \(h.size)) points past the data area", file: path, offset: Int64(footer.index.offset))
            }
            result.append((h, Array(it.key)))
            it.next()
        }
        if let e = it.error { throw relocated(e, "index block", file: path) }
        return result
    }

    /// Every block in file order: data blocks, filter, index, properties, footer. A block that
    /// fails to decode is listed with its `problem`; a malformed index throws.
    public func layout() throws -> [SegmentBlockInfo] {
        var blocks: [SegmentBlockInfo] = []
        for (i, d) in try dataHandles().enumerated() {
            var info = try describe(d.handle, kind: "data", number: i)
            info.indexKey = InspectedKey(internal: d.indexKey)
            blocks.append(info)
        }
        blocks.append(try describe(footer.filter, kind: "filter", number: nil))
        blocks.append(try describe(footer.index, kind: "index", number: nil))
        blocks.append(try describe(footer.properties, kind: "properties", number: nil))
        blocks.append(SegmentBlockInfo(kind: "footer", number: nil, offset: footerOffset, storedSize: UInt64(SegmentFormat.footerSize),
                                       rawSize: UInt64(SegmentFormat.footerSize), compression: "none", restartCount: nil, entries: nil,
                                       checksum: footerChecksum, checksumValid: true, indexKey: nil, problem: nil))
        return blocks
    }

    private func describe(_ h: BlockHandle, kind: String, number: Int?) throws -> SegmentBlockInfo {
        let raw = try located(number.map { "\(kind) block \($0)" } ?? "\(kind) block", file: path) { try Self.readRaw(file, h) }
        var info = SegmentBlockInfo(kind: kind, number: number, offset: h.offset, storedSize: h.size, rawSize: nil,
                                    compression: raw.compression, restartCount: nil, entries: nil,
                                    checksum: raw.storedChecksum, checksumValid: raw.checksumValid, indexKey: nil, problem: nil)
        if kind == "filter" || kind == "properties" {
            if raw.checksumValid { info.rawSize = h.size }
            return info
        }
        do {
            let block = try Self.decode(raw)
            info.rawSize = UInt64(block.size)
            info.restartCount = block.restartCount
            let it = block.makeIterator(file: path, offset: Int64(h.offset))
            var n = 0
            it.seekToFirst()
            while it.isValid { n += 1; it.next() }
            if let e = it.error { info.problem = e.message } else { info.entries = n }
        } catch let e as StorageError {
            info.problem = e.message
        }
        return info
    }

    /// Calls `body` with each entry whose user key is in [from, to), in order, until it returns
    /// false. Throws on a damaged block (after the entries before it).
    public func scan(from: [UInt8]? = nil, to: [UInt8]? = nil, _ body: (SegmentEntry) throws -> Bool) throws {
        let start = from.map { InternalKey.make($0, SequenceNumber.max.rawValue, FormatConstants.kindForSeek) }
        for (i, d) in try dataHandles().enumerated() {
            // The index key is >= every key of its block: skip blocks wholly before `from`.
            if let start, compareInternalKeys(d.indexKey, start) < 0 { continue }
            let location = "data block \(i)"
            let block = try located(location, file: path) { try Self.decode(try Self.readRaw(file, d.handle)) }
            let it = block.makeIterator(file: path, offset: Int64(d.handle.offset))
            if let start { start.withUnsafeBytes { it.seek($0) } } else { it.seekToFirst() }
            while it.isValid {
                let k = InspectedKey(internal: it.key)
                if let to, compareBytes(k.userKey.bytes, to) >= 0 { return }
                let isDeletion = k.kind == "deletion"
                let e = SegmentEntry(key: k.userKey, sequence: k.sequence, kind: k.kind,
                                     value: isDeletion ? nil : InspectedBytes(it.value), block: i)
                guard try body(e) else { return }
                it.next()
            }
            if let e = it.error { throw relocated(e, location, file: path) }
        }
    }

    /// The entries whose user key is in [from, to), at most `limit` of them.
    public func entries(from: [UInt8]? = nil, to: [UInt8]? = nil, limit: Int? = nil) throws -> [SegmentEntry] {
        var out: [SegmentEntry] = []
        if let limit, limit <= 0 { return out }
        try scan(from: from, to: to) { e in
            out.append(e)
            return limit.map { out.count < $0 } ?? true
        }
        return out
    }
}
