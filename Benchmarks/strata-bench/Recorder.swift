#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Histogram
import Synchronization

/// Monotonic nanoseconds (clock_gettime; a vDSO call where the clock source is the TSC).
@inline(__always)
func nowNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// CPU nanoseconds of the calling thread (CLOCK_THREAD_CPUTIME_ID): unlike wall time, it leaves
/// out the time the thread waited for a core, so it moves less with other load on the machine.
func threadCPUNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// CPU nanoseconds of the whole process so far (user + system, every thread: the workload's and
/// the engine's background flushes and compactions).
func processCPUNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Counts finished operations across threads and prints a progress line on stderr once a second
/// after the first two seconds of a workload.
final class Progress: Sendable {
    let name: String
    let total: Int
    let enabled: Bool
    let start = nowNanos()
    private let done = Atomic<Int>(0)
    private let lastPrint = Atomic<UInt64>(0)
    private let printed = Atomic<Bool>(false)

    init(name: String, total: Int, enabled: Bool) {
        self.name = name
        self.total = total
        self.enabled = enabled
    }

    /// Called by each thread every `Recorder.reportEvery` operations.
    func add(_ n: Int) {
        let d = done.add(n, ordering: .relaxed).newValue
        guard enabled else { return }
        let now = nowNanos()
        let last = lastPrint.load(ordering: .relaxed)
        guard now - start >= 2_000_000_000, now - last >= 1_000_000_000 else { return }
        guard lastPrint.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged else { return }
        printed.store(true, ordering: .relaxed)
        let secs = Double(now - start) / 1e9
        let pct = total > 0 ? 100.0 * Double(d) / Double(total) : 0
        let line = "... \(name): \(d)/\(total) ops (\(format(pct, 1))%), \(format(secs, 1)) s, \(format(Double(d) / secs, 0)) ops/s"
        writeStderr(line + "\n")
    }

    /// Clears nothing but notes the end when progress lines were printed.
    func finish() {
        if printed.load(ordering: .relaxed) { writeStderr("... \(name): done\n") }
    }
}

/// One thread's measurements for one workload: operation latencies (ns) in an HDR histogram, and
/// counters. Timing every operation costs two clock reads (about 40 ns) and one histogram record.
struct Recorder {
    static let reportEvery = 1024

    var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000,
                                      numberOfSignificantValueDigits: .three)
    var ops = 0
    var bytes = 0
    var found = 0
    var checksum: UInt64 = 0
    var startNanos: UInt64 = 0
    var endNanos: UInt64 = 0
    /// This thread's CPU time over the workload.
    var cpuNanos: UInt64 = 0
    private var startCPU: UInt64 = 0
    let progress: Progress
    private var unreported = 0

    init(progress: Progress) {
        self.progress = progress
        startNanos = nowNanos()
        startCPU = threadCPUNanos()
    }

    /// Times one operation.
    @inline(__always)
    mutating func measure<T>(_ body: () throws -> T) rethrows -> T {
        let a = nowNanos()
        let r = try body()
        record(nowNanos() &- a)
        return r
    }

    @inline(__always)
    mutating func record(_ nanos: UInt64) {
        _ = histogram.record(Swift.max(nanos, 1))
        countOps(1)
    }

    /// Counts operations that were not timed one by one.
    @inline(__always)
    mutating func countOps(_ n: Int) {
        ops += n
        unreported += n
        if unreported >= Self.reportEvery {
            progress.add(unreported)
            unreported = 0
        }
    }

    mutating func finish() {
        endNanos = nowNanos()
        cpuNanos = threadCPUNanos() &- startCPU
        if unreported > 0 { progress.add(unreported) }
        unreported = 0
    }
}

func writeStderr(_ s: String) { writeAll(2, s) }

/// Unbuffered, so lines appear as workloads finish even when stdout is a pipe.
func writeStdout(_ s: String) { writeAll(1, s) }

private func writeAll(_ fd: Int32, _ s: String) {
    var s = s
    s.withUTF8 { p in
        var off = 0
        while off < p.count {
            let n = write(fd, p.baseAddress! + off, p.count - off)
            if n <= 0 { return }
            off += n
        }
    }
}

/// Fixed-point formatting without Foundation.
func format(_ x: Double, _ decimals: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    if decimals == 0 { return String(Int64(x.rounded())) }
    var m: Double = 1
    for _ in 0..<decimals { m *= 10 }
    let scaled = Int64((abs(x) * m).rounded())
    let whole = scaled / Int64(m)
    var frac = String(scaled % Int64(m))
    while frac.count < decimals { frac = "0" + frac }
    return (x < 0 && scaled != 0 ? "-" : "") + "\(whole).\(frac)"
}
