// Flush, compaction, version installation and obsolete-file removal.

extension StorageEngine {
    // MARK: version changes

    /// Builds an edit against the current version (under `lock`), writes it to the manifest
    /// (without `lock`), then installs the new version. Callers must not hold `lock`.
    /// A manifest failure is sticky: it stops writes and background work until reopen.
    func logAndApply(_ build: (Version) -> VersionEdit) throws {
        manifestLock.lock()
        defer { manifestLock.unlock() }
        lock.lock()
        if let e = backgroundError {
            // After a failed manifest write the manifest may end in a partial record; appending
            // behind it would write edits recovery can never read.
            lock.unlock()
            throw e
        }
        let base = versions.current
        var edit = build(base)
        let newManifestNumber: FileNumber? = versions.needsNewManifest ? versions.newFileNumber() : nil
        edit.nextFileNumber = FileNumber(versions.nextFileNumber)
        edit.lastSequence = versions.lastSequence
        let next = versions.makeVersion(applying: edit, to: base)
        let snapshot = newManifestNumber.map { ($0, versions.snapshotEdit(of: next, applying: edit)) }
        lock.unlock()
        do {
            try versions.writeManifestRecord(edit, newManifest: snapshot)
        } catch {
            lock.withLock {
                if backgroundError == nil {
                    backgroundError = StorageError(.writesStopped, "a manifest write failed; writes are refused until the database is reopened (\(error))", file: path)
                }
                backgroundDone.broadcast()
            }
            throw error
        }
        let dropped = lock.withLock {
            versions.install(next)
            versions.noteApplied(edit)
            if let n = newManifestNumber { versions.manifestNumber = n }
            // Spare iterators pin the old version: let it go before obsolete files are swept.
            return iteratorPool.dropSpares()
        }
        iteratorPool.recycleDropped(dropped)
    }

    // MARK: flush

    /// Writes the oldest frozen memtable to a segment and installs it. Holds `lock` on entry and
    /// exit, releasing it for the IO.
    func flushOldestImmutable() throws {
        if flushRunning {
            backgroundDone.wait()
            return
        }
        guard let imm = imms.first else { return }
        if let e = backgroundError { throw e }
        flushRunning = true
        let number = versions.newFileNumber()
        pendingOutputs.insert(number)
        // A segment bound for level 0 is written uncompressed (unless `compressLevel0Flushes`):
        // compression was half of a flush's CPU, spent on a file the next level-0 compaction
        // reads back and rewrites within seconds. The level is predicted from the memtable's key
        // range now; a segment written uncompressed then goes to level 0 whatever the version
        // at install time would allow, so no uncompressed segment settles below level 0.
        var flushOptions = options
        if options.compression && !options.compressLevel0Flushes {
            let predicted = compactionRunning ? 0 : imm.userKeyRange.map { levelForFlush($0.smallest, $0.largest, versions.current) } ?? 0
            if predicted == 0 { flushOptions.compression = false }
        }
        let uncompressed = options.compression && !flushOptions.compression
        lock.unlock()
        var failure: Error?
        var meta: FileMetadata?
        var applying = false
        do {
            meta = try Self.writeSegment(from: imm.makeIterator(), number: number, dir: path, fs: fs, options: flushOptions)
            try fs.syncDirectory(path)
            applying = true
            try logAndApply { v in
                var e = VersionEdit()
                if let meta {
                    e.newFiles.append((compactionRunning || uncompressed ? 0 : levelForFlush(meta, v), meta))
                }
                // Logs older than the next memtable to flush are no longer needed.
                e.logNumber = imms.count > 1 ? imms[1].logNumber : mem.logNumber
                return e
            }
        } catch {
            failure = error
        }
        lock.lock()
        // After a failed manifest write the output may be named by a durable manifest: keep the
        // file (pending until reopen, when recovery decides) rather than delete it.
        if failure == nil || !applying { pendingOutputs.remove(number) }
        flushRunning = false
        if let failure {
            if backgroundError == nil {
                backgroundError = StorageError(.writesStopped, "flushing a memtable failed; writes are refused until the database is reopened (\(failure))", file: path)
            }
            backgroundDone.broadcast()
            throw backgroundError!
        }
        imms.removeFirst()
        stats.flushCount += 1
        stats.flushBytesWritten += meta?.size ?? 0
        deleteObsoleteFiles()
        backgroundDone.broadcast()
        compactionWanted.signal()
        if !options.backgroundWork {
            // No compaction thread: compact inline until nothing is due.
            while !compactionRunning, let c = Compaction.pick(versions.current, compactPointers: versions.compactPointers, options: options) {
                compactionRunning = true
                lock.unlock()
                let err: Error?
                do { try runCompaction(c); err = nil } catch { err = error }
                lock.lock()
                compactionRunning = false
                if let err { throw err }
            }
        }
    }

