import Foundation
import Testing
@testable import StrataStorage

/// A child process writes synced batches and is killed with SIGKILL at random moments, many
/// times. After each kill the database reopens with every acknowledged batch present and every
/// batch either whole or absent.
@Suite struct CrashTests {
    static var childPath: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("strata-crash-child").path
    }

    static let width = 5

    /// Applied batches, checked for wholeness; returns the highest batch number applied (start - 1 if none).
    func verify(_ db: StorageEngine, from first: Int, through lastAcked: Int) throws -> Int {
        var n = first
        var lastApplied = first - 1
        while true {
            var present = 0
            for k in 0..<Self.width {
                let v = try db.get(bytes("b\(n)-k\(k)"))
                if let v {
                    #expect(v.starts(with: bytes("v\(n)")), "batch \(n) key \(k) has a foreign value")
                    present += 1
                } else if k == 0 && (n + 3) % 7 == 3 {
                    // Batch n+3 deletes b<n>-k0: absent is right if that batch was applied.
                    if try db.get(bytes("b\(n + 3)-k1")) != nil { present += 1 }
                }
            }
            if present == 0 { break }
            #expect(present == Self.width, "batch \(n) is half-applied: \(present) of \(Self.width) keys")
            lastApplied = n
            n += 1
        }
        #expect(lastApplied >= lastAcked, "acknowledged batch \(lastAcked) lost; only up to \(lastApplied) present")
        if lastApplied >= first {
            #expect(string(try db.get(bytes("last"))) == String(lastApplied))
        }
        return lastApplied
    }

    @Test func killedWriterLosesNothingAcknowledged() throws {
        let child = Self.childPath
        try #require(FileManager.default.isExecutableFile(atPath: child), "build the package first (swift build --build-tests): \(child) is missing")
        let dir = TempDir("crash")
        defer { dir.cleanup() }
        var rng = SeededRandom(seed: UInt64(Date().timeIntervalSince1970))
        var next = 0
        var kills = 0
        var totalAcked = 0
        for round in 0..<14 {
            let out = dir.path + "/out-\(round).txt"
            FileManager.default.createFile(atPath: out, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            let p = Process()
            p.executableURL = URL(fileURLWithPath: child)
            p.arguments = [dir.db, String(next), String(Self.width), String(32 << 10)]
            p.standardOutput = handle
            try p.run()
            // Sometimes kill during open/recovery, usually mid-write.
            let delay = round % 4 == 0 ? Double.random(in: 0.0...0.03, using: &rng) : Double.random(in: 0.05...0.3, using: &rng)
            Thread.sleep(forTimeInterval: delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            try handle.close()
            kills += 1
            let lines = (try String(contentsOfFile: out, encoding: .utf8)).split(separator: "\n")
            if let bad = lines.first(where: { $0.hasPrefix("error") }) {
                Issue.record("child failed: \(bad)")
                return
            }
            let acked = lines.compactMap { $0.hasPrefix("ack ") ? Int($0.dropFirst(4)) : nil }
            let lastAcked = acked.last ?? next - 1
            totalAcked += acked.count
            var options = StorageOptions()
            options.memtableBytes = 32 << 10
            let db = try StorageEngine.open(at: dir.db, options: options)
            // The killed writer's log was mapped: its unwritten space ends it cleanly.
            #expect(!db.recoveryReport.droppedTails.contains { $0.1.reason == LogReader.zeroFilled })
            let applied = try verify(db, from: 0, through: lastAcked)
            try db.close()
            next = applied + 1
        }
        #expect(kills == 14)
        #expect(totalAcked > 50, "the child acknowledged too few batches (\(totalAcked)) for the test to mean anything")
    }
}
