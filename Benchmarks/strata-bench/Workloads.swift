import StrataStorage

/// The workloads, with kvbench's names and meanings (see the header of ../shared/anchors/kvbench.c).
enum Workload: String, CaseIterable {
    case fillseq, fillrandom, overwrite, readrandom, readmissing, readseq, seekrandom, deleterandom, fillsync
    /// Not in the default list: flush + full compaction; reports the on-disk size before and after.
    case compact
    /// Item-layer workloads (DynamoDB semantics on the engine), not in the default list:
    /// putitem fills a table of 100-item partitions; the others read or update it.
    case putitem, getitem, updateitem, query, scan
}

extension Runner {
    func run(_ w: Workload) throws -> WorkloadResult {
        switch w {
        case .fillseq: return try fillseq()
        case .fillrandom: return try fill(.fillrandom, permutationSeed: Seed.fillrandom)
        case .overwrite: return try overwrite()
        case .readrandom: return try read(missing: false)
        case .readmissing: return try read(missing: true)
        case .readseq: return try readseq()
        case .seekrandom: return try seekrandom()
        case .deleterandom: return try deleterandom()
        case .fillsync: return try fillsync()
        case .compact: return try compact()
        case .putitem, .getitem, .updateitem, .query, .scan: return try runItemWorkload(w)
        }
    }

    private var writeOptions: WriteOptions { WriteOptions(sync: config.sync) }
    private var entryBytes: Int { 16 + config.valueSize }

    private func result(_ w: Workload, _ recorders: [Recorder], db: StorageEngine?, before: StorageStatistics?,
                        notes: String = "") -> WorkloadResult {
        var r = WorkloadResult(name: w.rawValue, threads: config.threads, recorders: recorders, notes: notes)
        r.processCPUMicrosPerOp = Double(lastProcessCPUNanos) / 1000 / Double(max(r.ops, 1))
        r.addEngineState(db?.statistics(), since: before, dir: config.db)
        return r
    }

    /// fillseq: fresh database, `num` puts in key order; then close (which waits for background
    /// work) and measure the size again.
    private func fillseq() throws -> WorkloadResult {
        let db = try freshDatabase()
        let wo = writeOptions, eb = entryBytes, num = config.num, n = config.threads
        let recs = try onThreads("fillseq", total: num) { t, rec, values in
            var key = [UInt8](repeating: 0, count: 16)
            for i in slice(num, t, n) {
                formatKey(UInt64(i), into: &key)
                values.next()
                try rec.measure { try db.put(key, values.value, options: wo) }
                rec.bytes += eb
            }
        }
        var r = result(.fillseq, recs, db: db, before: nil)
        let live = r.diskBytes ?? 0
        let c0 = nowNanos()
        try closeDatabase()
        let closeSeconds = Double(nowNanos() - c0) / 1e9
        let (closed, _) = directorySize(config.db)
        r.diskBytes = closed
        r.notes = "size_live_MB=\(mb(live)) size_closed_MB=\(mb(closed)) close_s=\(format(closeSeconds, 3))"
        return r
    }

    /// fillrandom: fresh database, every key once in shuffled order.
    private func fill(_ w: Workload, permutationSeed: UInt64) throws -> WorkloadResult {
        let perm = makePermutation(config.num, seed: permutationSeed)
        let db = try freshDatabase()
        let wo = writeOptions, eb = entryBytes, num = config.num, n = config.threads
        let recs = try onThreads(w.rawValue, total: num) { t, rec, values in
            var key = [UInt8](repeating: 0, count: 16)
            for i in slice(num, t, n) {
                formatKey(UInt64(perm[i]), into: &key)
                values.next()
                try rec.measure { try db.put(key, values.value, options: wo) }
                rec.bytes += eb
            }
        }
        var r = result(w, recs, db: db, before: nil)
        r.notes = "size_live_MB=\(mb(r.diskBytes ?? 0))"
        return r
    }

