import CStrataSupport
import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real file system, through POSIX calls.
public struct PosixFileSystem: FileSystem {
    public init() {}

    static func ioError(_ op: String, _ path: String, _ e: Error) -> StorageError {
        if let s = e as? StorageError { return s }
        let errno = e as? Errno
        return StorageError(.io, "\(op) failed", file: path, errno: errno)
    }

    public func createDirectory(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && Glibc.errno != EEXIST {
            throw StorageError(.io, "mkdir failed", file: path, errno: Errno(rawValue: Glibc.errno))
        }
    }

    public func fileExists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    public func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw StorageError(.io, "opendir failed", file: path, errno: Errno(rawValue: Glibc.errno))
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                let bytes = raw.prefix { $0 != 0 }
                return String(decoding: bytes, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func openWritable(_ path: String, truncate: Bool) throws -> any WritableFile {
        do {
            var options: FileDescriptor.OpenOptions = [.create, .append]
            if truncate { options.insert(.truncate) }
            let fd = try FileDescriptor.open(path, .writeOnly, options: options, permissions: [.ownerReadWrite, .groupRead, .otherRead])
            var st = stat()
            fstat(fd.rawValue, &st)
            return PosixWritableFile(path: path, fd: fd, size: Int64(st.st_size))
        } catch {
            throw Self.ioError("open for writing", path, error)
        }
    }

    /// A log written through a memory mapping (`MappedLogFile`) where the file system can
    /// allocate space ahead; a plain writable file elsewhere.
    public func openLog(_ path: String) throws -> any WritableFile {
        #if canImport(Glibc)
        do {
            let fd = try FileDescriptor.open(path, .readWrite, options: [.create, .truncate],
                                             permissions: [.ownerReadWrite, .groupRead, .otherRead])
            if let file = MappedLogFile(path: path, fd: fd) { return file }
            try fd.close()
        } catch {
            throw Self.ioError("open for writing", path, error)
        }
        #endif
        return try openWritable(path, truncate: true)
    }

    public func openReadable(_ path: String) throws -> any ReadableFile {
        do {
            let fd = try FileDescriptor.open(path, .readOnly)
            return PosixReadableFile(path: path, fd: fd)
        } catch {
            throw Self.ioError("open for reading", path, error)
        }
    }

    public func rename(_ from: String, _ to: String) throws {
        if Glibc.rename(from, to) != 0 {
            throw StorageError(.io, "rename to \(to) failed", file: from, errno: Errno(rawValue: Glibc.errno))
        }
    }

    public func remove(_ path: String) throws {
        if unlink(path) != 0 {
            throw StorageError(.io, "unlink failed", file: path, errno: Errno(rawValue: Glibc.errno))
        }
    }

    public func syncDirectory(_ path: String) throws {
        do {
            let fd = try FileDescriptor.open(path, .readOnly)
            defer { try? fd.close() }
            if fsync(fd.rawValue) != 0 {
                throw StorageError(.io, "fsync of directory failed", file: path, errno: Errno(rawValue: Glibc.errno))
            }
        } catch {
            throw Self.ioError("sync directory", path, error)
        }
    }

    public func lockFile(_ path: String) throws -> any FileLock {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, .readWrite, options: [.create], permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw Self.ioError("open lock file", path, error)
        }
        // flock locks belong to the open file description, so a second open in this same
        // process is refused too (fcntl locks would not see it).
        if flock(fd.rawValue, LOCK_EX | LOCK_NB) != 0 {
            let e = Glibc.errno
            try? fd.close()
            throw StorageError(.locked, "the database is in use by another process or another open in this process", file: path, errno: Errno(rawValue: e))
        }
        return PosixFileLock(fd: fd)
    }
}

final class PosixFileLock: FileLock, @unchecked Sendable {  // unlock is called once, by close
    let fd: FileDescriptor
    init(fd: FileDescriptor) { self.fd = fd }
    func unlock() {
        flock(fd.rawValue, LOCK_UN)
        try? fd.close()
    }
}

/// Appends through a 64 KiB buffer; `flush` writes it out, `sync` also calls fdatasync.
final class PosixWritableFile: WritableFile {
    let path: String
    let fd: FileDescriptor
    private var buffer: [UInt8] = []
    private var written: Int64
    private var closed = false
    /// Where the bytes not yet started on their way to the disk begin (see `writeOut`).
    private var writebackFrom: Int64
    static let bufferSize = 64 * 1024
    /// Once this many written bytes have not been started on their way to the disk, writeback
    /// of them is started, without waiting: the kernel writes a log or segment out as it grows,
    /// so the fdatasync that ends it (a memtable switch syncs the whole old log, under the write
    /// lock) finds little left to write.
    static let writebackBytes: Int64 = 1 << 20

