/// Counters and the shape of the tree, as `StorageEngine.statistics()` reports them.
public struct StorageStatistics: Sendable, CustomStringConvertible {
    public struct LevelStatistics: Sendable {
        public var level: Int
        public var fileCount: Int
        public var bytes: UInt64
    }

    public var levels: [LevelStatistics] = []
    /// Bytes of encoded operations (kind, key and value with their lengths) written through
    /// `put`, `delete` and batches.
    public var userBytesWritten: UInt64 = 0
    public var walBytesWritten: UInt64 = 0
    /// Log records appended (one per write group) and how many of them were synced.
    public var walRecords = 0
    public var walSyncs = 0
    /// Batches written (each joins one group).
    public var batchesWritten = 0
    public var flushBytesWritten: UInt64 = 0
    public var compactionBytesRead: UInt64 = 0
    public var compactionBytesWritten: UInt64 = 0
    public var flushCount = 0
    public var compactionCount = 0
    public var trivialMoveCount = 0
    /// Compactions picked because reads used up a file's seek budget (trivial moves included).
    public var seekCompactionCount = 0
    /// Entries compactions wrote with sequence number 0 (the oldest visible entry of a key that
    /// no deeper level holds).
    public var compactionZeroedSequences: UInt64 = 0
    public var blockCacheHits = 0
    public var blockCacheMisses = 0
    public var blockCacheBytes = 0
    public var openSegments = 0
    public var memtableBytes = 0
    public var immutableMemtables = 0
    public var writeStalls = 0
    public var writeSlowdowns = 0
    /// Non-blocking gets (`ReadOptions.nonBlocking`) that would have had to wait, and threw
    /// `.wouldBlock`.
    public var nonBlockingReadsRefused = 0
    /// Non-blocking puts, deletes and batches that would have had to wait, and wrote nothing.
    public var nonBlockingWritesRefused = 0
    public var lastSequence: UInt64 = 0

    /// (log + flush + compaction bytes written) / user bytes written.
    public var writeAmplification: Double {
        userBytesWritten == 0 ? 0 : Double(walBytesWritten + flushBytesWritten + compactionBytesWritten) / Double(userBytesWritten)
    }

    public var totalSegmentBytes: UInt64 { levels.reduce(0) { $0 + $1.bytes } }

    public var description: String {
        var s = "level  files  bytes\n"
        for l in levels where l.fileCount > 0 { s += "L\(l.level)     \(l.fileCount)     \(l.bytes)\n" }
        s += "user bytes \(userBytesWritten), wal \(walBytesWritten), flushed \(flushBytesWritten), compacted \(compactionBytesRead) -> \(compactionBytesWritten)\n"
        s += "write amplification \(writeAmplification), flushes \(flushCount), compactions \(compactionCount) (trivial moves \(trivialMoveCount), for seeks \(seekCompactionCount))\n"
        s += "block cache hits \(blockCacheHits), misses \(blockCacheMisses), bytes \(blockCacheBytes); stalls \(writeStalls), slowdowns \(writeSlowdowns)"
        if nonBlockingReadsRefused + nonBlockingWritesRefused > 0 {
            s += "; non-blocking refused: reads \(nonBlockingReadsRefused), writes \(nonBlockingWritesRefused)"
        }
        return s
    }
}

/// What opening the database recovered from its logs.
public struct RecoveryReport: Sendable {
    public var logsReplayed: [String] = []
    public var batchesReplayed = 0
    public var entriesReplayed = 0
    /// Torn or damaged tails dropped from logs (and the manifest), by file.
    public var droppedTails: [(file: String, tail: LogTail)] = []
    /// Logs with damage before their end, and logs after them, renamed to NAME.bad and kept.
    public var preservedLogs: [String] = []
}
