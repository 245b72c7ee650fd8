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
    private var lastKey: [UInt8] = []
    private var pendingHandle: BlockHandle?
    private var hashes: [UInt64] = []
    private var lastUserKeyHashed: [UInt8] = []
    private var scratch: [UInt8] = []
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
        if let h = pendingHandle {
            // The index entry for the previous block uses its last key.
            var hv: [UInt8] = []
            h.encode(into: &hv)
            lastKey.withUnsafeBytes { lk in hv.withUnsafeBytes { indexBlock.add(lk, $0) } }
            pendingHandle = nil
        }
        if properties.entryCount == 0 { properties.smallestKey = Array(key) }
        let userKey = UnsafeRawBufferPointer(rebasing: key[0..<(key.count - 8)])
        let isNewUserKey = lastUserKeyHashed.withUnsafeBytes { compareBytes($0, userKey) != 0 } || properties.entryCount == 0
        if bloomBitsPerKey > 0 && isNewUserKey {
            hashes.append(bloomHash(userKey))
        }
        if isNewUserKey {
            lastUserKeyHashed.removeAll(keepingCapacity: true)
            lastUserKeyHashed.append(contentsOf: userKey)
        }
        let trailerWord = InternalKey.trailer(key)
        let seq = trailerWord >> 8
        properties.smallestSequence = min(properties.smallestSequence, seq)
        properties.largestSequence = max(properties.largestSequence, seq)
        if UInt8(trailerWord & 0xff) == EntryKind.deletion.rawValue { properties.deletionCount += 1 }
        properties.entryCount += 1
        properties.rawKeyBytes += UInt64(key.count)
        properties.rawValueBytes += UInt64(value.count)
        lastKey.removeAll(keepingCapacity: true)
        lastKey.append(contentsOf: key)
        dataBlock.add(key, value)
        if dataBlock.estimatedSize >= blockBytes { try flushDataBlock() }
    }

    func add(_ key: [UInt8], _ value: [UInt8]) throws {
        try key.withUnsafeBytes { k in try value.withUnsafeBytes { try add(k, $0) } }
    }

    private func flushDataBlock() throws {
        guard !dataBlock.isEmpty else { return }
        let raw = dataBlock.finish()
        properties.rawDataBytes += UInt64(raw.count)
        let handle = try writeBlock(raw, compressible: compression, countAsData: true)
        properties.dataBlockCount += 1
        pendingHandle = handle
    }

    /// Writes a block and its trailer; returns its handle.
    private func writeBlock(_ raw: [UInt8], compressible: Bool, countAsData: Bool = false) throws -> BlockHandle {
        var type = CompressionType.none
        if compressible && LZ4Codec.compress(raw, scratch: &scratch) {
            type = .lz4
        }
        let handle: BlockHandle
        if type == .lz4 {
            try scratch.withUnsafeBytes { try file.append($0) }
            handle = BlockHandle(offset: offset, size: UInt64(scratch.count))
            trailer = [type.rawValue]
            let crc = CRC32C.checksum(trailer, seed: CRC32C.checksum(scratch))
            putFixed32(CRC32C.mask(crc), into: &trailer)
            if countAsData { properties.compressedBlockCount += 1 }
        } else {
            try file.append(raw)
            handle = BlockHandle(offset: offset, size: UInt64(raw.count))
            trailer = [type.rawValue]
            let crc = CRC32C.checksum(trailer, seed: CRC32C.checksum(raw))
            putFixed32(CRC32C.mask(crc), into: &trailer)
        }
        try file.append(trailer)
        if countAsData { properties.storedDataBytes += handle.size }
        offset += handle.size + UInt64(SegmentFormat.blockTrailerSize)
        return handle
    }

    /// Writes the filter, index, properties and footer; returns the file's size. Does not sync.
    func finish() throws -> UInt64 {
        try flushDataBlock()
        if let h = pendingHandle {
            var hv: [UInt8] = []
            h.encode(into: &hv)
            lastKey.withUnsafeBytes { lk in hv.withUnsafeBytes { indexBlock.add(lk, $0) } }
            pendingHandle = nil
        }
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