    /// overwrite: `num` puts of uniformly random existing keys (with replacement).
    private func overwrite() throws -> WorkloadResult {
        let db = try openDatabase()
        let before = db.statistics()
        let wo = writeOptions, eb = entryBytes, num = config.num, n = config.threads
        let recs = try onThreads("overwrite", total: num) { t, rec, values in
            var key = [UInt8](repeating: 0, count: 16)
            var rng = SplitMix64(seed: Seed.forThread(Seed.overwrite, t))
            for _ in slice(num, t, n) {
                formatKey(rng.uniform(UInt64(num)), into: &key)
                values.next()
                try rec.measure { try db.put(key, values.value, options: wo) }
                rec.bytes += eb
            }
        }
        var r = result(.overwrite, recs, db: db, before: before)
        r.notes = "size_live_MB=\(mb(r.diskBytes ?? 0))"
        return r
    }

    /// readrandom: `reads` gets of existing keys; readmissing: of key + "." (17 bytes, sorts right
    /// after an existing key, so only the bloom filter can rule it out).
    private func read(missing: Bool) throws -> WorkloadResult {
        let w: Workload = missing ? .readmissing : .readrandom
        let db = try openDatabase()
        let before = db.statistics()
        let shape = before.levels.map { String($0.fileCount) }.joined(separator: " ")
        let num = config.num, reads = config.reads, n = config.threads, eb = entryBytes
        let seed = missing ? Seed.readmissing : Seed.readrandom
        let recs = try onThreads(w.rawValue, total: reads) { t, rec, _ in
            var key = [UInt8](repeating: UInt8(ascii: "."), count: missing ? 17 : 16)
            var rng = SplitMix64(seed: Seed.forThread(seed, t))
            for _ in slice(reads, t, n) {
                formatKey(rng.uniform(UInt64(num)), into: &key)
                let v = try rec.measure { try db.get(key) }
                if let v {
                    rec.found += 1
                    rec.bytes += eb
                    rec.checksum &+= UInt64(v.count)
                }
            }
        }
        let found = recs.reduce(0) { $0 + $1.found }
        return result(w, recs, db: db, before: before, notes: "found=\(found)/\(reads) [files/level at start: \(shape)]")
    }

    /// readseq: one full forward iteration (per thread). Every 64th step is timed on its own for
    /// the latency histogram; timing each would add a clock read pair to a ~0.3 µs step.
    private func readseq() throws -> WorkloadResult {
        let db = try openDatabase()
        let before = db.statistics()
        let total = Int(before.lastSequence)  // an upper bound, for the progress line
        let recs = try onThreads("readseq", total: total * config.threads) { _, rec, _ in
            let it = try db.makeIterator()
            var cs: UInt64 = 0
            var i = 0
            var bytes = 0
            it.seekToFirst()
            while it.isValid {
                it.withCurrent { k, v in
                    cs &+= UInt64(k[k.count - 1]) &+ UInt64(v.isEmpty ? 0 : v[0]) &+ UInt64(k.count + v.count)
                    bytes += k.count + v.count
                }
                i += 1
                if i & 63 == 0 {
                    let a = nowNanos()
                    it.next()
                    let d = nowNanos() &- a
                    _ = rec.histogram.record(Swift.max(d, 1))
                } else {
                    it.next()
                }
                if i & 1023 == 0 { rec.countOps(1024) }
            }
            try it.check()
            rec.countOps(i & 1023)
            rec.bytes = bytes
            rec.checksum = cs
        }
        let entries = recs.reduce(0) { $0 + $1.ops }
        return result(.readseq, recs, db: db, before: before,
                      notes: "entries=\(entries) cs=\(recs.reduce(0) { $0 &+ $1.checksum }) (latency: every 64th next)")
    }

