import Foundation

import ArgumentParser

/// Flags in db_bench's spelling (--value_size, --cache_size, ...), so command lines carry over
/// from kvbench and db_bench.
struct StrataBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata-bench",
        abstract: "db_bench-style workloads on StrataStorage, comparable with ../shared/anchors/kvbench.",
        discussion: """
            Keys, values and workloads match kvbench (16-byte "%016llu" keys, values cut from a \
            50%-compressible buffer, fixed-seed splitmix64). Build with -c release. With --threads N, \
            each workload's operations are split across N threads (readseq: each thread scans everything).
            """)

    @Option(help: "Comma-separated workloads: fillseq,fillrandom,overwrite,readrandom,readmissing,readseq,seekrandom,deleterandom,fillsync[,compact].")
    var benchmarks = "fillseq,fillrandom,overwrite,readrandom,readmissing,readseq,seekrandom,deleterandom,fillsync"

    @Option(help: "Entries to write (and the key space for reads).")
    var num = 1_000_000

    @Option(help: "Operations of the read workloads (default: --num).")
    var reads: Int?

    @Option(name: .customLong("sync_num"), help: "Synced puts in fillsync.")
    var syncNum = 10_000

    @Option(name: .customLong("value_size"), help: "Bytes per value.")
    var valueSize = 100

    @Option(help: "Threads sharing each workload's operations.")
    var threads = 1

    @Option(help: "Database directory (default: /tmp/strata-bench-<pid>; emptied by fill workloads).")
    var db: String?

    @Option(help: "Block compression: lz4 or none.")
    var compression = "lz4"

    @Option(name: .customLong("cache_size"), help: "Block cache bytes (the peers use 64 MiB).")
    var cacheSize = 64 << 20

    @Option(name: .customLong("write_buffer_size"), help: "Memtable bytes (default: the engine's).")
    var writeBufferSize: Int?

    @Option(name: .customLong("block_size"), help: "Uncompressed bytes per data block (default: the engine's).")
    var blockSize: Int?

    @Option(name: .customLong("block_restart_interval"), help: "Entries between restart points in data blocks (default: the engine's).")
    var blockRestartInterval: Int?

    @Flag(name: .customLong("seek_compaction"), inversion: .prefixedNo,
          help: "Compact files that reads keep probing in vain (the engine's seek compaction).")
    var seekCompaction = true

    @Flag(help: "Sync every write (fillsync always syncs).")
    var sync = false

    @Flag(help: "Print the results as JSON on stdout (the text lines go to stderr).")
    var json = false

    @Flag(help: "Keep the database directory at exit.")
    var keep = false

    @Flag(inversion: .prefixedNo, help: "Print a progress line on stderr during long workloads.")
    var progress = true

    func validate() throws {
        guard num > 0 else { throw ValidationError("--num must be positive") }
        guard num <= Int(UInt32.max) else { throw ValidationError("--num must fit in 32 bits") }
        guard valueSize > 0, valueSize <= 4000 else { throw ValidationError("--value_size must be in 1...4000") }
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be in 1...256") }
        guard compression == "lz4" || compression == "none" else { throw ValidationError("--compression must be lz4 or none") }
        guard (blockSize ?? 4096) >= 256, (blockSize ?? 4096) <= 1 << 24 else { throw ValidationError("--block_size must be in 256...16777216") }
        guard (blockRestartInterval ?? 1) >= 1 else { throw ValidationError("--block_restart_interval must be at least 1") }
        guard syncNum >= 0, (reads ?? 1) >= 0, cacheSize >= 0 else { throw ValidationError("counts must not be negative") }
    }

    func run() throws {
        let config = BenchConfig(
            benchmarks: benchmarks.split(separator: ",").map { String($0).trimmingSpaces },
            num: num, reads: reads ?? num, syncNum: syncNum, valueSize: valueSize, threads: threads,
            db: db ?? "/tmp/strata-bench-\(getpid())", compression: compression == "lz4", cacheBytes: cacheSize,
            memtableBytes: writeBufferSize, restartInterval: blockRestartInterval, blockBytes: blockSize, seekCompaction: seekCompaction, sync: sync, json: json, keep: keep, progress: progress)
        try Runner(config: config).run()
    }
}

extension String {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}
