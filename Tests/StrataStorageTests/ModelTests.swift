import Foundation
import Testing
@testable import StrataStorage

/// Randomized model test: thousands of operations against the engine and against an in-memory
/// sorted map, with flushes, compactions, snapshots and reopens interleaved. Seeded: a failure
/// repeats exactly with the same seed.
@Suite struct ModelTests {
    struct Model {
        var map: [String: String] = [:]
        var sortedKeys: [String] { map.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } }
    }

    func key(_ rng: inout SeededRandom) -> String {
        // A small key space so overwrites and deletes hit existing keys; some long keys.
        let n = Int.random(in: 0..<400, using: &rng)
        return n % 37 == 0 ? "long-" + String(repeating: "k", count: 50) + "\(n)" : "k\(n)"
    }

    func value(_ rng: inout SeededRandom, _ i: Int) -> String {
        let len = Int.random(in: 0..<120, using: &rng)
        return "v\(i)-" + String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: len)
    }

    func checkIteration(_ db: StorageEngine, _ model: Model, snapshot: Snapshot? = nil, _ rng: inout SeededRandom) throws {
        let expected = model.sortedKeys.map { ($0, model.map[$0]!) }
        let got = try db.allEntries(snapshot: snapshot)
        #expect(got.map(\.0) == expected.map(\.0))
        #expect(got.map(\.1) == expected.map(\.1))
        // Backward.
        let it = try db.makeIterator(options: ReadOptions(snapshot: snapshot))
        it.seekToLast()
        var back: [String] = []
        while it.isValid { back.append(string(it.key)!); it.prev() }
        #expect(back == expected.map(\.0).reversed())
        // Random seeks with a direction change.
        for _ in 0..<10 {
            let target = key(&rng)
            it.seek(bytes(target))
            let idx = expected.firstIndex { !Array($0.0.utf8).lexicographicallyPrecedes(Array(target.utf8)) }
            if let idx {
                #expect(it.isValid && string(it.key) == expected[idx].0)
                if it.isValid {
                    it.prev()
                    if idx > 0 { #expect(it.isValid && string(it.key) == expected[idx - 1].0) } else { #expect(!it.isValid) }
                    if it.isValid {
                        it.next()
                        #expect(it.isValid && string(it.key) == expected[idx].0)
                    }
                }
            } else {
                #expect(!it.isValid)
            }
        }
        // Bounded iteration.
        let a = key(&rng), b = key(&rng)
        let (lo, hi) = Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) ? (a, b) : (b, a)
        let bounded = try db.makeIterator(options: ReadOptions(snapshot: snapshot), lowerBound: bytes(lo), upperBound: bytes(hi))
        bounded.seekToFirst()
        var inRange: [String] = []
        while bounded.isValid { inRange.append(string(bounded.key)!); bounded.next() }
        let expectedRange = expected.map(\.0).filter {
            !Array($0.utf8).lexicographicallyPrecedes(Array(lo.utf8)) && Array($0.utf8).lexicographicallyPrecedes(Array(hi.utf8))
        }
        #expect(inRange == expectedRange)
        bounded.seekToLast()
        var inRangeBack: [String] = []
        while bounded.isValid { inRangeBack.append(string(bounded.key)!); bounded.prev() }
        #expect(inRangeBack == expectedRange.reversed())
    }

    func run(seed: UInt64, operations: Int, options: StorageOptions, path: String) throws {
        var rng = SeededRandom(seed: seed)
        var db = try StorageEngine.open(at: path, options: options)
        var model = Model()
        var snapshots: [(Snapshot, Model)] = []
        for i in 0..<operations {
            let r = Int.random(in: 0..<1000, using: &rng)
            switch r {
            case 0..<450:
                let k = key(&rng), v = value(&rng, i)
                try db.put(bytes(k), bytes(v))
                model.map[k] = v
            case 450..<600:
                let k = key(&rng)
                try db.delete(bytes(k))
                model.map[k] = nil
            case 600..<700:
                var b = WriteBatch()
                for j in 0..<Int.random(in: 1..<20, using: &rng) {
                    let k = key(&rng)
                    if Bool.random(using: &rng) {
                        let v = value(&rng, i * 100 + j)
                        b.put(bytes(k), bytes(v))
                        model.map[k] = v
                    } else {
                        b.delete(bytes(k))
                        model.map[k] = nil
                    }
                }
                try db.write(b)
            case 700..<880:
                let k = key(&rng)
                #expect(string(try db.get(bytes(k))) == model.map[k], "seed \(seed) op \(i) key \(k)")
            case 880..<900:
                if snapshots.count < 4 { snapshots.append((db.snapshot(), model)) }
            case 900..<930:
                if let (snap, old) = snapshots.randomElement(using: &rng) {
                    for _ in 0..<20 {
                        let k = key(&rng)
                        #expect(string(try db.get(bytes(k), options: ReadOptions(snapshot: snap))) == old.map[k], "seed \(seed) op \(i) snapshot read \(k)")
                    }
                    if Int.random(in: 0..<4, using: &rng) == 0 { try checkIteration(db, old, snapshot: snap, &rng) }
                }
            case 930..<945:
                if !snapshots.isEmpty {
                    let s = snapshots.remove(at: Int.random(in: 0..<snapshots.count, using: &rng))
                    s.0.release()
                }
            case 945..<960:
                try db.flush()
            case 960..<970:
                let a = key(&rng), b = key(&rng)
                let (lo, hi) = a < b ? (a, b) : (b, a)
                if Bool.random(using: &rng) { try db.compactRange() } else { try db.compactRange(begin: bytes(lo), end: bytes(hi)) }
            case 970..<985:
                try checkIteration(db, model, &rng)
            default:
                for s in snapshots { s.0.release() }
                snapshots.removeAll()
                try db.close()
                db = try StorageEngine.open(at: path, options: options)
            }
        }
        try checkIteration(db, model, &rng)
        try db.compactRange()
        try checkIteration(db, model, &rng)
        // After a full compaction with no snapshots, deleted keys leave nothing behind.
        for s in snapshots { s.0.release() }
        snapshots.removeAll()
        try db.compactRange()
        let files = db.liveFiles().joined()
        let stored = files.reduce(0) { $0 + $1.entryCount }
        #expect(stored == UInt64(model.map.count), "seed \(seed): \(stored) entries stored for \(model.map.count) live keys")
        try db.close()
        db = try StorageEngine.open(at: path, options: options)
        try checkIteration(db, model, &rng)
        try db.close()
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func deterministicInMemory(seed: UInt64) throws {
        let fs = MemoryFileSystem()
        try run(seed: seed, operations: 4000, options: .small(fs: fs, background: false), path: "/db")
    }

    @Test(arguments: [UInt64(11), 12])
    func backgroundThreadsOnDisk(seed: UInt64) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        try run(seed: seed, operations: 4000, options: .small(), path: dir.db)
    }
}
