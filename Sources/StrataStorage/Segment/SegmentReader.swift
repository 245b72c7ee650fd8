// Reads a segment file. Format: Docs/segment_format.md.

/// An open segment: its footer, index, filter and properties in memory; data blocks read on
/// demand through the block cache.
final class SegmentReader: @unchecked Sendable {  // immutable after init; the file and cache are thread-safe
    let file: any ReadableFile
    let number: FileNumber
    let fileSize: UInt64
    let footer: SegmentFooter
    let index: Block
    /// A dense search aid over the index (nil for an index this writer would not produce).
    let indexWords: IndexWords?
    let filter: [UInt8]
    let properties: SegmentProperties
    let cache: BlockCache?
    /// The file's path (for error messages), read once.
    let path: String

    init(file: any ReadableFile, number: FileNumber, cache: BlockCache?) throws {
        self.file = file
        path = file.path
        self.number = number
        self.cache = cache
        let size = try file.size()
        fileSize = UInt64(size)
        guard size >= Int64(SegmentFormat.footerSize) else {
            throw StorageError(.notADatabase, "file too short to be a segment (\(size) bytes)", file: file.path, offset: 0)
        }
        let footerAt = size - Int64(SegmentFormat.footerSize)
        let footer = try SegmentFooter(decoding: try file.read(at: footerAt, count: SegmentFormat.footerSize), file: file.path, offset: footerAt)
        self.footer = footer
        for (name, h) in [("filter", footer.filter), ("index", footer.index), ("properties", footer.properties)] {
            guard Self.fits(h, before: UInt64(footerAt)) else {
                throw StorageError.corruption("\(name) block handle points past the footer", file: file.path, offset: footerAt)
            }
        }
        index = try Self.readBlock(file: file, handle: footer.index)
        indexWords = IndexWords(index)
        let f = try Self.readRaw(file: file, handle: footer.filter)
        filter = f.bytes
        let p = try Self.readRaw(file: file, handle: footer.properties)
        let path = file.path
        properties = try p.bytes.withUnsafeBytes { try SegmentProperties(decoding: $0, file: path, offset: Int64(footer.properties.offset)) }
    }

    /// Largest block this build reads: guards allocations against a damaged handle.
    static let maxBlockBytes: UInt64 = 1 << 30

    /// True if a block and its trailer lie within [0, limit), computed without overflow.
    static func fits(_ h: BlockHandle, before limit: UInt64) -> Bool {
        let trailer = UInt64(SegmentFormat.blockTrailerSize)
        return h.size <= maxBlockBytes && h.offset <= limit && h.size <= limit - h.offset && trailer <= limit - h.offset - h.size
    }

    /// Reads a block's stored bytes and verifies its checksum; returns contents and compression type.
    static func readRaw(file: any ReadableFile, handle: BlockHandle) throws -> (bytes: [UInt8], type: CompressionType) {
        guard handle.size <= maxBlockBytes, handle.offset <= UInt64(Int64.max) - maxBlockBytes else {
            throw StorageError.corruption("block handle out of range (offset \(handle.offset), size \(handle.size))", file: file.path, offset: nil)
        }
        let n = Int(handle.size) + SegmentFormat.blockTrailerSize
        let data = try file.read(at: Int64(handle.offset), count: n)
        guard data.count == n else {
            throw StorageError.corruption("truncated block (wanted \(n) bytes, file has \(data.count))", file: file.path, offset: Int64(handle.offset))
        }
        let size = Int(handle.size)
        let (typeByte, stored, actual) = data.withUnsafeBytes { p in
            (p[size], CRC32C.unmask(loadFixed32(p, size + 1)), CRC32C.checksum(UnsafeRawBufferPointer(rebasing: p[0..<(size + 1)])))
        }
        guard stored == actual else {
            throw StorageError.corruption("block checksum mismatch", file: file.path, offset: Int64(handle.offset))
        }
        guard let type = CompressionType(rawValue: typeByte) else {
            throw StorageError.corruption("unknown block compression type \(typeByte)", file: file.path, offset: Int64(handle.offset) + Int64(size))
        }
        var bytes = data
        bytes.removeLast(SegmentFormat.blockTrailerSize)
        return (bytes, type)
    }

