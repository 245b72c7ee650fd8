import Foundation
import Histogram
import StrataStorage

/// What one workload measured. Field names are the `--json` form.
struct WorkloadResult: Codable {
    struct Latency: Codable {
        var p50: Double
        var p99: Double
        var p999: Double
        var max: Double
        var mean: Double
    }

    var name: String
    var threads: Int
    var ops: Int
    var seconds: Double
    var opsPerSecond: Double
    var microsPerOp: Double
    var megabytesPerSecond: Double
    /// CPU time of the workload's own threads per operation (µs): less sensitive than the wall
    /// figures to other load on the machine, and blind to background work.
    var cpuMicrosPerOp: Double
    /// CPU time of the whole process per operation (µs), background flushes and compactions
    /// included (nil for workloads not run through the common thread runner).
    var processCPUMicrosPerOp: Double?
    /// Per-operation latency in microseconds (nil when operations were not timed one by one).
    var latencyMicros: Latency?
    /// (log + flush + compaction bytes) / user bytes, since the database was opened.
    var writeAmplification: Double?
    /// Sum of file sizes in the database directory (apparent, and allocated on disk).
    var diskBytes: UInt64?
    var diskAllocatedBytes: UInt64?
    /// Bytes of the live segments (the current version); the directory can hold more while
    /// obsolete files wait for deletion, and the logs.
    var liveSegmentBytes: UInt64?
    var filesPerLevel: [Int]?
    var blockCacheHits: Int?
    var blockCacheMisses: Int?
    var writeStalls: Int?
    /// Writes delayed 1 ms because level 0 reached its slowdown trigger.
    var writeSlowdowns: Int?
    /// Batches per log record in this workload: how many writes group commit put in one record.
    var batchesPerLogRecord: Double?
    /// Log records synced in this workload.
    var logSyncs: Int?
    /// Peak resident set of the process so far (getrusage).
    var peakRSSBytes: UInt64
    var notes: String
}

struct RunHeader: Codable {
    var engine = "strata"
    var num: Int
    var reads: Int
    var syncNum: Int
    var keySize = 16
    var valueSize: Int
    var threads: Int
    var compression: String
    var cacheBytes: Int
    var memtableBytes: Int
    var sync: Bool
    var db: String
}

struct RunReport: Codable {
    var header: RunHeader
    var results: [WorkloadResult]
}

extension WorkloadResult {
    init(name: String, threads: Int, recorders: [Recorder], bytesPerOpFallback: Int = 0, notes: String) {
        let start = recorders.map(\.startNanos).min() ?? 0
        let end = recorders.map(\.endNanos).max() ?? 0
        let ops = recorders.reduce(0) { $0 + $1.ops }
        let bytes = recorders.reduce(0) { $0 + $1.bytes }
        var h = recorders[0].histogram
        for r in recorders.dropFirst() { h.add(r.histogram) }
        let secs = max(Double(end - start) / 1e9, 1e-9)
        self.name = name
        self.threads = threads
        self.ops = ops
        seconds = secs
        opsPerSecond = Double(ops) / secs
        microsPerOp = secs * 1e6 / Double(max(ops, 1))
        megabytesPerSecond = Double(bytes) / 1_048_576 / secs
        cpuMicrosPerOp = Double(recorders.reduce(0) { $0 + $1.cpuNanos }) / 1000 / Double(max(ops, 1))
        if h.totalCount > 0 {
            latencyMicros = Latency(p50: Double(h.valueAtPercentile(50)) / 1000,
                                    p99: Double(h.valueAtPercentile(99)) / 1000,
                                    p999: Double(h.valueAtPercentile(99.9)) / 1000,
                                    max: Double(h.max) / 1000,
                                    mean: h.mean / 1000)
        }
        peakRSSBytes = peakRSS()
        self.notes = notes
    }

