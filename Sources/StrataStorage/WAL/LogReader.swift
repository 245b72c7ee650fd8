// Reads framed records back. Format and recovery rules: Docs/wal_format.md.

/// What a log reader found wrong, if anything: the first bad or incomplete record ends the log.
public struct LogTail: Sendable, Equatable, CustomStringConvertible {
    /// Offset of the first byte that was not part of a good record.
    public var offset: Int64
    /// Bytes from `offset` to the end of the file, all dropped.
    public var droppedBytes: Int64
    public var reason: String
    public var description: String { "dropped \(droppedBytes) bytes at offset \(offset): \(reason)" }
}

/// Reads the logical records of a log file held in memory.
struct LogReader {
    let bytes: [UInt8]
    private(set) var position = 0
    /// Set when reading stopped at a damaged or torn record.
    private(set) var tail: LogTail?
    /// Offset of the last record returned.
    private(set) var lastRecordOffset = 0

    /// Whether the log ended in zeros from a record boundary to the end of the file: space a
    /// memory-mapped log allocated ahead and never wrote (or whose pages never reached the disk),
    /// not a damaged record. Nothing is lost there that a reader could have returned.
    var endsInZeroFill: Bool {
        guard let tail, tail.reason == Self.zeroFilled else { return false }
        return bytes[Int(tail.offset)...].allSatisfy { $0 == 0 }
    }

    static let zeroFilled = "zero-filled space"

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The next logical record, or nil at the end (clean, or at a torn/damaged tail: see `tail`).
    mutating func next() -> [UInt8]? {
        var record: [UInt8] = []
        var inFragmented = false
        var recordStart = position
        while true {
            let blockLeft = LogFormat.blockSize - position % LogFormat.blockSize
            if blockLeft < LogFormat.headerSize {
                // Trailer padding: must be zeros.
                let padEnd = min(position + blockLeft, bytes.count)
                if bytes[position..<padEnd].contains(where: { $0 != 0 }) {
                    return stop(at: position, "non-zero block padding")
                }
                position = padEnd
                if position >= bytes.count { return finish(inFragmented, recordStart) }
                continue
            }
            if position >= bytes.count { return finish(inFragmented, recordStart) }
            if bytes.count - position < LogFormat.headerSize {
                return stop(at: inFragmented ? recordStart : position, "truncated record header")
            }
            let headerAt = position
            let (masked, length, typeByte) = bytes.withUnsafeBytes { p in
                (loadFixed32(p, headerAt), Int(p[headerAt + 4]) | Int(p[headerAt + 5]) << 8, p[headerAt + 6])
            }
            if typeByte == 0 && length == 0 && masked == 0 {
                // Zero-filled space (a preallocated or torn tail).
                return stop(at: inFragmented ? recordStart : headerAt, Self.zeroFilled)
            }
            guard let type = LogFormat.RecordType(rawValue: typeByte), type != .zero else {
                return stop(at: inFragmented ? recordStart : headerAt, "unknown record type \(typeByte)")
            }
            let dataStart = headerAt + LogFormat.headerSize
            if length > blockLeft - LogFormat.headerSize {
                return stop(at: inFragmented ? recordStart : headerAt, "record length \(length) crosses a block boundary")
            }
            if dataStart + length > bytes.count {
                return stop(at: inFragmented ? recordStart : headerAt, "truncated record (torn write)")
            }
            let ok = bytes.withUnsafeBytes { p -> Bool in
                var crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: p[(headerAt + 6)..<(headerAt + 7)]))
                crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: p[dataStart..<(dataStart + length)]), seed: crc)
                return CRC32C.unmask(masked) == crc
            }
            if !ok { return stop(at: inFragmented ? recordStart : headerAt, "checksum mismatch") }
            position = dataStart + length
            switch type {
            case .full:
                if inFragmented { return stop(at: recordStart, "full record inside a fragmented record") }
                lastRecordOffset = headerAt
                return Array(bytes[dataStart..<(dataStart + length)])
            case .first:
                if inFragmented { return stop(at: recordStart, "first fragment inside a fragmented record") }
                inFragmented = true
                recordStart = headerAt
                record = Array(bytes[dataStart..<(dataStart + length)])
            case .middle:
                if !inFragmented { return stop(at: headerAt, "middle fragment without a first") }
                record.append(contentsOf: bytes[dataStart..<(dataStart + length)])
            case .last:
                if !inFragmented { return stop(at: headerAt, "last fragment without a first") }
                record.append(contentsOf: bytes[dataStart..<(dataStart + length)])
                lastRecordOffset = recordStart
                return record
            case .zero:
                fatalError("unreachable")
            }
        }
    }

    private mutating func finish(_ inFragmented: Bool, _ recordStart: Int) -> [UInt8]? {
        if inFragmented { return stop(at: recordStart, "log ends inside a fragmented record (torn write)") }
        return nil
    }

    private mutating func stop(at offset: Int, _ reason: String) -> [UInt8]? {
        tail = LogTail(offset: Int64(offset), droppedBytes: Int64(bytes.count - offset), reason: reason)
        position = bytes.count
        return nil
    }
}
