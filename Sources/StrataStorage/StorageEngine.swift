import Synchronization

/// The log-structured key-value engine: bytes in, bytes out.
///
/// Writes go to the write-ahead log (group commit) and the memtable; full memtables are frozen
/// and flushed to level-0 segments by a background thread; another thread compacts levels.
/// Reads consult the memtable, the frozen memtables, then the segments level by level.
/// See Docs/architecture.md.
///
/// Thread-safe: any number of threads may read and write at once.
public final class StorageEngine: @unchecked Sendable {  // mutable state is guarded by `lock`
    public let path: String
    let options: StorageOptions
    let fs: any FileSystem
    let lock = Lock()
    /// Signalled when background work finishes a step (writers waiting for room, flush(), close()).
    let backgroundDone: Condition
    /// Wakes the flush thread.
    let flushWanted: Condition
    /// Wakes the compaction thread.
    let compactionWanted: Condition
    /// Serializes manifest writes (version changes) without holding `lock` during IO.
    let manifestLock = Lock()

    // Guarded by `lock`:
    var mem: MemTable
    var imms: [MemTable] = []  // oldest first
    var log: LogWriter
    var versions: VersionSet
    var writers: [Writer] = []
    var writerHead = 0
    /// The current write group's log record; used only by the write leader.
    var groupRecord: [UInt8] = []
    var backgroundError: StorageError?
    var closing = false
    var closed = false
    var runningThreads = 0
    var flushRunning = false
    var compactionRunning = false
    var manualCompactionWaiting = 0
    var pendingOutputs = Set<FileNumber>()
    /// Files `deleteObsoleteFiles` chose and is removing without the lock (another sweep skips them).
    var filesBeingDeleted = Set<String>()
    var stats = StorageStatistics()
    /// Non-blocking gets and writes that threw `.wouldBlock` (counted without the lock).
    let nonBlockingReadsRefused = Atomic<Int>(0)
    let nonBlockingWritesRefused = Atomic<Int>(0)

    let snapshots = SnapshotList()
    let blockCache: BlockCache?
    let segments: SegmentCache
    let iteratorPool: IteratorPool
    let dirLock: any FileLock
    public private(set) var recoveryReport = RecoveryReport()

    /// Opens (or creates) the database in `path`.
    public static func open(at path: String, options: StorageOptions = StorageOptions()) throws -> StorageEngine {
        try StorageEngine(path: path, options: options)
    }

