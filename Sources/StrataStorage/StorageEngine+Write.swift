#if canImport(Glibc)
import Glibc
#endif

/// A thread waiting in the write queue.
final class Writer {
    var batch: WriteBatch
    let sync: Bool
    /// A queue position held by flush(), never merged into another writer's group.
    let isBarrier: Bool
    var done = false
    var error: Error?
    /// Created only when this writer has to wait (most writes find the queue empty).
    var cond: Condition?

    init(batch: WriteBatch, sync: Bool, isBarrier: Bool = false) {
        self.batch = batch
        self.sync = sync
        self.isBarrier = isBarrier
    }

    /// Waits for a signal; the caller holds `lock`.
    func wait(_ lock: Lock) {
        if cond == nil { cond = Condition(lock) }
        cond!.wait()
    }

    /// Holds the head of the queue for a put or delete whose thread found the queue empty: that
    /// thread leads at once, so it never waits and needs no Writer (nor WriteBatch) of its own.
    /// Shared by every engine; only its identity is used, its fields are never written.
    nonisolated(unsafe) static let direct = Writer(batch: WriteBatch(rep: []), sync: false)
}

extension StorageEngine {
    /// Largest batch accepted: every entry must fit in a block the segment reader accepts.
    public static let maxBatchBytes = 256 << 20

    public func put(_ key: [UInt8], _ value: [UInt8], options: WriteOptions = WriteOptions()) throws {
        try writeOne(.value, key, value, options: options)
    }

    public func delete(_ key: [UInt8], options: WriteOptions = WriteOptions()) throws {
        try writeOne(.deletion, key, [], options: options)
    }

    /// Puts `value` under `key` and returns `measure` applied to the value the key held just
    /// before this put (nil when it held none, or a deletion).
    ///
    /// When no other write is queued, the previous value comes from the put's own memtable
    /// insertion (the entry that follows the new one) or, when this memtable has none, from the
    /// frozen memtables and segments as they were when the put was written: one memtable search
    /// instead of a get and a put. Otherwise the key is read, then written.
    ///
    /// The caller keeps other writers of `key` out until this returns; with a concurrent writer
    /// of the same key, the value measured may be either one's.
    ///
    /// Non-blocking (`writeOptions.nonBlocking`): a non-blocking get, then a non-blocking put,
    /// since the previous value found after the insertion may have to be read from a file.
    public func put(_ key: [UInt8], _ value: [UInt8], options writeOptions: WriteOptions = WriteOptions(),
                    measuringPrevious measure: (UnsafeRawBufferPointer) throws -> Int) throws -> Int? {
        let sync = writeOptions.sync ?? options.syncByDefault
        let opBytes = WriteBatch.operationSize(.value, keyCount: key.count, valueCount: value.count)
        if WriteBatch.headerSize + opBytes <= Self.maxBatchBytes && !writeOptions.nonBlocking {
            lock.lock()
            if writerHead == writers.count && !closed && !closing {
                writers.append(Writer.direct)
                var previous = PreviousLookup()
                return try withUnsafeMutablePointer(to: &previous) { lookup in
                    try key.withUnsafeBytes { k in
                        try value.withUnsafeBytes { v in
                            try commitGroup(leader: Writer.direct, sync: sync, ownBytes: WriteBatch.headerSize + opBytes,
                                            ownCount: 1, previous: lookup) { p in
                                _ = WriteBatch.encodeOperation(.value, k, v, at: p)
                            }
                        }
                        return try PreviousLookup.measure(lookup, userKey: k, cache: segments, measure)
                    }
                }
            }
            lock.unlock()
        }
        let size = try get(key, options: ReadOptions(nonBlocking: writeOptions.nonBlocking)).map { try $0.withUnsafeBytes(measure) }
        try put(key, value, options: writeOptions)
        return size
    }

    /// One put or delete. When the queue is empty (one writing thread, or no contention) the
    /// operation is encoded straight into the group's record: no batch, no Writer.
    private func writeOne(_ kind: EntryKind, _ key: [UInt8], _ value: [UInt8], options writeOptions: WriteOptions) throws {
        let sync = writeOptions.sync ?? options.syncByDefault
        let opBytes = WriteBatch.operationSize(kind, keyCount: key.count, valueCount: value.count)
        if WriteBatch.headerSize + opBytes <= Self.maxBatchBytes {
            try lockForWrite(writeOptions, recordBytes: WriteBatch.headerSize + opBytes, sync: sync)
            if writerHead == writers.count && !closed && !closing {
                writers.append(Writer.direct)
                try key.withUnsafeBytes { k in
                    try value.withUnsafeBytes { v in
                        try commitGroup(leader: Writer.direct, sync: sync, ownBytes: WriteBatch.headerSize + opBytes, ownCount: 1) { p in
                            _ = WriteBatch.encodeOperation(kind, k, v, at: p)
                        }
                    }
                }
                return
            }
            lock.unlock()
        }
        if writeOptions.nonBlocking { throw refusedWrite() }
        var b = WriteBatch(reservingCapacity: opBytes)
        if kind == .value { b.put(key, value) } else { b.delete(key) }
        try write(b, options: writeOptions)
    }

