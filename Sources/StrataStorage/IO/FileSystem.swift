/// Every file the engine touches goes through a `FileSystem` given in the options:
/// `PosixFileSystem` for real, `MemoryFileSystem` and `FaultInjectingFileSystem` for tests.
public protocol FileSystem: Sendable {
    func createDirectory(_ path: String) throws
    func fileExists(_ path: String) -> Bool
    /// Names (not paths) of the entries in a directory.
    func listDirectory(_ path: String) throws -> [String]
    /// Opens a file for appending, creating it; with `truncate`, existing contents are discarded.
    func openWritable(_ path: String, truncate: Bool) throws -> any WritableFile
    /// Creates (or truncates) a write-ahead log. A file system may give logs a faster kind of
    /// writable file (`PosixFileSystem` maps them); by default it is `openWritable`'s.
    func openLog(_ path: String) throws -> any WritableFile
    func openReadable(_ path: String) throws -> any ReadableFile
    /// Atomically replaces `to` with `from`.
    func rename(_ from: String, _ to: String) throws
    func remove(_ path: String) throws
    /// Makes the directory's entries (creations, renames, removals) durable.
    func syncDirectory(_ path: String) throws
    /// Takes an exclusive lock on `path`, failing at once with `.locked` if another holder has it.
    func lockFile(_ path: String) throws -> any FileLock
}

/// A file written from start to end.
public protocol WritableFile: AnyObject {
    var path: String { get }
    /// Bytes appended so far, including any still buffered.
    var size: Int64 { get }
    func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Hands buffered bytes to the operating system (they survive a process kill, not a power loss).
    func flush() throws
    /// Flushes and makes the contents durable (fdatasync).
    func sync() throws
    func close() throws
    /// Whether appending `bytes` bytes (with no sync) is a copy into memory only: no system
    /// call, no allocation on disk. False by default; a non-blocking write needs true.
    func canAppendWithoutWaiting(_ bytes: Int) -> Bool
}

extension FileSystem {
    public func openLog(_ path: String) throws -> any WritableFile { try openWritable(path, truncate: true) }
}

extension WritableFile {
    public func canAppendWithoutWaiting(_ bytes: Int) -> Bool { false }

    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }
}

/// A file read at arbitrary offsets, safe to share between threads.
public protocol ReadableFile: AnyObject, Sendable {
    var path: String { get }
    func size() throws -> Int64
    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(at offset: Int64, count: Int) throws -> [UInt8]
    /// The bytes [offset, offset + count) in place, when the file is memory-mapped and holds
    /// them; valid while the file is open and referenced. Nil means "use `read`".
    func mappedBytes(at offset: Int64, count: Int) -> UnsafeRawBufferPointer?
    func close()
}

extension ReadableFile {
    public func mappedBytes(at offset: Int64, count: Int) -> UnsafeRawBufferPointer? { nil }
}

public protocol FileLock: AnyObject, Sendable {
    func unlock()
}

func joinPath(_ dir: String, _ name: String) -> String {
    dir.hasSuffix("/") ? dir + name : dir + "/" + name
}