    /// seekrandom: `reads` times, a new iterator, seek to a random existing key, then 10 x next.
    private func seekrandom() throws -> WorkloadResult {
        let db = try openDatabase()
        let before = db.statistics()
        let num = config.num, reads = config.reads, n = config.threads
        let recs = try onThreads("seekrandom", total: reads) { t, rec, _ in
            var key = [UInt8](repeating: 0, count: 16)
            var rng = SplitMix64(seed: Seed.forThread(Seed.seekrandom, t))
            var cs: UInt64 = 0
            for _ in slice(reads, t, n) {
                formatKey(rng.uniform(UInt64(num)), into: &key)
                let (entries, bytes) = try rec.measure { () throws -> (Int, Int) in
                    let it = try db.makeIterator()
                    it.seek(key)
                    var e = 0, b = 0
                    while e <= 10 && it.isValid {
                        it.withCurrent { k, v in
                            cs &+= UInt64(k[k.count - 1]) &+ UInt64(v.isEmpty ? 0 : v[0]) &+ UInt64(k.count + v.count)
                            b += k.count + v.count
                        }
                        e += 1
                        if e <= 10 { it.next() }
                    }
                    try it.check()
                    return (e, b)
                }
                rec.found += entries
                rec.bytes += bytes
            }
            rec.checksum = cs
        }
        let entries = recs.reduce(0) { $0 + $1.found }
        return result(.seekrandom, recs, db: db, before: before, notes: "entries_read=\(entries) (seek+next10)")
    }

    /// deleterandom: every key deleted once, in another shuffled order than fillrandom's.
    private func deleterandom() throws -> WorkloadResult {
        let perm = makePermutation(config.num, seed: Seed.deleterandom)
        let db = try openDatabase()
        let before = db.statistics()
        let wo = writeOptions, num = config.num, n = config.threads
        let recs = try onThreads("deleterandom", total: num) { t, rec, _ in
            var key = [UInt8](repeating: 0, count: 16)
            for i in slice(num, t, n) {
                formatKey(UInt64(perm[i]), into: &key)
                try rec.measure { try db.delete(key, options: wo) }
                rec.bytes += 16
            }
        }
        var r = result(.deleterandom, recs, db: db, before: before)
        r.notes = "size_live_MB=\(mb(r.diskBytes ?? 0))"
        return r
    }

    /// fillsync: fresh database, `sync_num` puts of random keys, each synced (split across threads,
    /// so group commit can share one fdatasync among several writers). The database is removed after.
    private func fillsync() throws -> WorkloadResult {
        let db = try freshDatabase(sync: true)
        let eb = entryBytes, num = config.num, total = config.syncNum, n = config.threads
        let wo = WriteOptions(sync: true)
        let recs = try onThreads("fillsync", total: total) { t, rec, values in
            var key = [UInt8](repeating: 0, count: 16)
            var rng = SplitMix64(seed: Seed.forThread(Seed.fillsync, t))
            for _ in slice(total, t, n) {
                formatKey(rng.uniform(UInt64(num)), into: &key)
                values.next()
                try rec.measure { try db.put(key, values.value, options: wo) }
                rec.bytes += eb
            }
        }
        let r = result(.fillsync, recs, db: db, before: nil)
        try closeDatabase()
        removeDatabase()
        return r
    }

    /// compact: flush the memtable and compact the whole key range; size before and after.
    private func compact() throws -> WorkloadResult {
        let db = try openDatabase()
        let before = db.statistics()
        let (sizeBefore, _) = directorySize(config.db)
        let recs = try onThreadsOnce("compact") { rec in
            try rec.measure {
                try db.flush()
                try db.compactRange()
            }
        }
        var r = result(.compact, recs, db: db, before: before)
        r.latencyMicros = nil
        r.notes = "size_before_MB=\(mb(sizeBefore)) size_after_MB=\(mb(r.diskBytes ?? 0))"
        return r
    }

    /// Runs `body` once on the calling thread.
    private func onThreadsOnce(_ name: String, _ body: (inout Recorder) throws -> Void) throws -> [Recorder] {
        var rec = Recorder(progress: Progress(name: name, total: 1, enabled: false))
        try body(&rec)
        rec.finish()
        return [rec]
    }
}

private func mb(_ bytes: UInt64) -> String { format(Double(bytes) / 1_048_576, 1) }