    /// Applies a batch atomically. With sync, it returns after the log is durable on disk.
    ///
    /// Group commit: writers queue up; the one at the head appends the whole group to the log
    /// as one record with one fdatasync, inserts it into the memtable, and wakes the others.
    public func write(_ batch: WriteBatch, options writeOptions: WriteOptions = WriteOptions()) throws {
        let sync = writeOptions.sync ?? options.syncByDefault
        guard batch.byteSize <= Self.maxBatchBytes else {
            throw StorageError(.invalidArgument, "a write batch may hold at most \(Self.maxBatchBytes) bytes (this one: \(batch.byteSize))", file: path)
        }
        let w = Writer(batch: batch, sync: sync)
        try lockForWrite(writeOptions, recordBytes: batch.byteSize, sync: sync)
        if closed || closing {
            lock.unlock()
            throw StorageError(.closed, "the database is closed", file: path)
        }
        writers.append(w)
        while !w.done && writers[writerHead] !== w { w.wait(lock) }
        if w.done {
            lock.unlock()
            if let e = w.error { throw e }
            return
        }
        // This thread leads a group.
        try commitGroup(leader: w, sync: sync, ownBytes: batch.byteSize, ownCount: batch.count) { p in
            batch.rep.withUnsafeBytes { r in
                let ops = r.count - WriteBatch.headerSize
                if ops > 0 { p.copyMemory(from: r.baseAddress! + WriteBatch.headerSize, byteCount: ops) }
            }
        }
    }

    /// Takes `lock` for a write whose record (batch header included) is `recordBytes` long. A
    /// non-blocking write takes it only if it is free and the write can then be committed at once
    /// (`admitsWithoutWaiting`); otherwise it throws `.wouldBlock` without the lock.
    @inline(__always)
    private func lockForWrite(_ writeOptions: WriteOptions, recordBytes: Int, sync: Bool) throws {
        guard writeOptions.nonBlocking else {
            lock.lock()
            return
        }
        // Waits out (spinning) another writer's moment under the lock, or its commit in progress.
        let leads = spinBriefly {
            guard lock.tryLock() else { return false }
            if writerHead == writers.count { return true }
            lock.unlock()
            return false
        }
        guard leads else { throw refusedWrite() }
        guard admitsWithoutWaiting(recordBytes: recordBytes, sync: sync) else {
            lock.unlock()
            throw refusedWrite()
        }
    }

    private func refusedWrite() -> StorageError {
        nonBlockingWritesRefused.add(1, ordering: .relaxed)
        return StorageError.wouldBlock("write")
    }

    /// Whether a write of `recordBytes` would be committed with no waiting of any kind: it would
    /// lead at once (no write queued), `makeRoomForWrite` would return at once (room in the
    /// memtable, no level-0 slowdown, no error), the log takes the record into memory, and there
    /// is no sync. Holds `lock`.
    private func admitsWithoutWaiting(recordBytes: Int, sync: Bool) -> Bool {
        guard !sync, writerHead == writers.count, !closed, !closing, backgroundError == nil else { return false }
        if options.backgroundWork && versions.current.levels[0].count >= options.level0SlowdownTrigger { return false }
        guard mem.approximateBytes <= options.memtableBytes else { return false }
        return log.canAddWithoutWaiting(payload: recordBytes)
    }

