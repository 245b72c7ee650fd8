import Foundation
import Synchronization
import Testing
@testable import StrataStorage

/// `ReadOptions.nonBlocking` and `WriteOptions.nonBlocking`: answered from memory, or
/// `.wouldBlock` having done nothing.
@Suite struct NonBlockingTests {
    static let read = ReadOptions(nonBlocking: true)
    static let write = WriteOptions(nonBlocking: true)

    func isWouldBlock(_ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch let e as StorageError {
            return e.code == .wouldBlock
        } catch {
            return false
        }
    }

    func key(_ i: Int) -> [UInt8] { bytes(String(format: "key%05d", i)) }

    /// Memtable hits answer; a key in a segment answers only once its block is cached; a segment
    /// not open is never opened.
    @Test func readsAnswerFromMemoryOnly() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var options = StorageOptions.withoutSizeCompactions()
        options.blockBytes = 4096
        var db = try StorageEngine.open(at: dir.db, options: options)
        for i in 0..<500 { try db.put(key(i), bytes("v\(i)")) }
        #expect(string(try db.get(key(7), options: Self.read)) == "v7")
        #expect(try db.get(bytes("key99999x"), options: Self.read) == nil)
        try db.flush()
        try db.close()

        // Reopened: the segment is not open and no block is cached.
        db = try StorageEngine.open(at: dir.db, options: options)
        defer { try? db.close() }
        #expect(isWouldBlock { _ = try db.get(key(7), options: Self.read) })
        #expect(string(try db.get(key(7))) == "v7")  // opens the segment, caches the block
        #expect(string(try db.get(key(7), options: Self.read)) == "v7")
        #expect(try db.get(bytes("key99999x"), options: Self.read) == nil, "past every file's range: no file to read")
        // A key of another block of the same segment: its block is not cached yet.
        #expect(isWouldBlock { _ = try db.get(key(480), options: Self.read) })
        #expect(string(try db.get(key(480))) == "v480")
        #expect(string(try db.get(key(480), options: Self.read)) == "v480")

        #expect(db.statistics().nonBlockingReadsRefused == 2)
        #expect(db.statistics().nonBlockingWritesRefused == 0)

        // A deletion in the memtable answers over the segment's value.
        try db.delete(key(100))
        #expect(try db.get(key(100), options: Self.read) == nil)