    private init(path: String, options: StorageOptions) throws {
        try options.validate()
        self.path = path
        self.options = options
        fs = options.fileSystem
        backgroundDone = Condition(lock)
        flushWanted = Condition(lock)
        compactionWanted = Condition(lock)

        if !fs.fileExists(path) {
            guard options.createIfMissing else {
                throw StorageError(.notFound, "database directory does not exist (createIfMissing is off)", file: path)
            }
            try fs.createDirectory(path)
        }
        let names = try fs.listDirectory(path)
        let exists = names.contains(DatabaseFile.current.name)
        if !exists {
            let foreign = names.filter { DatabaseFile(name: $0) == nil }
            if !foreign.isEmpty {
                throw StorageError(.notADatabase, "not a Strata database: the directory has no CURRENT file but holds \(foreign.sorted().prefix(3).joined(separator: ", "))", file: path)
            }
            let data = names.filter { n in
                switch DatabaseFile(name: n) {
                case .log?, .segment?: return true
                default: return false
                }
            }
            if !data.isEmpty {
                throw StorageError.corruption("the directory holds \(data.sorted().prefix(3).joined(separator: ", ")) but no CURRENT file", file: path)
            }
            guard options.createIfMissing else {
                throw StorageError(.notFound, "no database in the directory (createIfMissing is off)", file: path)
            }
            // Only a manifest or temporary file without CURRENT: a creation that was interrupted
            // before it finished. Nothing was ever acknowledged; start over.
            for n in names {
                switch DatabaseFile(name: n) {
                case .manifest?, .temp?: try fs.remove(joinPath(path, n))
                default: break
                }
            }
        } else if options.errorIfExists {
            throw StorageError(.alreadyExists, "a database already exists here (errorIfExists is on)", file: path)
        }
        dirLock = try fs.lockFile(DatabaseFile.lock.path(in: path))
        do {
            blockCache = options.blockCacheBytes > 0 ? BlockCache(capacityBytes: options.blockCacheBytes) : nil
            segments = SegmentCache(dir: path, fs: fs, blockCache: blockCache, capacity: options.maxOpenSegments)
            iteratorPool = IteratorPool(cache: segments)
            versions = VersionSet(dir: path, fs: fs, options: options)
            if exists { try versions.recover() }
            if let tail = versions.manifestTail {
                recoveryReport.droppedTails.append((DatabaseFile.manifest(versions.manifestNumber).name, tail))
            }
            // Replay logs into memtables, flushing as they fill, then start a new log and manifest.
            let (replayMem, edit) = try Self.replayLogs(dir: path, fs: fs, options: options, versions: versions,
                                                        names: names, cache: segments, report: &recoveryReport)
            let logNumber = versions.newFileNumber()
            var e = edit
            e.logNumber = logNumber
            e.nextFileNumber = FileNumber(versions.nextFileNumber)
            e.lastSequence = versions.lastSequence
            let next = versions.makeVersion(applying: e, to: versions.current)
            versions.install(next)
            versions.logNumber = logNumber
            // A memtable left unflushed by replay goes to a segment now (done in replayLogs), so the new
            // log starts empty and every older log is obsolete.
            _ = replayMem
            let manifestNumber = versions.newFileNumber()
            try versions.writeManifestRecord(e, newManifest: (manifestNumber, versions.snapshotEdit()))
            versions.manifestNumber = manifestNumber
            // Logs recovery could not use are kept for inspection as NNNNNN.log.bad, not deleted
            // (after the manifest no longer needs them).
            for name in recoveryReport.preservedLogs {
                try fs.rename(joinPath(path, name), joinPath(path, name + ".bad"))
            }
            let logFile = try fs.openLog(DatabaseFile.log(logNumber).path(in: path))
            try fs.syncDirectory(path)
            log = LogWriter(file: logFile)
            mem = MemTable(logNumber: logNumber, expectedBytes: options.memtableBytes)
        } catch {
            dirLock.unlock()
            throw error
        }
        lock.withLock { deleteObsoleteFiles(includingTemporary: true) }
        iteratorPool.readSampleBytes = options.readSampleBytes
        iteratorPool.wakeCompaction = { [weak self] in
            guard let self else { return }
            self.lock.withLock { self.compactionWanted.signal() }
        }
        if options.backgroundWork {
            runningThreads = 2
            startThread(name: "strata-flush") { [self] in flushLoop() }
            startThread(name: "strata-compact") { [self] in compactionLoop() }
        }
        lock.withLock { compactionWanted.signal() }
    }

    /// Reads every log at or after the manifest's log number, in order, into memtables, writing a
    /// level-0 segment whenever one fills and at the end. Returns the edit adding those segments.
    private static func replayLogs(dir: String, fs: any FileSystem, options: StorageOptions, versions: VersionSet,
                                   names: [String], cache: SegmentCache, report: inout RecoveryReport) throws -> (MemTable?, VersionEdit) {
        var logs: [FileNumber] = []
        for n in names {
            if case .log(let num)? = DatabaseFile(name: n), num >= versions.logNumber { logs.append(num) }
        }
        logs.sort()
        // Segments written during replay must not take a number a later log already has.
        if let last = logs.last, last.rawValue >= versions.nextFileNumber { versions.nextFileNumber = last.rawValue + 1 }
        var edit = VersionEdit()
        var mem = MemTable(logNumber: FileNumber(0), expectedBytes: options.memtableBytes)
        func flushMem() throws {
            guard !mem.isEmpty else { return }
            let number = versions.newFileNumber()
            if let meta = try writeSegment(from: mem.makeIterator(), number: number, dir: dir, fs: fs, options: options) {
                edit.newFiles.append((0, meta))
            }
            mem = MemTable(logNumber: FileNumber(0), expectedBytes: options.memtableBytes)
        }
        var stopped = false
        for number in logs {
            if stopped {
                // Point-in-time recovery: nothing after a damaged record is replayed, so the
                // recovered state is always a prefix of the write history.
                let path = DatabaseFile.log(number).path(in: dir)
                let size = (try? fs.openReadable(path).size()) ?? 0
                report.droppedTails.append((DatabaseFile.log(number).name,
                                            LogTail(offset: 0, droppedBytes: size, reason: "follows a damaged log; not replayed")))
                report.preservedLogs.append(DatabaseFile.log(number).name)
                continue
            }
            let path = DatabaseFile.log(number).path(in: dir)
            let file = try fs.openReadable(path)
            let bytes = try file.read(at: 0, count: Int(try file.size()))
            var reader = LogReader(bytes: bytes)
            report.logsReplayed.append(DatabaseFile.log(number).name)
            while let record = reader.next() {
                guard record.count >= WriteBatch.headerSize else {
                    throw StorageError.corruption("log record too small for a batch", file: path, offset: Int64(reader.lastRecordOffset))
                }
                let batch = WriteBatch(rep: record)
                var seq = batch.sequence
                do {
                    try batch.forEach { kind, key, value in
                        mem.add(sequence: seq, kind: kind, key: key, value: value)
                        seq += 1
                    }
                } catch var e as StorageError {
                    e.file = path
                    e.offset = Int64(reader.lastRecordOffset)
                    throw e
                }
                report.batchesReplayed += 1
                report.entriesReplayed += batch.count
                if batch.count > 0 { versions.lastSequence = max(versions.lastSequence, batch.sequence + UInt64(batch.count) - 1) }
                if mem.approximateBytes > options.memtableBytes { try flushMem() }
            }
            // A mapped log's unwritten space (zeros to the end) ends it cleanly, as a clean end
            // would; anything else cut off is reported, and ends the replay unless this is the
            // last log.
            if let tail = reader.tail, !reader.endsInZeroFill {
                report.droppedTails.append((DatabaseFile.log(number).name, tail))
                stopped = number != logs.last
                if stopped { report.preservedLogs.append(DatabaseFile.log(number).name) }
            }
        }
        try flushMem()
        return (nil, edit)
    }