    /// Reads, verifies and (if needed) decompresses a block. From a mapped file the stored bytes
    /// are checked and decompressed in place (no copy into an array first).
    static func readBlock(file: any ReadableFile, handle: BlockHandle) throws -> Block {
        guard handle.size <= maxBlockBytes, handle.offset <= UInt64(Int64.max) - maxBlockBytes,
              let stored = file.mappedBytes(at: Int64(handle.offset), count: Int(handle.size) + SegmentFormat.blockTrailerSize) else {
            let (bytes, type) = try readRaw(file: file, handle: handle)
            return try bytes.withUnsafeBytes { try decodeBlock($0, type: type, file: file, handle: handle) }
        }
        let size = Int(handle.size)
        let crcStored = CRC32C.unmask(loadFixed32(stored, size + 1))
        guard crcStored == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: stored[0..<(size + 1)])) else {
            throw StorageError.corruption("block checksum mismatch", file: file.path, offset: Int64(handle.offset))
        }
        let typeByte = stored[size]
        guard let type = CompressionType(rawValue: typeByte) else {
            throw StorageError.corruption("unknown block compression type \(typeByte)", file: file.path, offset: Int64(handle.offset) + Int64(size))
        }
        return try decodeBlock(UnsafeRawBufferPointer(rebasing: stored[0..<size]), type: type, file: file, handle: handle)
    }

    /// A block from its verified stored contents (the trailer excluded).
    private static func decodeBlock(_ contents: UnsafeRawBufferPointer, type: CompressionType, file: any ReadableFile,
                                    handle: BlockHandle) throws -> Block {
        switch type {
        case .none:
            return try Block(copying: contents, file: file.path, offset: Int64(handle.offset))
        case .lz4:
            guard let raw = LZ4Codec.decompress(contents) else {
                throw StorageError.corruption("LZ4 block does not decompress", file: file.path, offset: Int64(handle.offset))
            }
            return try Block(owning: raw, file: file.path, offset: Int64(handle.offset))
        }
    }

    /// `nonBlocking`: only from the block cache (`.wouldBlock` when the block is not there).
    func dataBlock(_ handle: BlockHandle, fillCache: Bool, nonBlocking: Bool = false) throws -> Block {
        let key = BlockCache.Key(file: number.rawValue, offset: handle.offset)
        if let cache, let b = cache.get(key) { return b }
        if nonBlocking { throw StorageError.wouldBlock("read (a block not cached)") }
        let b = try Self.readBlock(file: file, handle: handle)
        if fillCache { cache?.insert(key, b) }
        return b
    }

    @inline(__always)
    func mayContain(userKeyHash h: UInt64) -> Bool {
        guard !filter.isEmpty else { return true }
        return filter.withUnsafeBytes { BloomFilter.mayContain($0, hash: h) }
    }

    enum GetResult {
        case found([UInt8])
        case deleted
        case absent
    }

    /// The newest entry of `userKey` at or below the lookup key's sequence.
    func get(lookup: [UInt8], userKey: [UInt8], hash: UInt64, fillCache: Bool) throws -> GetResult {
        try lookup.withUnsafeBytes { l in
            try userKey.withUnsafeBytes { try get(lookup: l, userKey: $0, hash: hash, fillCache: fillCache) }
        }
    }

    func get(lookup target: UnsafeRawBufferPointer, userKey: UnsafeRawBufferPointer, hash: UInt64, fillCache: Bool,
             nonBlocking: Bool = false) throws -> GetResult {
        guard mayContain(userKeyHash: hash) else { return .absent }
        let found: BlockHandle??
        if let indexWords {
            found = indexWords.firstEntry(in: index, atOrAfter: target).map { e -> BlockHandle? in
                var r = ByteReader(e.value)
                return BlockHandle(decoding: &r)
            }
        } else {
            found = try index.withFirstEntry(atOrAfter: target, file: path, offset: Int64(footer.index.offset)) { _, v -> BlockHandle? in
                var r = ByteReader(v)
                return BlockHandle(decoding: &r)
            }
        }
        guard let found else { return .absent }
        guard let handle = found else {
            throw StorageError.corruption("bad block handle in index", file: path, offset: Int64(footer.index.offset))
        }
        let block = try dataBlock(handle, fillCache: fillCache, nonBlocking: nonBlocking)
        let result = try block.withFirstEntry(atOrAfter: target, file: path, offset: Int64(handle.offset)) { k, v -> GetResult in
            let same = compareBytes(userKey, UnsafeRawBufferPointer(start: k.baseAddress, count: k.count - 8)) == 0
            guard same else { return .absent }
            if UInt8(InternalKey.trailer(k) & 0xff) == EntryKind.deletion.rawValue { return .deleted }
            return .found(Array(v))
        }
        return result ?? .absent
    }

    func makeIterator(fillCache: Bool = true) -> SegmentIterator { SegmentIterator(self, fillCache: fillCache) }

    /// The offsets of the data blocks, from the index: the block cache's keys of this file's blocks.
    /// Stops at a damaged index entry (the blocks after it were never readable through it).
    func dataBlockOffsets() -> [UInt64] {
        var offsets: [UInt64] = []
        let it = index.makeIterator(file: path, offset: Int64(footer.index.offset))
        it.seekToFirst()
        while it.isValid {
            var r = ByteReader(it.value)
            guard let h = BlockHandle(decoding: &r) else { break }
            offsets.append(h.offset)
            it.next()
        }
        return offsets
    }
}