    init(path: String, fd: FileDescriptor, size: Int64) {
        self.path = path
        self.fd = fd
        self.written = size
        self.writebackFrom = size
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit { if !closed { try? fd.close() } }

    var size: Int64 { written + Int64(buffer.count) }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count <= Self.bufferSize {
            buffer.append(contentsOf: bytes)
            return
        }
        try flush()
        if bytes.count >= Self.bufferSize {
            try writeOut(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
        // A plain write(2) loop: swift-system's generic writeAll costs two metadata lookups a call.
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd.rawValue, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw StorageError(.io, "write failed", file: path, offset: written + Int64(done), errno: Errno(rawValue: Glibc.errno))
            }
            done += n
        }
        written += Int64(bytes.count)
        if written - writebackFrom >= Self.writebackBytes {
            _ = strata_start_writeback(fd.rawValue, writebackFrom, written - writebackFrom)  // advisory
            writebackFrom = written
        }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        try buffer.withUnsafeBytes { try writeOut($0) }
    }

    func sync() throws {
        try flush()
        #if canImport(Glibc)
        let rc = fdatasync(fd.rawValue)
        #else
        let rc = fsync(fd.rawValue)
        #endif
        if rc != 0 {
            throw StorageError(.io, "fdatasync failed", file: path, errno: Errno(rawValue: Glibc.errno))
        }
    }

    func close() throws {
        guard !closed else { return }
        closed = true
        defer { try? fd.close() }
        try flush()
    }
}

final class PosixReadableFile: ReadableFile, @unchecked Sendable {  // pread is thread-safe; fd and the mapping are immutable
    let path: String
    let fd: FileDescriptor
    /// The file as it was when opened, mapped read-only (LevelDB maps its tables too): a block
    /// read from a segment is then a copy from the page cache, not a pread system call. Reads
    /// beyond the mapped length (a file that grew) go to pread. Nil for an empty file or when
    /// mapping fails.
    private let mapping: UnsafeRawPointer?
    private let mappedLength: Int

    init(path: String, fd: FileDescriptor) {
        self.path = path
        self.fd = fd
        var st = stat()
        if fstat(fd.rawValue, &st) == 0, st.st_size > 0,
           let p = mmap(nil, Int(st.st_size), PROT_READ, MAP_SHARED, fd.rawValue, 0),
           p != UnsafeMutableRawPointer(bitPattern: -1) {
            mapping = UnsafeRawPointer(p)
            mappedLength = Int(st.st_size)
        } else {
            mapping = nil
            mappedLength = 0
        }
    }

    deinit {
        if let mapping { munmap(UnsafeMutableRawPointer(mutating: mapping), mappedLength) }
        try? fd.close()
    }

    func size() throws -> Int64 {
        var st = stat()
        if fstat(fd.rawValue, &st) != 0 {
            throw StorageError(.io, "fstat failed", file: path, errno: Errno(rawValue: Glibc.errno))
        }
        return Int64(st.st_size)
    }

    func mappedBytes(at offset: Int64, count: Int) -> UnsafeRawBufferPointer? {
        guard let mapping, offset >= 0, count >= 0, offset <= Int64(mappedLength), count <= mappedLength - Int(offset) else {
            return nil
        }
        return UnsafeRawBufferPointer(start: mapping + Int(offset), count: count)
    }

    func read(at offset: Int64, count: Int) throws -> [UInt8] {
        if let p = mappedBytes(at: offset, count: count) { return [UInt8](p) }
        var total = 0
        let out = try [UInt8](unsafeUninitializedCapacity: count) { buf, initialized in
            while total < count {
                let n = pread(fd.rawValue, buf.baseAddress! + total, count - total, off_t(offset) + off_t(total))
                if n < 0 {
                    if Glibc.errno == EINTR { continue }
                    throw StorageError(.io, "pread failed", file: path, offset: offset, errno: Errno(rawValue: Glibc.errno))
                }
                if n == 0 { break }
                total += n
            }
            initialized = total
        }
        return out
    }

    func close() {}
}
