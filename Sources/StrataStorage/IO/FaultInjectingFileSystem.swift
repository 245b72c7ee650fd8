import Synchronization

/// Wraps another file system and injects faults, for tests: failed writes, failed syncs,
/// short writes (part of the bytes land, then an error), and flipped bits on read.
public final class FaultInjectingFileSystem: FileSystem {
    public struct Faults: Sendable {
        /// Writes fail once this many more bytes have been appended (across all files); nil: never.
        public var failWritesAfterBytes: Int?
        /// When a write fails, this many bytes beyond the limit still land first (a short write;
        /// never the whole write).
        public var shortWriteBytes = 0
        /// Every sync fails.
        public var failSyncs = false
        /// Reads of files whose name contains this string get one bit flipped (at `flipBitOffset`
        /// within the file, if the read covers it).
        public var flipBitInFilesContaining: String?
        public var flipBitOffset: Int64 = 0
        /// Only files whose name contains this string are affected by write and sync faults; nil: all.
        public var onlyFilesContaining: String?
        public init() {}
    }

    public let base: any FileSystem
    let faults = Mutex(Faults())
    let counters = Mutex((bytesWritten: 0, failedWrites: 0, failedSyncs: 0))

    public init(base: any FileSystem) { self.base = base }

    public func setFaults(_ f: Faults) { faults.withLock { $0 = f } }
    public func clearFaults() { faults.withLock { $0 = Faults() } }
    public var failedWrites: Int { counters.withLock { $0.failedWrites } }
    public var failedSyncs: Int { counters.withLock { $0.failedSyncs } }

    func applies(_ f: Faults, _ path: String) -> Bool {
        guard let only = f.onlyFilesContaining else { return true }
        return path.split(separator: "/").last.map { $0.contains(only) } ?? false
    }

    /// Returns how many bytes of an append of `n` bytes may land and whether it then fails.
    func admitWrite(_ path: String, _ n: Int) -> (allowed: Int, fail: Bool) {
        let f = faults.withLock { $0 }
        guard applies(f, path), let limit = f.failWritesAfterBytes else { return (n, false) }
        return counters.withLock { c in
            let left = limit - c.bytesWritten
            if n <= left {
                c.bytesWritten += n
                return (n, false)
            }
            c.failedWrites += 1
            let part = max(0, min(n - 1, max(left, 0) + f.shortWriteBytes))
            c.bytesWritten += part
            return (part, true)
        }
    }

    func admitSync(_ path: String) -> Bool {
        let f = faults.withLock { $0 }
        guard applies(f, path), f.failSyncs else { return true }
        counters.withLock { $0.failedSyncs += 1 }
        return false
    }

    public func createDirectory(_ path: String) throws { try base.createDirectory(path) }
    public func fileExists(_ path: String) -> Bool { base.fileExists(path) }
    public func listDirectory(_ path: String) throws -> [String] { try base.listDirectory(path) }
    public func openWritable(_ path: String, truncate: Bool) throws -> any WritableFile {
        FaultyWritableFile(inner: try base.openWritable(path, truncate: truncate), fs: self)
    }
    public func openReadable(_ path: String) throws -> any ReadableFile {
        FaultyReadableFile(inner: try base.openReadable(path), fs: self)
    }
    public func rename(_ from: String, _ to: String) throws { try base.rename(from, to) }
    public func remove(_ path: String) throws { try base.remove(path) }
    public func syncDirectory(_ path: String) throws {
        guard admitSync(path) else { throw StorageError(.io, "injected directory sync failure", file: path) }
        try base.syncDirectory(path)
    }
    public func lockFile(_ path: String) throws -> any FileLock { try base.lockFile(path) }
}

final class FaultyWritableFile: WritableFile {
    let inner: any WritableFile
    let fs: FaultInjectingFileSystem
    init(inner: any WritableFile, fs: FaultInjectingFileSystem) { self.inner = inner; self.fs = fs }

    var path: String { inner.path }
    var size: Int64 { inner.size }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        let (allowed, fail) = fs.admitWrite(path, bytes.count)
        if allowed > 0 { try inner.append(UnsafeRawBufferPointer(rebasing: bytes[0..<allowed])) }
        if fail {
            try? inner.flush()
            throw StorageError(.io, "injected write failure after \(allowed) of \(bytes.count) bytes", file: path)
        }
    }

    func flush() throws { try inner.flush() }

    func sync() throws {
        guard fs.admitSync(path) else {
            try? inner.flush()
            throw StorageError(.io, "injected sync failure", file: path)
        }
        try inner.sync()
    }

    func close() throws { try inner.close() }
}

final class FaultyReadableFile: ReadableFile, @unchecked Sendable {  // immutable after init; faults are behind a Mutex
    let inner: any ReadableFile
    let fs: FaultInjectingFileSystem
    init(inner: any ReadableFile, fs: FaultInjectingFileSystem) { self.inner = inner; self.fs = fs }

    var path: String { inner.path }
    func size() throws -> Int64 { try inner.size() }

    func read(at offset: Int64, count: Int) throws -> [UInt8] {
        var bytes = try inner.read(at: offset, count: count)
        let f = fs.faults.withLock { $0 }
        if let pattern = f.flipBitInFilesContaining,
           path.split(separator: "/").last.map({ $0.contains(pattern) }) ?? false,
           f.flipBitOffset >= offset, f.flipBitOffset < offset + Int64(bytes.count) {
            bytes[Int(f.flipBitOffset - offset)] ^= 0x10
        }
        return bytes
    }

    func close() { inner.close() }
}
