import Synchronization

/// A file system in memory, for tests. It remembers how much of each file was synced, so
/// `dropUnsyncedData()` models a power loss: every byte not covered by a sync disappears.
public final class MemoryFileSystem: FileSystem {
    final class Node: @unchecked Sendable {  // guarded by MemoryFileSystem.state
        var bytes: [UInt8] = []
        var syncedCount = 0
    }

    struct State {
        var files: [String: Node] = [:]
        var directories: Set<String> = []
        var locks: Set<String> = []
    }

    let state = Mutex(State())

    public init() {}

    static func normalize(_ path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public func createDirectory(_ path: String) throws {
        _ = state.withLock { $0.directories.insert(Self.normalize(path)) }
    }

    public func fileExists(_ path: String) -> Bool {
        let p = Self.normalize(path)
        return state.withLock { $0.files[p] != nil || $0.directories.contains(p) }
    }

    public func listDirectory(_ path: String) throws -> [String] {
        let dir = Self.normalize(path)
        return try state.withLock { s in
            guard s.directories.contains(dir) else { throw StorageError(.io, "no such directory", file: path) }
            let prefix = dir == "/" ? "/" : dir + "/"
            var names: [String] = []
            for key in s.files.keys where key.hasPrefix(prefix) {
                let rest = key.dropFirst(prefix.count)
                if !rest.contains("/") { names.append(String(rest)) }
            }
            for key in s.directories where key.hasPrefix(prefix) && key != dir {
                let rest = key.dropFirst(prefix.count)
                if !rest.contains("/") { names.append(String(rest)) }
            }
            return names
        }
    }

    public func openWritable(_ path: String, truncate: Bool) throws -> any WritableFile {
        let p = Self.normalize(path)
        let node = try state.withLock { s -> Node in
            guard s.directories.contains(Self.parent(p)) else { throw StorageError(.io, "no such directory", file: path) }
            if let n = s.files[p], !truncate { return n }
            let n = Node()
            s.files[p] = n
            return n
        }
        return MemoryWritableFile(path: p, node: node, fs: self)
    }

    public func openReadable(_ path: String) throws -> any ReadableFile {
        let p = Self.normalize(path)
        guard let node = state.withLock({ $0.files[p] }) else {
            throw StorageError(.io, "no such file", file: path)
        }
        return MemoryReadableFile(path: p, node: node, fs: self)
    }

    public func rename(_ from: String, _ to: String) throws {
        let f = Self.normalize(from), t = Self.normalize(to)
        try state.withLock { s in
            guard let n = s.files.removeValue(forKey: f) else { throw StorageError(.io, "no such file", file: from) }
            s.files[t] = n
        }
    }

    public func remove(_ path: String) throws {
        let p = Self.normalize(path)
        try state.withLock { s in
            guard s.files.removeValue(forKey: p) != nil else { throw StorageError(.io, "no such file", file: path) }
        }
    }

    public func syncDirectory(_ path: String) throws {}

    public func lockFile(_ path: String) throws -> any FileLock {
        let p = Self.normalize(path)
        try state.withLock { s in
            if s.locks.contains(p) { throw StorageError(.locked, "the database is in use by another open", file: path) }
            s.locks.insert(p)
            if s.files[p] == nil { s.files[p] = Node() }
        }
        return MemoryFileLock(fs: self, path: p)
    }

    /// Models a power loss: truncates every file to the bytes its last sync covered.
    public func dropUnsyncedData() {
        state.withLock { s in
            for n in s.files.values { n.bytes.removeSubrange(n.syncedCount...) }
        }
    }

    /// The contents of a file (tests use it to damage files on purpose).
    public func contents(of path: String) -> [UInt8]? {
        state.withLock { $0.files[Self.normalize(path)]?.bytes }
    }

    public func setContents(of path: String, _ bytes: [UInt8]) {
        state.withLock { s in
            let n = s.files[Self.normalize(path)] ?? Node()
            n.bytes = bytes
            n.syncedCount = bytes.count
            s.files[Self.normalize(path)] = n
        }
    }
}

final class MemoryFileLock: FileLock, @unchecked Sendable {  // unlock runs once; the set is guarded by fs.state
    let fs: MemoryFileSystem
    let path: String
    init(fs: MemoryFileSystem, path: String) { self.fs = fs; self.path = path }
    func unlock() { _ = fs.state.withLock { $0.locks.remove(path) } }
}

final class MemoryWritableFile: WritableFile {
    let path: String
    let node: MemoryFileSystem.Node
    let fs: MemoryFileSystem

    init(path: String, node: MemoryFileSystem.Node, fs: MemoryFileSystem) {
        self.path = path
        self.node = node
        self.fs = fs
    }

    var size: Int64 { fs.state.withLock { _ in Int64(node.bytes.count) } }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        fs.state.withLock { _ in node.bytes.append(contentsOf: bytes) }
    }

    func flush() throws {}

    /// An append is a copy into memory.
    func canAppendWithoutWaiting(_ bytes: Int) -> Bool { true }

    func sync() throws {
        fs.state.withLock { _ in node.syncedCount = node.bytes.count }
    }

    func close() throws {}
}

final class MemoryReadableFile: ReadableFile, @unchecked Sendable {  // node is guarded by fs.state
    let path: String
    let node: MemoryFileSystem.Node
    let fs: MemoryFileSystem

    init(path: String, node: MemoryFileSystem.Node, fs: MemoryFileSystem) {
        self.path = path
        self.node = node
        self.fs = fs
    }

    func size() throws -> Int64 { fs.state.withLock { _ in Int64(node.bytes.count) } }

    func read(at offset: Int64, count: Int) throws -> [UInt8] {
        fs.state.withLock { _ in
            let start = min(Int(offset), node.bytes.count)
            let end = min(start + count, node.bytes.count)
            return Array(node.bytes[start..<end])
        }
    }

    func close() {}
}