        // Iterators refuse the option.
        #expect(throws: StorageError.self) { _ = try db.makeIterator(options: Self.read) }
    }

    /// The engine's lock held by another owner: reads and writes refuse at once.
    @Test func heldLockRefuses() throws {
        let db = try StorageEngine.open(at: "/db", options: .small(fs: MemoryFileSystem(), background: false))
        defer { try? db.close() }
        try db.put(bytes("a"), bytes("1"))
        db.lock.lock()
        let readRefused = isWouldBlock { _ = try db.get(bytes("a"), options: Self.read) }
        let writeRefused = isWouldBlock { try db.put(bytes("b"), bytes("2"), options: Self.write) }
        db.lock.unlock()
        #expect(readRefused)
        #expect(writeRefused)
        #expect(db.statistics().nonBlockingReadsRefused == 1)
        #expect(db.statistics().nonBlockingWritesRefused == 1)
        #expect(try db.get(bytes("b")) == nil, "a refused write writes nothing")
        try db.put(bytes("b"), bytes("2"), options: Self.write)
        #expect(string(try db.get(bytes("b"))) == "2")
    }

    /// A write that would sync, or that needs the memtable frozen, is refused and writes nothing;
    /// a plain write then makes room and non-blocking writes go on.
    @Test func writesRefusedWhenTheyWouldWait() throws {
        var options = StorageOptions.small(fs: MemoryFileSystem(), background: false)
        options.syncByDefault = true
        let db = try StorageEngine.open(at: "/db", options: options)
        defer { try? db.close() }
        #expect(isWouldBlock { try db.put(bytes("s"), bytes("1"), options: Self.write) })
        #expect(try db.get(bytes("s")) == nil)
        try db.put(bytes("s"), bytes("1"), options: WriteOptions(sync: false, nonBlocking: true))
        #expect(string(try db.get(bytes("s"))) == "1")

        let unsynced = WriteOptions(sync: false, nonBlocking: true)
        let value = [UInt8](repeating: 7, count: 200)
        var written = 0
        var refusedAt: Int?
        for i in 0..<10_000 {
            if isWouldBlock({ try db.put(key(i), value, options: unsynced) }) {
                refusedAt = i
                break
            }
            written += 1
        }
        let refused = try #require(refusedAt, "a full memtable refuses")
        #expect(db.mem.approximateBytes > options.memtableBytes)
        #expect(try db.get(key(refused)) == nil)
        #expect(written > 10)
        #expect(db.statistics().nonBlockingWritesRefused == 2, "the synced write and the full memtable")
        try db.put(key(refused), value, options: WriteOptions(sync: false))  // freezes and flushes the memtable
        #expect(db.mem.approximateBytes <= options.memtableBytes)
        try db.put(key(refused + 1), value, options: unsynced)
        for i in 0...(refused + 1) { #expect(try db.get(key(i)) == value) }

        // A batch, and a put that measures the previous value.
        var batch = WriteBatch()
        batch.put(bytes("b1"), bytes("x"))
        batch.delete(key(0))
        try db.write(batch, options: unsynced)
        #expect(string(try db.get(bytes("b1"))) == "x")
        #expect(try db.get(key(0)) == nil)
        let previous = try db.put(key(1), bytes("new"), options: unsynced, measuringPrevious: { $0.count })
        #expect(previous == 200)
        #expect(string(try db.get(key(1))) == "new")
    }

    /// A mapped log takes a non-blocking record only while it fits in the mapped window.
    @Test func mappedLogRefusesPastItsWindow() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var options = StorageOptions()
        options.memtableBytes = 8 << 20
        let db = try StorageEngine.open(at: dir.db, options: options)
        defer { try? db.close() }
        #expect(db.log.file is MappedLogFile)
        let big = [UInt8](repeating: 1, count: MappedLogFile.windowBytes + 1)
        #expect(isWouldBlock { try db.put(bytes("big"), big, options: Self.write) })
        #expect(try db.get(bytes("big")) == nil)
        try db.put(bytes("big"), big)
        #expect(try db.get(bytes("big")) == big)
        // Small records fit until the window's end; then one is refused, and a plain write maps on.
        let value = [UInt8](repeating: 2, count: 1000)
        var refused = false
        for i in 0..<3000 where !refused {
            refused = isWouldBlock { try db.put(key(i), value, options: Self.write) }
            if refused {
                try db.put(key(i), value)
                try db.put(key(i + 1), value, options: Self.write)
            }
        }
        #expect(refused, "3 MB of records cross a 1 MiB window")
    }

    /// A memtable switch creates, syncs and closes logs without the engine lock: while one is
    /// held up creating its new log, reads (blocking and not) and statistics go on; the writer
    /// finishes once it is let go, and every write is there.
    @Test func memtableSwitchLeavesTheLockFree() throws {
        let fs = GatedFileSystem()
        var options = StorageOptions.small(fs: fs)
        options.memtableBytes = 4 << 10
        let db = try StorageEngine.open(at: "/db", options: options)
        defer { try? db.close() }
        try db.put(bytes("before"), bytes("1"))
        fs.armed.store(true, ordering: .sequentiallyConsistent)
        let writerDone = DispatchSemaphore(value: 0)
        let written = Atomic<Int>(0)
        Thread.detachNewThread {
            for i in 0..<200 {  // 200 puts of 100 bytes pass 4 KiB: a switch
                try? db.put(key(i), [UInt8](repeating: 5, count: 100))
                written.add(1, ordering: .relaxed)
            }
            writerDone.signal()
        }
        #expect(fs.entered.wait(timeout: .now() + 20) == .success, "the switch reached the new log's creation")
        let readerDone = DispatchSemaphore(value: 0)
        let answers = Mutex<(String?, String?, Int)>((nil, nil, -1))
        Thread.detachNewThread {
            let blocking = try? db.get(bytes("before"))
            let nonBlocking = try? db.get(bytes("before"), options: Self.read)
            let level0 = db.statistics().levels[0].fileCount
            answers.withLock { $0 = (string(blocking ?? nil), string(nonBlocking ?? nil), level0) }
            readerDone.signal()
        }
        let readsWentOn = readerDone.wait(timeout: .now() + 20) == .success
        let duringSwitch = written.load(ordering: .relaxed)
        fs.release.signal()
        #expect(readsWentOn, "reads waited for the switch's file work")
        if !readsWentOn { _ = readerDone.wait(timeout: .now() + 20) }
        #expect(writerDone.wait(timeout: .now() + 20) == .success)
        #expect(duringSwitch < 200, "the writer was still held in the switch")
        let (blocking, nonBlocking, level0) = answers.withLock { $0 }
        #expect(blocking == "1")
        #expect(nonBlocking == "1")
        #expect(level0 >= 0)
        for i in 0..<200 { #expect(try db.get(key(i)) == [UInt8](repeating: 5, count: 100)) }
    }

    @Test func wouldBlockNamesItself() {
        let e = StorageError.wouldBlock("read")
        #expect(e.code == .wouldBlock)
        #expect(e.description.contains("non-blocking read"))
    }
}

/// A file system in memory whose next log creation, once armed, waits until released.
final class GatedFileSystem: FileSystem {
    let base = MemoryFileSystem()
    let armed = Atomic<Bool>(false)
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)

    func openWritable(_ path: String, truncate: Bool) throws -> any WritableFile {
        if path.hasSuffix(".log"), armed.exchange(false, ordering: .sequentiallyConsistent) {
            entered.signal()
            release.wait()
        }
        return try base.openWritable(path, truncate: truncate)
    }

    func createDirectory(_ path: String) throws { try base.createDirectory(path) }
    func fileExists(_ path: String) -> Bool { base.fileExists(path) }
    func listDirectory(_ path: String) throws -> [String] { try base.listDirectory(path) }
    func openReadable(_ path: String) throws -> any ReadableFile { try base.openReadable(path) }
    func rename(_ from: String, _ to: String) throws { try base.rename(from, to) }
    func remove(_ path: String) throws { try base.remove(path) }
    func syncDirectory(_ path: String) throws { try base.syncDirectory(path) }
    func lockFile(_ path: String) throws -> any FileLock { try base.lockFile(path) }
}
