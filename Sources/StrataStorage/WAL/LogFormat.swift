// The record framing shared by write-ahead logs and the manifest. Format: Docs/wal_format.md.

/// On-disk: never change.
enum LogFormat {
    static let blockSize = 32 * 1024
    /// checksum (4) + length (2) + type (1)
    static let headerSize = 7

    enum RecordType: UInt8 {
        /// Reserved: zero-filled space is never a record.
        case zero = 0
        case full = 1
        case first = 2
        case middle = 3
        case last = 4
    }
}
