// Reads a write-ahead log for strata-dump: framed records, the batches in them, a torn tail.
// Format and recovery rules: Docs/wal_format.md. The record framing is read by the engine's own
// `LogReader`, so the tool drops exactly what recovery would drop.

/// One physical record (a framed chunk) in a log file.
public struct LogFrame: Sendable, Equatable, Encodable {
    public var offset: Int64
    /// "full", "first", "middle" or "last".
    public var type: String
    /// Payload bytes (the 7-byte header excluded).
    public var length: Int
}

/// One put or delete of a batch, with the sequence number it was given.
public struct BatchOperation: Sendable, Equatable, Encodable {
    public var sequence: UInt64
    /// "value" (a put) or "deletion".
    public var kind: String
    public var key: InspectedBytes
    /// Nil for a deletion.
    public var value: InspectedBytes?
}

/// A write batch: its first sequence number, its operation count, the operations.
public struct BatchInfo: Sendable, Equatable, Encodable {
    public var sequence: UInt64
    public var count: UInt32
    public var operations: [BatchOperation]
}

/// One logical record of a log (one batch in a write-ahead log).
public struct LogRecordInfo: Sendable, Equatable, Encodable {
    /// Offset of its first fragment's header.
    public var offset: Int64
    public var length: Int
    public var fragments: Int
    /// The decoded batch; nil when the payload is not a well-formed batch (see `problem`).
    public var batch: BatchInfo?
    public var problem: String?
}

/// Where a log stopped being readable: everything from `offset` on is dropped by recovery.
public struct LogTailInfo: Sendable, Equatable, Encodable {
    public var offset: Int64
    public var droppedBytes: Int64
    public var reason: String

    /// True when the tail is what a crash mid-append leaves (a truncated record or zero-filled
    /// space); false when a complete record is damaged (bad checksum, unknown type...).
    public var isTornWrite: Bool

    init(_ t: LogTail) {
        offset = t.offset
        droppedBytes = t.droppedBytes
        reason = t.reason
        isTornWrite = Self.tornWriteReasons.contains(t.reason)
    }

    /// `LogReader`'s reasons for a tail that a crash during an append explains.
    static let tornWriteReasons: Set<String> = [
        "truncated record header", "truncated record (torn write)", "zero-filled space",
        "log ends inside a fragmented record (torn write)",
    ]
}

/// A write-ahead log as recovery would read it.
public struct LogReport: Sendable, Equatable, Encodable {
    public var file: String
    public var fileSize: Int64
    public var frames: [LogFrame]
    public var records: [LogRecordInfo]
    /// Operations over all well-formed batches.
    public var entries: Int
    /// Sequence numbers the batches cover (nil for a log without operations).
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?
    /// Set when the log ends in a torn or damaged record.
    public var tail: LogTailInfo?
    /// Records whose payload is not a well-formed batch.
    public var badRecords: Int { records.filter { $0.problem != nil }.count }
    /// Whether the log is damaged (or not a log at all): a record that is not a batch, or a tail
    /// that a torn write does not explain. A torn tail alone is normal after a crash.
    public var isDamaged: Bool { badRecords > 0 || (tail.map { !$0.isTornWrite } ?? false) }
}