    mutating func addEngineState(_ s: StorageStatistics?, since before: StorageStatistics?, dir: String) {
        if let s {
            writeAmplification = s.writeAmplification
            filesPerLevel = s.levels.map(\.fileCount)
            liveSegmentBytes = s.totalSegmentBytes
            blockCacheHits = s.blockCacheHits - (before?.blockCacheHits ?? 0)
            blockCacheMisses = s.blockCacheMisses - (before?.blockCacheMisses ?? 0)
            writeStalls = s.writeStalls - (before?.writeStalls ?? 0)
            writeSlowdowns = s.writeSlowdowns - (before?.writeSlowdowns ?? 0)
            let records = s.walRecords - (before?.walRecords ?? 0)
            if records > 0 {
                batchesPerLogRecord = Double(s.batchesWritten - (before?.batchesWritten ?? 0)) / Double(records)
                logSyncs = s.walSyncs - (before?.walSyncs ?? 0)
            }
        }
        let (a, b) = directorySize(dir)
        diskBytes = a
        diskAllocatedBytes = b
    }

    /// One human line, in the spirit of db_bench.
    var textLine: String {
        var s = name.padding(toLength: 13, withPad: " ", startingAt: 0) + ":"
        s += leftPad(format(microsPerOp, 3), 10) + " µs/op" + leftPad(format(opsPerSecond, 0), 11) + " ops/s"
        s += leftPad(format(megabytesPerSecond, 1), 8) + " MB/s"
        s += "  cpu \(format(cpuMicrosPerOp, 3))"
        if let p = processCPUMicrosPerOp { s += " (process \(format(p, 3)))" }
        s += " µs/op"
        if let l = latencyMicros {
            s += "  p50 \(format(l.p50, 1))  p99 \(format(l.p99, 1))  p99.9 \(format(l.p999, 1))  max \(format(l.max, 0)) µs"
        }
        if let wa = writeAmplification { s += "  WA \(format(wa, 2))" }
        if let d = diskBytes { s += "  disk \(format(Double(d) / 1_048_576, 1)) MiB" }
        if let l = liveSegmentBytes { s += " (live segments \(format(Double(l) / 1_048_576, 1)))" }
        if let f = filesPerLevel { s += "  files/level \(f.map(String.init).joined(separator: " "))" }
        if let h = blockCacheHits, let m = blockCacheMisses, h + m > 0 { s += "  cache hit \(format(100 * Double(h) / Double(h + m), 1))%" }
        if let w = writeStalls, w > 0 { s += "  stalls \(w)" }
        if let w = writeSlowdowns, w > 0 { s += "  slowdowns \(w)" }
        if let b = batchesPerLogRecord, b > 1.001 { s += "  writes/log record \(format(b, 2))" }
        if let n = logSyncs, n > 0 { s += "  syncs \(n)" }
        s += "  rss \(format(Double(peakRSSBytes) / 1_048_576, 0)) MiB"
        if !notes.isEmpty { s += "  " + notes }
        return s
    }

    /// The same RESULT line kvbench prints, so one script can read both.
    var resultLine: String {
        var extra = notes
        extra += (extra.isEmpty ? "" : " ") + "cpu_us_op=\(format(cpuMicrosPerOp, 4))"
        if let p = processCPUMicrosPerOp { extra += " process_cpu_us_op=\(format(p, 4))" }
        if let d = diskBytes { extra += (extra.isEmpty ? "" : " ") + "size_MB=\(format(Double(d) / 1_048_576, 1))" }
        return "RESULT,strata,\(name),\(ops),\(format(seconds, 6)),\(format(opsPerSecond, 1)),\(format(microsPerOp, 4)),\(extra)"
    }
}

private func leftPad(_ s: String, _ width: Int) -> String {
    s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s
}

/// Apparent and allocated bytes of the files in `dir` and below.
func directorySize(_ dir: String) -> (UInt64, UInt64) {
    var apparent: UInt64 = 0
    var allocated: UInt64 = 0
    guard let e = FileManager.default.enumerator(atPath: dir) else { return (0, 0) }
    while let name = e.nextObject() as? String {
        var st = stat()
        if lstat(dir + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG {
            apparent += UInt64(st.st_size)
            allocated += UInt64(st.st_blocks) * 512
        }
    }
    return (apparent, allocated)
}

/// The process's peak resident set so far.
func peakRSS() -> UInt64 {
    var u = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return UInt64(u.ru_maxrss) * 1024  // KiB on Linux
    #else
    getrusage(RUSAGE_SELF, &u)
    return UInt64(u.ru_maxrss)  // bytes on Darwin
    #endif
}

func encodeJSON(_ r: RunReport) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    guard let d = try? e.encode(r) else { return "{}" }
    return String(decoding: d, as: UTF8.self)
}
