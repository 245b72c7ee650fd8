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
            var crc = withUnsafeBytes(of: type.rawValue) { CRC32C.checksum($0) }
            crc = CRC32C.checksum(fragment, seed: crc)
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

    func addRecord(_ payload: [UInt8], sync: Bool) throws {
        try payload.withUnsafeBytes { try addRecord($0, sync: sync) }
    }

    func close() throws { try file.close() }
}
