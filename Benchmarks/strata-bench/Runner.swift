import Foundation
import StrataStorage
import Synchronization

/// Settings of one run, from the command line.
struct BenchConfig: Sendable {
    var benchmarks: [String]
    var num: Int
    var reads: Int
    var syncNum: Int
    var valueSize: Int
    var threads: Int
    var db: String
    var compression: Bool
    var cacheBytes: Int
    var memtableBytes: Int?
    var restartInterval: Int?
    var blockBytes: Int?
    var seekCompaction = true
    var sync: Bool
    var json: Bool
    var keep: Bool
    var progress: Bool

    var storageOptions: StorageOptions {
        var o = StorageOptions()
        o.compression = compression
        o.blockCacheBytes = cacheBytes
        o.bloomBitsPerKey = 10
        if let m = memtableBytes { o.memtableBytes = m }
        if let r = restartInterval { o.blockRestartInterval = r }
        if let b = blockBytes { o.blockBytes = b }
        o.seekCompaction = seekCompaction
        return o
    }
}

/// Owns the database across workloads, as kvbench does: fill workloads start from an empty
/// directory, the others use whatever the previous workloads left.
final class Runner {
    let config: BenchConfig
    let values: ValueBuffer
    /// Thread 0's value cursor carries on from workload to workload, like kvbench's global one.
    var valuePosition = 0
    /// The process's CPU time over the last `onThreads` run (workload and background threads).
    var lastProcessCPUNanos: UInt64 = 0
    var engine: StorageEngine?
    var results: [WorkloadResult] = []

    init(config: BenchConfig) {
        self.config = config
        values = ValueBuffer()
    }

    // MARK: database lifecycle

    func freshDatabase(sync: Bool = false) throws -> StorageEngine {
        try closeDatabase()
        removeDatabase()
        var o = config.storageOptions
        o.syncByDefault = sync
        let e = try StorageEngine.open(at: config.db, options: o)
        engine = e
        return e
    }

    func openDatabase() throws -> StorageEngine {
        if let e = engine { return e }
        let e = try StorageEngine.open(at: config.db, options: config.storageOptions)
        engine = e
        return e
    }

    func closeDatabase() throws {
        if let e = engine {
            engine = nil
            try e.close()
        }
    }

    func removeDatabase() {
        try? FileManager.default.removeItem(atPath: config.db)
    }

    // MARK: running

    func run() throws {
        let h = header
        emitText("# strata-bench engine=strata num=\(h.num) reads=\(h.reads) sync_num=\(h.syncNum) key=16B value=\(h.valueSize)B "
                 + "threads=\(h.threads) compression=\(h.compression) cache=\(h.cacheBytes) memtable=\(h.memtableBytes) "
                 + "sync=\(h.sync) db=\(h.db)")
        for name in config.benchmarks {
            guard let w = Workload(rawValue: name) else {
                writeStderr("unknown benchmark \(name) (known: \(Workload.allCases.map(\.rawValue).joined(separator: ",")))\n")
                continue
            }
            let r = try run(w)
            results.append(r)
            emitText(r.textLine)
            emitText(r.resultLine)
        }
        try closeDatabase()
        if !config.keep { removeDatabase() }
        if config.json { writeStdout(encodeJSON(RunReport(header: header, results: results)) + "\n") }
    }

    var header: RunHeader {
        RunHeader(num: config.num, reads: config.reads, syncNum: config.syncNum, valueSize: config.valueSize,
                  threads: config.threads, compression: config.compression ? "lz4" : "none",
                  cacheBytes: config.cacheBytes, memtableBytes: config.storageOptions.memtableBytes,
                  sync: config.sync, db: config.db)
    }

    /// Text goes to stdout, or to stderr when stdout carries the JSON.
    func emitText(_ line: String) {
        if config.json {
            writeStderr(line + "\n")
        } else {
            writeStdout(line + "\n")
        }
    }

    /// Runs `body` on `config.threads` threads (inline when there is one) and collects each
    /// thread's recorder. `body` gets the thread index, its recorder and its value cursor.
    func onThreads(_ name: String, total: Int,
                   _ body: @escaping @Sendable (Int, inout Recorder, inout ValueSource) throws -> Void) throws -> [Recorder] {
        let progress = Progress(name: name, total: total, enabled: config.progress)
        defer { progress.finish() }
        let processCPUBefore = processCPUNanos()
        defer { lastProcessCPUNanos = processCPUNanos() &- processCPUBefore }
        let n = config.threads
        let valueSize = config.valueSize
        if n == 1 {
            var rec = Recorder(progress: progress)
            var vs = ValueSource(values, length: valueSize, position: valuePosition)
            try body(0, &rec, &vs)
            rec.finish()
            valuePosition = vs.position
            return [rec]
        }
        let outcomes = Mutex<[Int: Result<(Recorder, Int), any Error>]>([:])
        let group = DispatchGroup()
        let values = self.values
        let startPosition = valuePosition
        for t in 0..<n {
            group.enter()
            let thread = Thread {
                var rec = Recorder(progress: progress)
                let position = t == 0 ? startPosition : (t * 104_729) % ValueBuffer.size
                var vs = ValueSource(values, length: valueSize, position: position)
                let outcome: Result<(Recorder, Int), any Error>
                do {
                    try body(t, &rec, &vs)
                    rec.finish()
                    outcome = .success((rec, vs.position))
                } catch {
                    outcome = .failure(error)
                }
                outcomes.withLock { $0[t] = outcome }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        var recorders: [Recorder] = []
        for t in 0..<n {
            let o = outcomes.withLock { $0[t] }!
            let (rec, position) = try o.get()
            if t == 0 { valuePosition = position }
            recorders.append(rec)
        }
        return recorders
    }
}

/// The part of [0, total) thread `t` of `n` works on.
func slice(_ total: Int, _ t: Int, _ n: Int) -> Range<Int> {
    (total * t / n)..<(total * (t + 1) / n)
}