    /// A flushed segment that overlaps nothing in levels 0 and 1 goes to level 1 or 2 directly,
    /// saving a rewrite, as long as it would not overlap too much of the level below.
    func levelForFlush(_ meta: FileMetadata, _ v: Version) -> Int {
        levelForFlush(meta.smallestUserKey, meta.largestUserKey, v)
    }

    func levelForFlush(_ lo: [UInt8], _ hi: [UInt8], _ v: Version) -> Int {
        guard v.overlappingFiles(level: 0, begin: lo, end: hi).isEmpty else { return 0 }
        var level = 0
        while level < 2 {
            if !v.overlappingFiles(level: level + 1, begin: lo, end: hi).isEmpty { break }
            let gp = v.overlappingFiles(level: level + 2, begin: lo, end: hi).reduce(0) { $0 + $1.size }
            if gp > UInt64(10 * options.targetSegmentBytes) { break }
            level += 1
        }
        return level
    }

    func flushLoop() {
        lock.lock()
        while true {
            while !closing && (imms.isEmpty || backgroundError != nil) { flushWanted.wait() }
            if closing { break }
            do { try flushOldestImmutable() } catch {}
        }
        runningThreads -= 1
        backgroundDone.broadcast()
        lock.unlock()
    }

    // MARK: compaction

    func compactionLoop() {
        while true {
            lock.lock()
            while !closing && (backgroundError != nil || manualCompactionWaiting > 0 || compactionRunning
                               || !versions.current.compactionDue) {
                compactionWanted.wait()
            }
            if closing {
                runningThreads -= 1
                backgroundDone.broadcast()
                lock.unlock()
                return
            }
            lock.unlock()
            // Pick under the manifest lock, so no flush can sit between building and installing its edit.
            manifestLock.lock()
            lock.lock()
            var picked: Compaction?
            if manualCompactionWaiting == 0 && !compactionRunning {
                picked = Compaction.pick(versions.current, compactPointers: versions.compactPointers, options: options)
                if picked != nil { compactionRunning = true }
            }
            lock.unlock()
            manifestLock.unlock()
            guard let c = picked else { continue }
            do { try runCompaction(c) } catch {}
            lock.lock()
            compactionRunning = false
            backgroundDone.broadcast()
            lock.unlock()
        }
    }

