// Key and value generation, identical to ../shared/anchors/kvbench.c so that strata-bench and the
// peer benchmark write the same bytes in the same order (see the header of kvbench.c).

/// splitmix64 with a fixed seed: the same stream in every engine.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, n): the high word of next() * n.
    @inline(__always)
    mutating func uniform(_ n: UInt64) -> UInt64 {
        next().multipliedFullWidth(by: n).high
    }
}

/// The seeds kvbench uses, one per workload.
enum Seed {
    static let fillrandom: UInt64 = 1001
    static let overwrite: UInt64 = 2002
    static let readrandom: UInt64 = 3003
    static let readmissing: UInt64 = 4004
    static let seekrandom: UInt64 = 5005
    static let deleterandom: UInt64 = 6006
    static let fillsync: UInt64 = 7007
    static let values: UInt64 = 301

    /// Thread 0 uses the base seed (so one thread reproduces kvbench exactly); others get streams
    /// far apart from it.
    static func forThread(_ base: UInt64, _ thread: Int) -> UInt64 { base &+ (UInt64(thread) << 40) }
}

/// Writes the 16-byte zero-padded decimal form of `k` ("%016llu") into the first 16 bytes of `key`.
@inline(__always)
func formatKey(_ k: UInt64, into key: inout [UInt8]) {
    key.withUnsafeMutableBufferPointer { p in
        var k = k
        var i = 15
        while i >= 0 {
            p[i] = UInt8(truncatingIfNeeded: 48 &+ k % 10)
            k /= 10
            i -= 1
        }
    }
}

/// A permutation of [0, n): Fisher-Yates driven by splitmix64, as kvbench's make_perm.
func makePermutation(_ n: Int, seed: UInt64) -> [UInt32] {
    var p = (0..<n).map { UInt32($0) }
    var r = SplitMix64(seed: seed)
    var i = n - 1
    while i > 0 {
        let j = Int(r.uniform(UInt64(i + 1)))
        p.swapAt(i, j)
        i -= 1
    }
    return p
}

/// db_bench's RandomGenerator as kvbench builds it: 1 MiB (+ 1 KiB slack) of 100-byte pieces, each
/// 50 random printable bytes repeated once, so values compress to about half.
final class ValueBuffer: Sendable {
    static let size = 1 << 20
    let bytes: [UInt8]

    init(seed: UInt64 = Seed.values) {
        let total = Self.size + 1024
        var b = [UInt8]()
        b.reserveCapacity(total)
        var r = SplitMix64(seed: seed)
        while b.count < total {
            var piece = [UInt8](repeating: 0, count: 100)
            for i in 0..<50 { piece[i] = UInt8(32 + r.uniform(95)) }
            for i in 50..<100 { piece[i] = piece[i - 50] }
            b.append(contentsOf: piece.prefix(total - b.count))
        }
        bytes = b
    }
}

/// A cursor over the value buffer: each call yields the next `length` bytes, wrapping as kvbench's
/// valgen does. Fills a reused array so that generating a value allocates nothing.
struct ValueSource {
    let buffer: ValueBuffer
    var position: Int
    var value: [UInt8]

    init(_ buffer: ValueBuffer, length: Int, position: Int = 0) {
        self.buffer = buffer
        self.position = position
        value = [UInt8](repeating: 0, count: length)
    }

    @inline(__always)
    mutating func next() {
        let length = value.count
        if position + length > ValueBuffer.size { position = 0 }
        let from = position
        buffer.bytes.withUnsafeBytes { src in
            value.withUnsafeMutableBytes { dst in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[from..<(from + length)]))
            }
        }
        position += length
    }
}
