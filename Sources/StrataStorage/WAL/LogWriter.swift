// Writes framed records into 32 KiB blocks. Format: Docs/wal_format.md.

/// Appends records to a log file; a record larger than a block's free space is split into fragments.
final class LogWriter {
    let file: any WritableFile
    private var blockOffset: Int
    private var scratch: [UInt8] = []

    init(file: any WritableFile) {
        self.file = file
        blockOffset = Int(file.size % Int64(LogFormat.blockSize))
    }

    var size: Int64 { file.size }

    /// The checksum of each record type byte, the seed of every fragment's checksum.
    private static let typeChecksums: [UInt32] = (0...4).map { t in withUnsafeBytes(of: UInt8(t)) { CRC32C.checksum($0) } }

    /// Frames one record whose payload follows `LogFormat.headerSize` bytes of free room at the
    /// start of `buffer`. When the record fits in the current block (the common case) the header
    /// is written into that room and header and payload are appended together, without a copy;
    /// otherwise the payload is split into fragments as `addRecord(_:sync:)` does.
    func addRecord(headroom buffer: UnsafeMutableRawBufferPointer, sync: Bool) throws {
        let n = buffer.count - LogFormat.headerSize
        let space = LogFormat.blockSize - blockOffset
        guard space >= LogFormat.headerSize && n <= space - LogFormat.headerSize else {
            try addRecord(UnsafeRawBufferPointer(rebasing: buffer[LogFormat.headerSize...]), sync: sync)
            return
        }
        let base = buffer.baseAddress!
        let type = LogFormat.RecordType.full.rawValue
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(start: base + LogFormat.headerSize, count: n),
                                  seed: Self.typeChecksums[Int(type)])
        base.storeBytes(of: CRC32C.mask(crc).littleEndian, as: UInt32.self)
        base.storeBytes(of: UInt8(n & 0xff), toByteOffset: 4, as: UInt8.self)
        base.storeBytes(of: UInt8(n >> 8), toByteOffset: 5, as: UInt8.self)
        base.storeBytes(of: type, toByteOffset: 6, as: UInt8.self)
        blockOffset += LogFormat.headerSize + n
        try file.append(UnsafeRawBufferPointer(buffer))
        if sync { try file.sync() } else { try file.flush() }
    }

    /// Frames `payload` as one logical record and hands it to the OS; `sync` also makes it durable.
    func addRecord(_ payload: UnsafeRawBufferPointer, sync: Bool) throws {
        scratch.removeAll(keepingCapacity: true)
        var left = payload.count
        var pos = 0
        var begin = true
        repeat {
            let space = LogFormat.blockSize - blockOffset
            if space < LogFormat.headerSize {
                // Too little room for a header: pad the block with zeros.
                if space > 0 { scratch.append(contentsOf: repeatElement(0, count: space)) }
                blockOffset = 0
            }
            let avail = LogFormat.blockSize - blockOffset - LogFormat.headerSize
            let n = min(left, avail)
            let end = n == left
            let type: LogFormat.RecordType = begin && end ? .full : begin ? .first : end ? .last : .middle
            let fragment = UnsafeRawBufferPointer(rebasing: payload[pos..<pos + n])
            let crc = CRC32C.checksum(fragment, seed: Self.typeChecksums[Int(type.rawValue)])
            putFixed32(CRC32C.mask(crc), into: &scratch)
            scratch.append(UInt8(n & 0xff))
            scratch.append(UInt8(n >> 8))
            scratch.append(type.rawValue)
            scratch.append(contentsOf: fragment)
            blockOffset += LogFormat.headerSize + n
            pos += n
            left -= n
            begin = false
        } while left > 0
        try scratch.withUnsafeBytes { try file.append($0) }
        if sync { try file.sync() } else { try file.flush() }
    }

    /// Whether a record of `payload` bytes can be added without the file waiting for anything
    /// (see `WritableFile.canAppendWithoutWaiting`), counting every fragment's header and a
    /// block's padding.
    func canAddWithoutWaiting(payload: Int) -> Bool {
        let fragments = payload / (LogFormat.blockSize - LogFormat.headerSize) + 2
        return file.canAppendWithoutWaiting(payload + fragments * LogFormat.headerSize + LogFormat.headerSize - 1)
    }

    func addRecord(_ payload: [UInt8], sync: Bool) throws {
        try payload.withUnsafeBytes { try addRecord($0, sync: sync) }
    }

    func close() throws { try file.close() }
}