    /// Leads a group commit. The caller holds `lock` and `leader` is at the head of the queue;
    /// returns (or throws the group's error) with `lock` released. `encodeOwn` writes the
    /// leader's operations (`ownBytes` minus the batch header) at the pointer it is given.
    ///
    /// The group's record is built in `groupRecord`, a buffer only the leader uses, after
    /// `LogFormat.headerSize` bytes of room for the log writer's header: no copy of the leader's
    /// batch, no allocation once the buffer has grown. Its `count` is its size, not what is used.
    private func commitGroup(leader w: Writer, sync: Bool, ownBytes: Int, ownCount: Int,
                             previous: UnsafeMutablePointer<PreviousLookup>? = nil,
                             encodeOwn: (UnsafeMutableRawPointer) -> Void) throws {
        var groupEnd = writerHead + 1
        var result: Error?
        do {
            try makeRoomForWrite(force: false)
        } catch {
            result = error
        }
        if result == nil {
            // Gather followers: up to 1 MiB (less when the leader's batch is small, to keep its latency).
            let maxBytes = ownBytes <= 128 << 10 ? ownBytes + (128 << 10) : 1 << 20
            var bytes = ownBytes
            var count = UInt64(ownCount)
            while groupEnd < writers.count {
                let f = writers[groupEnd]
                if f.isBarrier { break }
                if f.sync && !sync { break }  // a non-sync leader must not carry a sync write
                if bytes + f.batch.byteSize > maxBytes { break }
                bytes += f.batch.byteSize - WriteBatch.headerSize
                count += UInt64(f.batch.count)
                groupEnd += 1
            }
            let recordBytes = bytes  // header + every writer's operations
            let room = LogFormat.headerSize
            if groupRecord.count < room + recordBytes {
                groupRecord.append(contentsOf: repeatElement(0, count: Swift.max(room + recordBytes, 2 * groupRecord.count) - groupRecord.count))
            }
            let first = versions.lastSequence + 1
            groupRecord.withUnsafeMutableBytes { buffer in
                let p = buffer.baseAddress! + room
                p.storeBytes(of: first.littleEndian, toByteOffset: 0, as: UInt64.self)
                p.storeBytes(of: UInt32(count).littleEndian, toByteOffset: 8, as: UInt32.self)
                encodeOwn(p + WriteBatch.headerSize)
                var at = ownBytes
                for i in (writerHead + 1)..<groupEnd {
                    writers[i].batch.rep.withUnsafeBytes { r in
                        let ops = r.count - WriteBatch.headerSize
                        if ops > 0 { (p + at).copyMemory(from: r.baseAddress! + WriteBatch.headerSize, byteCount: ops) }
                        at += ops
                    }
                }
            }
            let log = self.log
            let mem = self.mem
            if let previous {
                // Where the leader's previous entry is when `mem` has none: everything older
                // than this group.
                previous.pointee.sequence = first
                previous.pointee.mem = mem
                previous.pointee.imms = imms
                previous.pointee.version = versions.current
            }
            lock.unlock()
            do {
                try groupRecord.withUnsafeMutableBytes { buffer in
                    let framed = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(room + recordBytes)])
                    try log.addRecord(headroom: framed, sync: sync)
                    var seq = first
                    try WriteBatch.forEach(in: UnsafeRawBufferPointer(rebasing: framed[room...])) { kind, key, value in
                        let following = mem.add(sequence: seq, kind: kind, key: key, value: value)
                        if seq == first, let previous { previous.pointee.following = following }
                        seq += 1
                    }
                }
            } catch {
                result = error
            }
            lock.lock()
            if let e = result {
                // Sticky: the log may hold part of this record; refuse writes until reopen.
                if backgroundError == nil {
                    backgroundError = StorageError(.writesStopped, "a log write or sync failed; writes are refused until the database is reopened (\(e))", file: path)
                }
            } else {
                versions.lastSequence = first + count - 1
                stats.userBytesWritten += UInt64(recordBytes - WriteBatch.headerSize)  // encoded operations
                stats.walBytesWritten += UInt64(recordBytes)
                stats.walRecords += 1
                if sync { stats.walSyncs += 1 }
                stats.batchesWritten += groupEnd - writerHead
            }
        }
        for i in writerHead..<groupEnd {
            let f = writers[i]
            if f === Writer.direct { continue }
            f.error = result
            f.done = true
            if f !== w { f.cond?.signal() }
        }
        writerHead = groupEnd
        if writerHead == writers.count {
            // removeAll(keepingCapacity:) goes through the generic replaceSubrange; a lone
            // writer (the usual case) is simply removed.
            if writers.count == 1 { writers.removeLast() } else { writers.removeAll(keepingCapacity: true) }
            writerHead = 0
        } else {
            if writerHead > 64 {
                writers.removeFirst(writerHead)
                writerHead = 0
            }
            writers[writerHead].cond?.signal()
        }
        lock.unlock()
        if let result { throw result }
    }

    /// Makes sure the memtable has room, freezing it (and starting a new log) when full; slows or
    /// stalls the writer while level 0 or the frozen memtables are backed up. Holds `lock`.
    func makeRoomForWrite(force: Bool) throws {
        var allowDelay = !force
        var force = force
        while true {
            if let e = backgroundError { throw e }
            if closing { throw StorageError(.closed, "the database is closing", file: path) }
            let l0 = versions.current.levels[0].count
            if allowDelay && l0 >= options.level0SlowdownTrigger && options.backgroundWork {
                // Give compaction a moment, once per write, rather than stalling later for long.
                stats.writeSlowdowns += 1
                lock.unlock()
                usleep(1000)
                lock.lock()
                allowDelay = false
                continue
            }
            if !force && mem.approximateBytes <= options.memtableBytes { return }
            if force && mem.isEmpty { return }
            if imms.count >= options.maxImmutableMemtables {
                if !options.backgroundWork {
                    try flushOldestImmutable()
                    continue
                }
                stats.writeStalls += 1
                flushWanted.signal()
                backgroundDone.wait()
                continue
            }
            if l0 >= options.level0StopTrigger && options.backgroundWork {
                stats.writeStalls += 1
                compactionWanted.signal()
                backgroundDone.wait()
                continue
            }
            // Freeze the memtable and start a new log. The file work runs without the lock:
            // readers and the background threads go on meanwhile, while writers queue behind
            // this leader, the only thread that uses the log (and `close` waits for it).
            let number = versions.newFileNumber()
            let oldLog = log
            lock.unlock()
            var file: (any WritableFile)?
            var failure: StorageError?
            do {
                file = try fs.openLog(DatabaseFile.log(number).path(in: path))
            } catch {
                failure = StorageError(.writesStopped, "could not create a new log (\(error))", file: path)
            }
            if failure == nil {
                do {
                    // The old log is made durable before any write lands in the new one, so a
                    // power loss can never keep a later log's writes while losing an earlier one's.
                    try oldLog.file.sync()
                    try oldLog.close()
                    try fs.syncDirectory(path)
                } catch {
                    failure = StorageError(.writesStopped, "switching to a new log failed (\(error))", file: path)
                }
            }
            lock.lock()
            if let failure {
                if backgroundError == nil { backgroundError = failure }
                throw failure
            }
            log = LogWriter(file: file!)
            imms.append(mem)
            mem = MemTable(logNumber: number, expectedBytes: options.memtableBytes)
            force = false
            if options.backgroundWork {
                flushWanted.signal()
            } else {
                try flushOldestImmutable()
            }
        }
    }

    /// Freezes the memtable (if not empty) and waits until every frozen memtable is in a segment.
    public func flush() throws {
        lock.lock()
        defer { lock.unlock() }
        if closed { throw StorageError(.closed, "the database is closed", file: path) }
        // Become the write leader so the memtable is not in use by a writer.
        let w = Writer(batch: WriteBatch(), sync: false, isBarrier: true)
        writers.append(w)
        while writers[writerHead] !== w { w.wait(lock) }
        var err: Error?
        do { try makeRoomForWrite(force: true) } catch { err = error }
        writerHead += 1
        if writerHead == writers.count {
            writers.removeAll(keepingCapacity: true)
            writerHead = 0
        } else {
            writers[writerHead].cond?.signal()
        }
        if let err { throw err }
        if !options.backgroundWork {
            while !imms.isEmpty { try flushOldestImmutable() }
            return
        }
        while !imms.isEmpty {
            if let e = backgroundError { throw e }
            flushWanted.signal()
            backgroundDone.wait()
        }
        if let e = backgroundError { throw e }
    }
}