    /// Merges a compaction's inputs into new segments at the output level and installs the result.
    /// Callers must not hold `lock`, and must have set `compactionRunning`.
    func runCompaction(_ c: Compaction) throws {
        if c.isTrivialMove(options: options) {
            let f = c.inputs[0]
            try logAndApply { _ in
                var e = VersionEdit()
                e.deletedFiles.append((c.level, f.number))
                e.newFiles.append((c.outputLevel, f))
                e.compactPointers.append((c.level, f.largest))
                return e
            }
            lock.withLock {
                stats.trivialMoveCount += 1
                if c.isSeekCompaction { stats.seekCompactionCount += 1 }
            }
            return
        }
        let smallestSnapshot = lock.withLock { snapshots.oldest ?? versions.lastSequence }
        var children: [any InternalIterator] = []
        do {
            if c.level == 0 {
                for f in c.inputs { children.append(try segments.reader(f).makeIterator(fillCache: false)) }
            } else {
                children.append(LevelIterator(files: c.inputs, cache: segments, fillCache: false))
            }
            if !c.nextInputs.isEmpty {
                children.append(LevelIterator(files: c.nextInputs, cache: segments, fillCache: false))
            }
        } catch {
            recordBackgroundError(error, "opening compaction inputs failed")
            throw error
        }
        let input = MergingIterator(children)
        var outputs: [FileMetadata] = []
        var writer: SegmentWriter?
        var file: (any WritableFile)?
        var outputNumber = FileNumber(0)
        var lastUserKey: [UInt8] = []
        var hasLastUserKey = false
        var lastSequenceForKey = UInt64.max
        var gpIndex = 0
        var gpOverlap: UInt64 = 0
        var seenKey = false
        let maxGrandparentOverlap = UInt64(10 * options.targetSegmentBytes)
        var counter = 0
        var base = c.baseLevelCursor()
        /// The entry's key with sequence number 0 (see "What is dropped" in Docs/architecture.md).
        var zeroedKey: [UInt8] = []
        var zeroedCount: UInt64 = 0

        func finishOutput() throws {
            guard let w = writer, let f = file else { return }
            let size = try w.finish()
            try f.sync()
            try f.close()
            let p = w.properties
            outputs.append(FileMetadata(number: outputNumber, size: size, smallest: p.smallestKey, largest: p.largestKey,
                                        smallestSequence: p.smallestSequence, largestSequence: p.largestSequence,
                                        entryCount: p.entryCount))
            writer = nil
            file = nil
        }

        var applying = false
        func abandon() {
            try? file?.close()
            // Outputs a failed manifest write may have named stay (pending until reopen).
            if applying { return }
            lock.withLock {
                for o in outputs { pendingOutputs.remove(o.number) }
                pendingOutputs.remove(outputNumber)
                deleteObsoleteFiles()
            }
        }

        do {
            input.seekToFirst()
            while input.isValid {
                counter += 1
                if counter & 1023 == 0 && lock.withLock({ closing }) {
                    abandon()
                    return
                }
                let key = input.key
                let userKey = UnsafeRawBufferPointer(rebasing: key[0..<(key.count - 8)])
                let trailer = InternalKey.trailer(key)
                let seq = trailer >> 8
                let isNewUserKey = !hasLastUserKey || lastUserKey.withUnsafeBytes { compareBytes($0, userKey) } != 0
                if isNewUserKey {
                    lastUserKey.removeAll(keepingCapacity: true)
                    lastUserKey.append(contentsOf: userKey)
                    hasLastUserKey = true
                    lastSequenceForKey = .max
                    // Cut the output here if it is big enough or overlaps too much of the level below.
                    while gpIndex < c.grandparents.count
                            && c.grandparents[gpIndex].largest.withUnsafeBytes({ compareInternalKeys(key, $0) }) > 0 {
                        if seenKey { gpOverlap += c.grandparents[gpIndex].size }
                        gpIndex += 1
                    }
                    seenKey = true
                    if let w = writer, w.estimatedFileSize >= UInt64(options.targetSegmentBytes) || gpOverlap > maxGrandparentOverlap {
                        gpOverlap = 0
                        try finishOutput()
                    }
                }
                var drop = false
                var zero = false
                if lastSequenceForKey <= smallestSnapshot {
                    drop = true  // a newer entry of this key is visible to every snapshot
                } else if seq <= smallestSnapshot && base.isBaseLevel(for: userKey) {
                    if UInt8(trailer & 0xff) == EntryKind.deletion.rawValue {
                        drop = true  // a tombstone with nothing older beneath it
                    } else {
                        // The oldest entry any snapshot can see, with nothing beneath it: its
                        // sequence number tells no reader anything, and 0 compresses well.
                        zero = seq != 0
                    }
                }
                lastSequenceForKey = seq
                if !drop {
                    if writer == nil {
                        outputNumber = lock.withLock {
                            let n = versions.newFileNumber()
                            pendingOutputs.insert(n)
                            return n
                        }
                        let f = try fs.openWritable(DatabaseFile.segment(outputNumber).path(in: path), truncate: true)
                        file = f
                        writer = SegmentWriter(file: f, options: options)
                    }
                    if zero {
                        zeroedKey.removeAll(keepingCapacity: true)
                        zeroedKey.append(contentsOf: userKey)
                        putFixed64(packTrailer(0, .value), into: &zeroedKey)
                        try zeroedKey.withUnsafeBytes { try writer!.add($0, input.value) }
                        zeroedCount += 1
                    } else {
                        try writer!.add(key, input.value)
                    }
                }
                input.next()
            }
            if let e = input.error { throw e }
            try finishOutput()
            if !outputs.isEmpty { try fs.syncDirectory(path) }
            let inputs = c.inputs, nextInputs = c.nextInputs, level = c.level, outputLevel = c.outputLevel
            let written = outputs
            applying = true
            try logAndApply { _ in
                var e = VersionEdit()
                for f in inputs { e.deletedFiles.append((level, f.number)) }
                for f in nextInputs { e.deletedFiles.append((outputLevel, f.number)) }
                for f in written { e.newFiles.append((outputLevel, f)) }
                e.compactPointers.append((level, Compaction.range(inputs).largest + [UInt8](repeating: 0, count: 8)))
                return e
            }
        } catch {
            abandon()
            recordBackgroundError(error, "compaction failed")
            throw error
        }
        lock.withLock {
            for o in outputs { pendingOutputs.remove(o.number) }
            stats.compactionCount += 1
            if c.isSeekCompaction { stats.seekCompactionCount += 1 }
            stats.compactionBytesRead += c.inputBytes
            stats.compactionBytesWritten += outputs.reduce(0) { $0 + $1.size }
            stats.compactionZeroedSequences += zeroedCount
            deleteObsoleteFiles()
            backgroundDone.broadcast()
        }
    }

    private func recordBackgroundError(_ error: Error, _ what: String) {
        lock.withLock {
            if backgroundError == nil {
                backgroundError = StorageError(.writesStopped, "\(what); writes are refused until the database is reopened (\(error))", file: path)
            }
            backgroundDone.broadcast()
        }
    }

