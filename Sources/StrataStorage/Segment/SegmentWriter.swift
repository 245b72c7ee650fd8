// Writes a segment file. Format: Docs/segment_format.md.

/// Builds a segment from entries added in internal-key order.
final class SegmentWriter {
    let file: any WritableFile
    let blockBytes: Int
    let compression: Bool
    let bloomBitsPerKey: Int
    private var dataBlock: BlockBuilder
    private var indexBlock: BlockBuilder
    private var offset: UInt64 = 0
    /// The last key of the last data block written (the key of its index entry).
    private var lastKey: [UInt8] = []
    private var pendingHandle: BlockHandle?
    private var hashes: [UInt64] = []
    private var indexValue: [UInt8] = []
    private let compressor = LZ4Compressor()
    private var trailer: [UInt8] = []
    private(set) var properties = SegmentProperties()

    init(file: any WritableFile, options: StorageOptions) {
        self.file = file
        blockBytes = options.blockBytes
        compression = options.compression
        bloomBitsPerKey = options.bloomBitsPerKey
        dataBlock = BlockBuilder(restartInterval: options.blockRestartInterval)
        indexBlock = BlockBuilder(restartInterval: 1)
        properties.bloomBitsPerKey = UInt64(options.bloomBitsPerKey)
    }

    var entryCount: UInt64 { properties.entryCount }
    /// Bytes written so far plus the block in progress.
    var estimatedFileSize: UInt64 { offset + UInt64(dataBlock.estimatedSize) }

    func add(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws {
        if pendingHandle != nil { addIndexEntry() }
        if properties.entryCount == 0 { properties.smallestKey = Array(key) }
        let userKey = UnsafeRawBufferPointer(rebasing: key[0..<(key.count - 8)])
        if bloomBitsPerKey > 0 {
            // The previous entry's key: the data block's last, or the last block's last when
            // this entry starts a block. No copy of each key is kept for this.
            let previous = dataBlock.isEmpty ? lastKey : dataBlock.lastKey
            let isNewUserKey = properties.entryCount == 0 || previous.withUnsafeBytes {
                compareBytes(UnsafeRawBufferPointer(rebasing: $0[0..<($0.count - 8)]), userKey) != 0
            }
            if isNewUserKey { hashes.append(bloomHash(userKey)) }
        }
        let trailerWord = InternalKey.trailer(key)
        let seq = trailerWord >> 8
        properties.smallestSequence = min(properties.smallestSequence, seq)
        properties.largestSequence = max(properties.largestSequence, seq)
        if UInt8(trailerWord & 0xff) == EntryKind.deletion.rawValue { properties.deletionCount += 1 }
        properties.entryCount += 1
        properties.rawKeyBytes += UInt64(key.count)
        properties.rawValueBytes += UInt64(value.count)
        dataBlock.add(key, value)
        if dataBlock.estimatedSize >= blockBytes { try flushDataBlock() }
    }

    func add(_ key: [UInt8], _ value: [UInt8]) throws {
        try key.withUnsafeBytes { k in try value.withUnsafeBytes { try add(k, $0) } }
    }

    /// The index entry of the last data block written: its last key and its handle.
    private func addIndexEntry() {
        guard let h = pendingHandle else { return }
        indexValue.removeAll(keepingCapacity: true)
        h.encode(into: &indexValue)
        lastKey.withUnsafeBytes { lk in indexValue.withUnsafeBytes { indexBlock.add(lk, $0) } }
        pendingHandle = nil
    }

    private func flushDataBlock() throws {
        guard !dataBlock.isEmpty else { return }
        lastKey.removeAll(keepingCapacity: true)
        lastKey.append(contentsOf: dataBlock.lastKey)
        // The block is finished in the builder's own buffer and written from there, not copied.
        let handle = try dataBlock.finishInPlace { raw in
            properties.rawDataBytes += UInt64(raw.count)
            return try writeBlock(raw, compressible: compression, countAsData: true)
        }
        properties.dataBlockCount += 1
        pendingHandle = handle
    }

    private func writeBlock(_ raw: [UInt8], compressible: Bool, countAsData: Bool = false) throws -> BlockHandle {
        try raw.withUnsafeBytes { try writeBlock($0, compressible: compressible, countAsData: countAsData) }
    }

    /// Writes a block and its trailer; returns its handle.
    private func writeBlock(_ raw: UnsafeRawBufferPointer, compressible: Bool, countAsData: Bool = false) throws -> BlockHandle {
        let stored = (compressible ? compressor.compress(raw) : nil) ?? raw
        let type: CompressionType = stored.baseAddress == raw.baseAddress ? .none : .lz4
        try file.append(stored)
        let handle = BlockHandle(offset: offset, size: UInt64(stored.count))
        trailer.removeAll(keepingCapacity: true)
        trailer.append(type.rawValue)
        let crc = CRC32C.checksum(trailer, seed: CRC32C.checksum(stored))
        putFixed32(CRC32C.mask(crc), into: &trailer)
        if type == .lz4 && countAsData { properties.compressedBlockCount += 1 }
        try file.append(trailer)
        if countAsData { properties.storedDataBytes += handle.size }
        offset += handle.size + UInt64(SegmentFormat.blockTrailerSize)
        return handle
    }

    /// Writes the filter, index, properties and footer; returns the file's size. Does not sync.
    func finish() throws -> UInt64 {
        try flushDataBlock()
        addIndexEntry()
        properties.largestKey = lastKey
        let filterBytes = bloomBitsPerKey > 0 ? BloomFilter.build(hashes: hashes, bitsPerKey: bloomBitsPerKey) : []
        let filterHandle = try writeBlock(filterBytes, compressible: false)
        let indexHandle = try writeBlock(indexBlock.finish(), compressible: false)
        var props: [UInt8] = []
        properties.encode(into: &props)
        let propsHandle = try writeBlock(props, compressible: false)
        var footer: [UInt8] = []
        SegmentFooter(filter: filterHandle, index: indexHandle, properties: propsHandle).encode(into: &footer)
        try file.append(footer)
        offset += UInt64(footer.count)
        try file.flush()
        return offset
    }
}