    /// Writes the entries of `it` to a new synced segment; nil if there were none.
    static func writeSegment(from it: any InternalIterator, number: FileNumber, dir: String, fs: any FileSystem,
                             options: StorageOptions) throws -> FileMetadata? {
        let path = DatabaseFile.segment(number).path(in: dir)
        let file = try fs.openWritable(path, truncate: true)
        let writer = SegmentWriter(file: file, options: options)
        do {
            it.seekToFirst()
            while it.isValid {
                try writer.add(it.key, it.value)
                it.next()
            }
            if let e = it.error { throw e }
            if writer.entryCount == 0 {
                try file.close()
                try fs.remove(path)
                return nil
            }
            let size = try writer.finish()
            try file.sync()
            try file.close()
            let p = writer.properties
            return FileMetadata(number: number, size: size, smallest: p.smallestKey, largest: p.largestKey,
                                smallestSequence: p.smallestSequence, largestSequence: p.largestSequence, entryCount: p.entryCount)
        } catch {
            try? file.close()
            try? fs.remove(path)
            throw error
        }
    }

    // MARK: reads

    /// What a read works on: its sequence number and the memtables and version current at its
    /// start, taken together under the lock (the read itself runs without it).
    private func readView(_ readOptions: ReadOptions) throws -> (seq: UInt64, mem: MemTable, imms: [MemTable], version: Version) {
        if readOptions.nonBlocking {
            // Waits out (spinning) another thread's moment under the lock, never longer.
            guard spinBriefly({ lock.tryLock() }) else { throw StorageError.wouldBlock("read") }
        } else {
            lock.lock()
        }
        defer { lock.unlock() }
        if closed { throw StorageError(.closed, "the database is closed", file: path) }
        return (readOptions.snapshot?.sequence.rawValue ?? versions.lastSequence, mem, imms, versions.current)
    }

    public func get(_ key: [UInt8], options readOptions: ReadOptions = ReadOptions()) throws -> [UInt8]? {
        guard readOptions.nonBlocking else { return try lookup(key, readOptions) }
        do {
            return try lookup(key, readOptions)
        } catch let e as StorageError where e.code == .wouldBlock {
            nonBlockingReadsRefused.add(1, ordering: .relaxed)
            throw e
        }
    }

    private func lookup(_ key: [UInt8], _ readOptions: ReadOptions) throws -> [UInt8]? {
        let (seq, mem, imms, version) = try readView(readOptions)
        return try key.withUnsafeBytes { userKey in
            let hash = bloomHash(userKey)  // one hash for every filter: memtables' and segments'
            return try InternalKey.withLookup(userKey, seq) { lookup -> [UInt8]? in
                switch mem.get(userKey, lookup: lookup, hash: hash) {
                case .found(let v): return v
                case .deleted: return nil
                case .absent: break
                }
                for i in stride(from: imms.count - 1, through: 0, by: -1) {
                    switch imms[i].get(userKey, lookup: lookup, hash: hash) {
                    case .found(let v): return v
                    case .deleted: return nil
                    case .absent: break
                    }
                }
                var seekCompactionDue = false
                defer {
                    if seekCompactionDue {
                        // Non-blocking: the candidate stays set, and the compaction thread finds
                        // it the next time it is woken (by a flush or another read).
                        if !readOptions.nonBlocking {
                            lock.withLock { compactionWanted.signal() }
                        } else if lock.tryLock() {
                            compactionWanted.signal()
                            lock.unlock()
                        }
                    }
                }
                switch try version.get(userKey: userKey, lookup: lookup, hash: hash, cache: segments, fillCache: readOptions.fillCache,
                                       nonBlocking: readOptions.nonBlocking, seekCompactionDue: &seekCompactionDue) {
                case .found(let v): return v
                case .deleted, .absent: return nil
                }
            }
        }
    }