/// Reads the framed records of a log file (write-ahead log or manifest).
enum LogInspector {
    /// The good records, the frames they are made of, and the tail recovery would drop.
    static func read(_ bytes: [UInt8]) -> (records: [(offset: Int64, payload: [UInt8])], frames: [LogFrame], tail: LogTail?) {
        var reader = LogReader(bytes: bytes)
        var records: [(Int64, [UInt8])] = []
        while let r = reader.next() { records.append((Int64(reader.lastRecordOffset), r)) }
        let end = reader.tail.map { Int($0.offset) } ?? bytes.count
        var frames: [LogFrame] = []
        var pos = 0
        while pos < end {
            let blockLeft = LogFormat.blockSize - pos % LogFormat.blockSize
            if blockLeft < LogFormat.headerSize { pos += blockLeft; continue }
            guard end - pos >= LogFormat.headerSize else { break }
            let length = Int(bytes[pos + 4]) | Int(bytes[pos + 5]) << 8
            let type: String
            switch LogFormat.RecordType(rawValue: bytes[pos + 6]) {
            case .full?: type = "full"
            case .first?: type = "first"
            case .middle?: type = "middle"
            case .last?: type = "last"
            case .zero?, nil: type = "unknown(\(bytes[pos + 6]))"
            }
            guard pos + LogFormat.headerSize + length <= end else { break }
            frames.append(LogFrame(offset: Int64(pos), type: type, length: length))
            pos += LogFormat.headerSize + length
        }
        return (records, frames, reader.tail)
    }

    static func readFile(_ path: String, fileSystem: any FileSystem) throws -> [UInt8] {
        let file = try fileSystem.openReadable(path)
        defer { file.close() }
        let size = try file.size()
        guard size <= Int64(Int32.max) else {
            throw StorageError(.invalidArgument, "file of \(size) bytes is too large to inspect", file: path)
        }
        return try file.read(at: 0, count: Int(size))
    }

    /// Reads and decodes a write-ahead log.
    static func wal(path: String, fileSystem: any FileSystem) throws -> LogReport {
        let bytes = try readFile(path, fileSystem: fileSystem)
        return wal(bytes: bytes, path: path)
    }

    static func wal(bytes: [UInt8], path: String) -> LogReport {
        let (raw, frames, tail) = read(bytes)
        var report = LogReport(file: path, fileSize: Int64(bytes.count), frames: frames, records: [], entries: 0,
                               firstSequence: nil, lastSequence: nil, tail: tail.map(LogTailInfo.init))
        var f = 0
        for (i, r) in raw.enumerated() {
            let next = i + 1 < raw.count ? raw[i + 1].offset : Int64.max
            while f < frames.count && frames[f].offset < r.offset { f += 1 }
            var fragments = 0
            while f < frames.count && frames[f].offset < next { f += 1; fragments += 1 }
            var info = LogRecordInfo(offset: r.offset, length: r.payload.count, fragments: fragments, batch: nil, problem: nil)
            do {
                let batch = try decodeBatch(r.payload)
                info.batch = batch
                report.entries += batch.operations.count
                if let first = batch.operations.first, let last = batch.operations.last {
                    report.firstSequence = min(report.firstSequence ?? .max, first.sequence)
                    report.lastSequence = max(report.lastSequence ?? 0, last.sequence)
                }
            } catch let e as StorageError {
                info.problem = e.message
            } catch {
                info.problem = "\(error)"
            }
            report.records.append(info)
        }
        return report
    }

    /// Decodes a batch without trusting any length in it.
    static func decodeBatch(_ payload: [UInt8]) throws -> BatchInfo {
        guard payload.count >= WriteBatch.headerSize else {
            throw StorageError.corruption("record of \(payload.count) bytes is too small for a batch header (\(WriteBatch.headerSize))", file: nil)
        }
        let batch = WriteBatch(rep: payload)
        let first = batch.sequence
        var ops: [BatchOperation] = []
        var seq = first
        try batch.forEach { kind, key, value in
            ops.append(BatchOperation(sequence: seq, kind: kind == .deletion ? "deletion" : "value", key: InspectedBytes(key),
                                      value: kind == .deletion ? nil : InspectedBytes(value)))
            seq &+= 1
        }
        return BatchInfo(sequence: first, count: loadFixed32(payload, 8), operations: ops)
    }
}

extension LogReport {
    /// Reads the write-ahead log at `path` as recovery would: every complete record, then the torn
    /// tail (if any) reported rather than thrown. Throws only when the file cannot be read.
    public static func inspect(path: String, fileSystem: any FileSystem = PosixFileSystem()) throws -> LogReport {
        try LogInspector.wal(path: path, fileSystem: fileSystem)
    }
}
