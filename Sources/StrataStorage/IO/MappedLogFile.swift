import CStrataSupport
import SystemPackage
#if canImport(Glibc)
import Glibc

/// A new write-ahead log written through a shared memory mapping instead of one `write(2)` per
/// record: appending is a copy into the page cache, which is the file (so what is appended
/// survives a kill of the process exactly as a `write` would), and `sync` is `fdatasync`, which
/// writes back pages dirtied through a mapping as any others.
///
/// The file grows a window at a time: each window is allocated on disk first (`fallocate`), so
/// a full disk is an error of the append that needs the space, never a SIGBUS on a page later.
/// Until `close` cuts the file back to the bytes appended, it ends in zeros (the rest of the last
/// window); a crash can leave them, and recovery reads a zero-filled remainder as the log's end
/// (Docs/wal_format.md, section 7).
///
/// Made only by `PosixFileSystem.openLog` for a log it creates, and only where `fallocate` works;
/// elsewhere logs are plain `PosixWritableFile`s.
final class MappedLogFile: WritableFile {
    let path: String
    let fd: FileDescriptor
    /// Bytes per window (mapped and allocated at once).
    static let windowBytes = 1 << 20
    /// Bytes appended.
    private var written: Int64 = 0
    /// The window: file bytes [windowStart, windowStart + windowBytes) at `window`.
    private var window: UnsafeMutableRawPointer?
    private var windowStart: Int64 = 0
    /// Where the bytes not yet started on their way to the disk begin (see PosixWritableFile).
    private var writebackFrom: Int64 = 0
    private var closed = false

    /// Nil when the file system cannot allocate space ahead (the caller then writes plainly).
    init?(path: String, fd: FileDescriptor) {
        self.path = path
        self.fd = fd
        guard (try? mapWindow(at: 0)) != nil else { return nil }
    }

    deinit {
        if !closed {
            if let window { munmap(window, Self.windowBytes) }
            try? fd.close()
        }
    }

    var size: Int64 { written }

    /// Allocates and maps the window starting at `start`, unmapping the previous one.
    private func mapWindow(at start: Int64) throws {
        if let window {
            munmap(window, Self.windowBytes)
            self.window = nil
        }
        let rc = strata_allocate(fd.rawValue, start, Int64(Self.windowBytes))
        if rc != 0 {
            throw StorageError(.io, "allocating log space failed", file: path, offset: start, errno: Errno(rawValue: Glibc.errno))
        }
        guard let p = mmap(nil, Self.windowBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd.rawValue, off_t(start)),
              p != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw StorageError(.io, "mapping the log failed", file: path, offset: start, errno: Errno(rawValue: Glibc.errno))
        }
        window = p
        windowStart = start
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard !closed else { throw StorageError(.io, "append to a closed log", file: path) }
        var done = 0
        while done < bytes.count {
            let inWindow = Int(written - windowStart)
            if inWindow == Self.windowBytes {
                try mapWindow(at: written)
                continue
            }
            let n = min(bytes.count - done, Self.windowBytes - inWindow)
            (window! + inWindow).copyMemory(from: bytes.baseAddress! + done, byteCount: n)
            written += Int64(n)
            done += n
        }
        if written - writebackFrom >= Int64(Self.windowBytes) {
            _ = strata_start_writeback(fd.rawValue, writebackFrom, written - writebackFrom)  // advisory
            writebackFrom = written
        }
    }

    /// True while the bytes fit in the mapped window and start no writeback.
    func canAppendWithoutWaiting(_ bytes: Int) -> Bool {
        !closed && written + Int64(bytes) <= windowStart + Int64(Self.windowBytes)
            && written + Int64(bytes) - writebackFrom < Int64(Self.windowBytes)
    }

    /// Nothing to hand over: appended bytes are already in the page cache.
    func flush() throws {}

    func sync() throws {
        if fdatasync(fd.rawValue) != 0 {
            throw StorageError(.io, "fdatasync failed", file: path, errno: Errno(rawValue: Glibc.errno))
        }
    }

    /// Unmaps and cuts the file back to the bytes appended (dropping the window's zeros).
    func close() throws {
        guard !closed else { return }
        closed = true
        defer { try? fd.close() }
        if let window { munmap(window, Self.windowBytes) }
        window = nil
        if ftruncate(fd.rawValue, off_t(written)) != 0 {
            throw StorageError(.io, "truncating the log failed", file: path, errno: Errno(rawValue: Glibc.errno))
        }
    }
}
#endif