    /// A snapshot of the current state; reads given it see exactly the writes before it.
    public func snapshot() -> Snapshot {
        lock.withLock {
            let s = versions.lastSequence
            snapshots.add(s)
            return Snapshot(sequence: SequenceNumber(s), list: snapshots)
        }
    }

    /// An iterator over the keys in [lowerBound, upperBound) as of the read options' snapshot.
    public func makeIterator(options readOptions: ReadOptions = ReadOptions(), lowerBound: [UInt8]? = nil,
                             upperBound: [UInt8]? = nil) throws -> StorageIterator {
        if readOptions.nonBlocking {
            throw StorageError(.invalidArgument, "iterators do not take ReadOptions.nonBlocking (only get does)", file: path)
        }
        lock.lock()
        if closed {
            lock.unlock()
            throw StorageError(.closed, "the database is closed", file: path)
        }
        let seq = readOptions.snapshot?.sequence.rawValue ?? versions.lastSequence
        let mem = mem, imms = imms
        // The generation goes with the version: both change together under the lock.
        let shape = IteratorPool.Shape(version: versions.current, mem: mem, memIncluded: !mem.isEmpty, imms: imms,
                                       fillCache: readOptions.fillCache, generation: iteratorPool.generation)
        lock.unlock()
        let merging: MergingIterator
        if let spare = iteratorPool.mergingIterator(for: shape) {
            merging = spare
        } else {
            // An empty memtable can only gain entries newer than `seq`, which the iterator never shows.
            var children = ContiguousArray<any InternalIterator>()
            children.reserveCapacity(1 + imms.count + shape.version.levels[0].count + Version.levelCount - 1)
            if shape.memIncluded { children.append(mem.makeIterator()) }
            for imm in imms.reversed() where !imm.isEmpty { children.append(imm.makeIterator()) }
            shape.version.appendIterators(to: &children, cache: segments, fillCache: readOptions.fillCache, pool: iteratorPool)
            merging = MergingIterator(children)
        }
        return StorageIterator(iter: merging, sequence: seq, shape: shape,
                               snapshot: readOptions.snapshot, pool: iteratorPool,
                               lowerBound: lowerBound, upperBound: upperBound)
    }

    public func statistics() -> StorageStatistics {
        lock.withLock {
            var s = stats
            let v = versions.current
            s.levels = (0..<Version.levelCount).map {
                StorageStatistics.LevelStatistics(level: $0, fileCount: v.levels[$0].count, bytes: v.levelBytes($0))
            }
            s.blockCacheHits = blockCache?.hits.load(ordering: .relaxed) ?? 0
            s.blockCacheMisses = blockCache?.misses.load(ordering: .relaxed) ?? 0
            s.blockCacheBytes = blockCache?.usedBytes ?? 0
            s.openSegments = segments.openCount
            s.memtableBytes = mem.approximateBytes + imms.reduce(0) { $0 + $1.approximateBytes }
            s.immutableMemtables = imms.count
            s.lastSequence = versions.lastSequence
            s.nonBlockingReadsRefused = nonBlockingReadsRefused.load(ordering: .relaxed)
            s.nonBlockingWritesRefused = nonBlockingWritesRefused.load(ordering: .relaxed)
            return s
        }
    }

    /// The live segments, level by level (for tools and tests).
    public func liveFiles() -> [[FileMetadata]] { lock.withLock { versions.current.levels } }

    /// The latest sequence number.
    public var lastSequence: SequenceNumber { lock.withLock { SequenceNumber(versions.lastSequence) } }

    // MARK: close

    /// Stops background work and releases the directory. Unflushed memtables stay safe in their logs.
    public func close() throws {
        lock.lock()
        if closed || closing {
            lock.unlock()
            return
        }
        closing = true
        // Let writers in flight finish.
        while writerHead < writers.count { backgroundDone.wait(seconds: 0.01) }
        flushWanted.broadcast()
        compactionWanted.broadcast()
        while runningThreads > 0 { backgroundDone.wait() }
        closed = true
        var err: Error?
        do { try log.close() } catch { err = error }
        lock.unlock()
        manifestLock.withLock { versions.closeManifest() }
        dirLock.unlock()
        if let err { throw err }
    }

    deinit {
        if !closed { try? close() }
    }
}
