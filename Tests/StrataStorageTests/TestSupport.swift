import Foundation
@testable import StrataStorage

/// A fresh temporary directory, removed when the value is released by `cleanup()`.
struct TempDir {
    let path: String

    init(_ name: String = "strata") {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array("\(base)/\(name)-XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: p!)
    }

    /// A path inside the directory that does not exist yet (for the database itself).
    var db: String { path + "/db" }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
func string(_ b: [UInt8]?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }

/// Deterministic pseudo-random numbers (SplitMix64) so randomized tests repeat exactly.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension StorageOptions {
    /// Small sizes so tests exercise flushes, many segments and compactions with little data.
    static func small(fs: (any FileSystem)? = nil, background: Bool = true) -> StorageOptions {
        var o = StorageOptions()
        o.memtableBytes = 16 << 10
        o.blockBytes = 512
        o.targetSegmentBytes = 8 << 10
        o.level1Bytes = 32 << 10
        o.blockCacheBytes = 64 << 10
        o.backgroundWork = background
        if let fs { o.fileSystem = fs }
        return o
    }

    /// `small` without background work and with no size-based compaction ever due (level 0 and
    /// level 1 never fill), over 1 MiB memtables: what a flush writes stays where it lands.
    static func withoutSizeCompactions() -> StorageOptions {
        var o = StorageOptions.small(background: false)
        o.level0CompactionTrigger = 100
        o.level0SlowdownTrigger = 100
        o.level0StopTrigger = 100
        o.level1Bytes = 1 << 30
        o.memtableBytes = 1 << 20
        return o
    }
}

extension StorageEngine {
    /// Every visible key and value, in order, through a forward iterator.
    func allEntries(snapshot: Snapshot? = nil) throws -> [(String, String)] {
        let it = try makeIterator(options: ReadOptions(snapshot: snapshot))
        var out: [(String, String)] = []
        it.seekToFirst()
        while it.isValid {
            out.append((string(it.key)!, string(it.value)!))
            it.next()
        }
        try it.check()
        return out
    }
}