    /// Compacts every level overlapping [begin, end] (nil: unbounded) down to the deepest level
    /// holding data in that range, after flushing the memtable. Drops overwritten entries and
    /// tombstones that no snapshot can see.
    public func compactRange(begin: [UInt8]? = nil, end: [UInt8]? = nil) throws {
        try flush()
        lock.lock()
        manualCompactionWaiting += 1
        while compactionRunning { backgroundDone.wait() }
        manualCompactionWaiting -= 1
        compactionRunning = true
        lock.unlock()
        defer {
            lock.withLock {
                compactionRunning = false
                // The loop below held each step's version while the step ran, so the step's own
                // sweep could not delete its inputs; sweep once more now that nothing holds them.
                deleteObsoleteFiles()
                compactionWanted.signal()
                backgroundDone.broadcast()
            }
        }
        let deepest = lock.withLock { () -> Int in
            var d = 0
            for l in 0..<Version.levelCount where !versions.current.overlappingFiles(level: l, begin: begin, end: end).isEmpty { d = l }
            return d
        }
        var bottomRewritten = false
        for level in 0...deepest {
            manifestLock.lock()
            lock.lock()
            let v = versions.current
            let inputs = v.overlappingFiles(level: level, begin: begin, end: end)
            let err = backgroundError
            lock.unlock()
            manifestLock.unlock()
            if let err { throw err }
            var c: Compaction
            if level + 1 < deepest {
                if inputs.isEmpty { continue }
                c = Compaction.make(v, level: level, inputs: inputs)
            } else if level + 1 == deepest || (deepest == 0 && level == 0) {
                // Into the bottom level: take every bottom file in range, so the whole range is
                // rewritten and overwritten entries and tombstones go.
                if inputs.isEmpty { continue }
                c = Compaction.make(v, level: level, inputs: inputs)
                let bottom = v.overlappingFiles(level: c.outputLevel, begin: begin, end: end)
                let have = Set(c.nextInputs.map(\.number))
                c.nextInputs += bottom.filter { !have.contains($0.number) }
                c.nextInputs.sort { compareInternalKeys($0.smallest, $1.smallest) < 0 }
                c.allowTrivialMove = false
                bottomRewritten = true
            } else {
                // level == deepest > 0: rewrite in place unless the step above already did.
                if inputs.isEmpty || bottomRewritten { continue }
                c = Compaction.inPlace(v, level: level, inputs: inputs)
            }
            try runCompaction(c)
        }
    }

    /// Waits until no compaction runs and none is due (for tests): with background work on, the
    /// compaction thread broadcasts `backgroundDone` after each compaction.
    package func waitForCompactions() throws {
        lock.lock()
        defer { lock.unlock() }
        while options.backgroundWork && !closing && backgroundError == nil
                && (compactionRunning || versions.current.compactionDue) {
            backgroundDone.wait()
        }
        if let e = backgroundError { throw e }
    }

    // MARK: obsolete files

    /// Deletes files no live version, pending output or memtable needs. Holds `lock` on entry and
    /// exit; the files are chosen under it and removed without it (unlinking a large segment can
    /// take a while, and readers and writers need the lock meanwhile). A file chosen is obsolete
    /// for good: file numbers are never reused. A sweep skips the files another is removing
    /// (`filesBeingDeleted`), so no segment is evicted twice (the second time would walk the
    /// whole block cache).
    func deleteObsoleteFiles(includingTemporary: Bool = false) {
        guard let names = try? fs.listDirectory(path) else { return }
        let live = versions.liveFiles().union(pendingOutputs)
        var liveLogs = Set(imms.map(\.logNumber))
        liveLogs.insert(mem.logNumber)
        var doomed: [(name: String, file: DatabaseFile)] = []
        for name in names where !filesBeingDeleted.contains(name) {
            guard let f = DatabaseFile(name: name) else { continue }
            var remove = false
            switch f {
            case .log(let n): remove = n < versions.logNumber && !liveLogs.contains(n)
            case .segment(let n): remove = !live.contains(n)
            case .manifest(let n): remove = n < versions.manifestNumber
            case .temp: remove = includingTemporary
            case .current, .lock, .info: break
            }
            if remove { doomed.append((name, f)) }
        }
        guard !doomed.isEmpty else { return }
        for (name, _) in doomed { filesBeingDeleted.insert(name) }
        lock.unlock()
        for (name, f) in doomed {
            if case .segment(let n) = f { segments.evict(n) }
            try? fs.remove(joinPath(path, name))
        }
        lock.lock()
        for (name, _) in doomed { filesBeingDeleted.remove(name) }
    }
}