/// Iterates a segment: an index iterator chooses the data block, a block iterator walks it.
/// Reusable: `open` points it at another segment (a level iterator moving between files),
/// keeping its two block iterators and their key buffers.
final class SegmentIterator: InternalIterator {
    private(set) var segment: SegmentReader?
    var fillCache: Bool
    let indexIt: BlockIterator
    /// Walks the block of `dataHandle`; on `Block.empty` (never valid) when no block is loaded.
    let dataIt: BlockIterator
    private(set) var dataHandle: BlockHandle?
    /// Boxed: clearing a nil class reference is a pointer store; clearing a nil `StorageError?` is an outlined call.
    private var errorBox: ErrorBox?
    var error: StorageError? { errorBox?.error }

    /// An iterator on no segment (never valid) until `open`.
    init(fillCache: Bool) {
        self.fillCache = fillCache
        indexIt = Block.empty.makeIterator(file: nil, offset: 0)
        dataIt = Block.empty.makeIterator(file: nil, offset: 0)
    }

    convenience init(_ segment: SegmentReader, fillCache: Bool) {
        self.init(fillCache: fillCache)
        open(segment)
    }

    /// Points the iterator at `segment`, unpositioned, forgetting any earlier error.
    func open(_ segment: SegmentReader) {
        self.segment = segment
        indexIt.reset(to: segment.index, offset: Int64(segment.footer.index.offset), file: segment.path)
        dataIt.reset(to: Block.empty, offset: 0, file: segment.path)
        dataHandle = nil
        errorBox = nil
    }

    func clearError() { errorBox = nil }

    /// Leaves the iterator on no segment (keeps its error).
    func close() {
        segment = nil
        indexIt.reset(to: Block.empty, offset: 0)
        clearData()
    }

    var isValid: Bool { dataIt.isValid }
    var key: UnsafeRawBufferPointer { dataIt.key }
    var value: UnsafeRawBufferPointer { dataIt.value }

    private func clearData() {
        if dataHandle != nil { dataIt.reset(to: Block.empty, offset: 0) }
        dataHandle = nil
    }

    private func fail(_ e: StorageError) {
        if errorBox == nil { errorBox = ErrorBox(e) }
        dataIt.reset(to: Block.empty, offset: 0, file: nil)
        dataHandle = nil
    }

    /// Loads the block the index iterator points at.
    private func loadBlock() {
        guard let segment, indexIt.isValid else {
            if let e = indexIt.error { fail(e) } else { clearData() }
            return
        }
        var r = ByteReader(indexIt.value)
        guard let h = BlockHandle(decoding: &r) else {
            fail(.corruption("bad block handle in index", file: segment.path, offset: Int64(segment.footer.index.offset)))
            return
        }
        if dataHandle == h { return }
        do {
            let b = try segment.dataBlock(h, fillCache: fillCache)
            dataIt.reset(to: b, offset: Int64(h.offset))  // `open` gave it the file's path
            dataHandle = h
        } catch let e as StorageError {
            fail(e)
        } catch {
            fail(StorageError(.io, "\(error)", file: segment.path))
        }
    }

    private func skipEmptyForward() {
        while !dataIt.isValid && dataHandle != nil {
            if let e = dataIt.error { fail(e); return }
            indexIt.next()
            loadBlock()
            if dataHandle != nil { dataIt.seekToFirst() }
        }
    }

    private func skipEmptyBackward() {
        while !dataIt.isValid && dataHandle != nil {
            if let e = dataIt.error { fail(e); return }
            indexIt.prev()
            loadBlock()
            if dataHandle != nil { dataIt.seekToLast() }
        }
    }

    func seekToFirst() {
        indexIt.seekToFirst()
        loadBlock()
        if dataHandle != nil { dataIt.seekToFirst() }
        skipEmptyForward()
    }

    func seekToLast() {
        indexIt.seekToLast()
        loadBlock()
        if dataHandle != nil { dataIt.seekToLast() }
        skipEmptyBackward()
    }

    func seek(_ target: UnsafeRawBufferPointer) {
        if let words = segment?.indexWords {
            indexIt.seek(target, candidates: words.candidates(target))
        } else {
            indexIt.seek(target)
        }
        loadBlock()
        if dataHandle != nil { dataIt.seek(target) }
        skipEmptyForward()
    }

    @inline(__always)
    func next() {
        dataIt.next()
        if !dataIt.isValid { skipEmptyForward() }
    }

    func prev() {
        dataIt.prev()
        if !dataIt.isValid { skipEmptyBackward() }
    }
}
