import SystemPackage

/// The one error type the storage engine throws.
///
/// `code` is a struct with static members, so adding a code breaks no caller.
/// `file` and `offset` name where a problem was found, when it was found in a file.
public struct StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Stored bytes fail a checksum, a length, or a structural check.
        public static let corruption = Code("corruption")
        /// An operating-system call failed; `errno` says how.
        public static let io = Code("io")
        /// The request is malformed (bad options, a closed database, an empty key range...).
        public static let invalidArgument = Code("invalidArgument")
        /// The directory is missing and `createIfMissing` is off.
        public static let notFound = Code("notFound")
        /// The directory exists and `errorIfExists` is on.
        public static let alreadyExists = Code("alreadyExists")
        /// Another process, or another open in this process, holds the directory lock.
        public static let locked = Code("locked")
        /// The directory holds something that is not a Strata database.
        public static let notADatabase = Code("notADatabase")
        /// The files were written by a newer format version than this build reads.
        public static let unsupportedVersion = Code("unsupportedVersion")
        /// An earlier write or sync failed; the database refuses writes until it is reopened.
        public static let writesStopped = Code("writesStopped")
        /// The database has been closed.
        public static let closed = Code("closed")
        /// A non-blocking read or write (`ReadOptions.nonBlocking`, `WriteOptions.nonBlocking`)
        /// would have had to read a file, wait for a lock, sync, or make room; it did nothing.
        public static let wouldBlock = Code("wouldBlock")
    }

    public var code: Code
    public var message: String
    public var file: String?
    public var offset: Int64?
    public var errno: Errno?

    public init(_ code: Code, _ message: String, file: String? = nil, offset: Int64? = nil, errno: Errno? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.offset = offset
        self.errno = errno
    }

    public var description: String {
        var s = "\(code): \(message)"
        if let file { s += " [file \(file)" + (offset.map { " at offset \($0)" } ?? "") + "]" }
        if let errno { s += " (\(errno))" }
        return s
    }

    static func wouldBlock(_ what: String) -> StorageError {
        StorageError(.wouldBlock, "a non-blocking \(what) would have had to wait")
    }

    static func corruption(_ message: String, file: String?, offset: Int64? = nil) -> StorageError {
        StorageError(.corruption, message, file: file, offset: offset)
    }
}
