/// How a database is opened. Defaults suit a general-purpose embedded store.
public struct StorageOptions: Sendable {
    /// Create the directory and an empty database when none exists.
    public var createIfMissing = true
    /// Refuse to open a database that already exists.
    public var errorIfExists = false
    /// Bytes of writes the active memtable takes before it is frozen and flushed. 4 MiB (as
    /// LevelDB): a skip list of twice that costs every insert 10 to 15% more CPU in cache misses
    /// for the same total flush and compaction work (Docs/performance.md).
    public var memtableBytes = 4 << 20
    /// Uncompressed bytes per data block in a segment.
    public var blockBytes = 4096
    /// Entries between restart points inside a data block (LevelDB uses 16: 8 halves the linear
    /// scan of every seek and get for under 1% more bytes; see Docs/segment_format.md, 4.1).
    public var blockRestartInterval = 8
    /// Capacity of the shared cache of uncompressed blocks.
    public var blockCacheBytes = 32 << 20
    /// Segment files kept open at once.
    public var maxOpenSegments = 500
    /// Compress data blocks with LZ4 when that saves more than 1/8 of the block.
    public var compression = true
    /// Also compress the segments of memtable flushes that go to level 0 (off: they are written
    /// uncompressed, since the next level-0 compaction soon rewrites them; flushes that go
    /// straight to a deeper level, as in a sequential load, are always compressed).
    public var compressLevel0Flushes = false
    /// Bloom filter bits per key (0 turns filters off).
    public var bloomBitsPerKey = 10
    /// Sync the log on every write unless the write says otherwise.
    public var syncByDefault = false
    /// Target size of a segment written by compaction.
    public var targetSegmentBytes = 2 << 20
    /// Bytes allowed in level 1; each deeper level allows `levelSizeMultiplier` times more.
    public var level1Bytes: Int64 = 10 << 20
    public var levelSizeMultiplier = 10
    /// Level-0 segments that trigger a compaction, slow writers down, and stop them.
    public var level0CompactionTrigger = 4
    public var level0SlowdownTrigger = 8
    public var level0StopTrigger = 12
    /// Compact a file that reads keep probing in vain (a lookup probed it, found nothing, and
    /// went on to another file) once it has used up its seek budget, even when no level is over
    /// its size: reads then search fewer files. See "Seek compaction" in Docs/architecture.md.
    public var seekCompaction = true
    /// Bytes (keys and values) a read iterator steps over between two samples of its position
    /// for seek compaction, on average (internal: tests make it small).
    var readSampleBytes = 1 << 20
    /// Frozen memtables allowed to wait for flushing before writers stall.
    public var maxImmutableMemtables = 2
    /// Run flush and compaction on background threads (off: only explicit `flush`/`compactRange`).
    public var backgroundWork = true
    /// Where files live.
    public var fileSystem: any FileSystem = PosixFileSystem()

    public init() {}

    func validate() throws {
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw StorageError(.invalidArgument, what) }
        }
        try check(memtableBytes >= 4096, "memtableBytes must be at least 4096")
        try check(blockBytes >= 256 && blockBytes <= 1 << 24, "blockBytes must be between 256 and 16 MiB")
        try check(blockRestartInterval >= 1, "blockRestartInterval must be at least 1")
        try check(blockCacheBytes >= 0, "blockCacheBytes must not be negative")
        try check(maxOpenSegments >= 10, "maxOpenSegments must be at least 10")
        try check(bloomBitsPerKey >= 0 && bloomBitsPerKey <= 64, "bloomBitsPerKey must be between 0 and 64")
        try check(targetSegmentBytes >= 4096, "targetSegmentBytes must be at least 4096")
        try check(level1Bytes >= 4096 && levelSizeMultiplier >= 2, "level1Bytes must be at least 4096 and levelSizeMultiplier at least 2")
        try check(level0CompactionTrigger >= 1 && level0SlowdownTrigger >= level0CompactionTrigger
                  && level0StopTrigger >= level0SlowdownTrigger, "level-0 triggers must satisfy compaction <= slowdown <= stop")
        try check(maxImmutableMemtables >= 1, "maxImmutableMemtables must be at least 1")
    }
}

/// Options of one write.
public struct WriteOptions: Sendable {
    /// nil: the database's `syncByDefault`.
    public var sync: Bool?
    /// Write only if that takes no waiting: no other write in progress, the engine's lock free,
    /// room in the memtable and in the log's mapped space, no slowdown, no sync. Otherwise throws
    /// `StorageError` `.wouldBlock` having written nothing. For an event-loop thread that must
    /// never block; the caller retries elsewhere with a plain write. Put, delete and batches.
    public var nonBlocking = false
    public init(sync: Bool? = nil, nonBlocking: Bool = false) {
        self.sync = sync
        self.nonBlocking = nonBlocking
    }
}

/// Options of one read.
public struct ReadOptions: Sendable {
    /// Read as of this snapshot; nil: the latest state.
    public var snapshot: Snapshot?
    /// Keep blocks read by this operation in the block cache (off for one-off scans).
    public var fillCache = true
    /// Answer from memory only: the memtables, the open segments' filters and indexes, and the
    /// block cache; never read a file, open a segment, or wait for the engine's lock. When the
    /// answer needs any of those, `get` throws `StorageError` `.wouldBlock` (RocksDB's
    /// block-cache read tier). For `get` only: an iterator refuses it (`.invalidArgument`).
    public var nonBlocking = false
    public init(snapshot: Snapshot? = nil, fillCache: Bool = true, nonBlocking: Bool = false) {
        self.snapshot = snapshot
        self.fillCache = fillCache
        self.nonBlocking = nonBlocking
    }
}