/// Where the entry a put replaced is, as its group commit saw it: the node that followed the put's
/// own in its memtable, and the frozen memtables and version current when the group was written
/// (they hold only older entries). The group commit fills it in.
struct PreviousLookup {
    var sequence: UInt64 = 0
    /// The memtable the put went into: holding it keeps `following` readable.
    var mem: MemTable?
    var imms: [MemTable] = []
    var version: Version?
    var following: UnsafeMutableRawPointer?

    /// `measure` of the newest entry of `userKey` older than the put, nil when there is none
    /// (or it is a deletion). Static over a pointer: the lookup is read in place, never copied.
    static func measure(_ lookup: UnsafeMutablePointer<PreviousLookup>, userKey: UnsafeRawBufferPointer, cache: SegmentCache,
                        _ measure: (UnsafeRawBufferPointer) throws -> Int) throws -> Int? {
        if let following = lookup.pointee.following {
            let entry = MemTable.entry(following, isOf: userKey)
            if entry.same { return entry.deleted ? nil : try measure(MemTable.value(following)) }
        }
        guard let version = lookup.pointee.version else { return nil }
        let sequence = lookup.pointee.sequence
        return try InternalKey.withLookup(userKey, sequence - 1) { key -> Int? in
            let imms = lookup.pointee.imms
            for i in stride(from: imms.count - 1, through: 0, by: -1) {
                switch imms[i].get(userKey, lookup: key) {
                case .found(let v): return try v.withUnsafeBytes(measure)
                case .deleted: return nil
                case .absent: break
                }
            }
            switch try version.get(userKey: userKey, lookup: key, cache: cache, fillCache: true) {
            case .found(let v): return try v.withUnsafeBytes(measure)
            case .deleted, .absent: return nil
            }
        }
    }
}

