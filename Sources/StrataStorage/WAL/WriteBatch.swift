// A batch's bytes are exactly a write-ahead log record's payload. Format: Docs/wal_format.md.

/// Puts and deletes applied atomically: after a crash, all of them are there or none.
public struct WriteBatch: Sendable {
    /// sequence (8) + count (4), then the operations.
    static let headerSize = 12
    private(set) var rep: [UInt8]

    public init() {
        rep = [UInt8](repeating: 0, count: Self.headerSize)
    }

    /// An empty batch with room for about `bytes` of puts and deletes (each costs its key and
    /// value plus up to 11 bytes) before it reallocates.
    public init(reservingCapacity bytes: Int) {
        var rep: [UInt8] = []
        rep.reserveCapacity(Self.headerSize + bytes)
        rep.append(contentsOf: repeatElement(0, count: Self.headerSize))
        self.rep = rep
    }

    init(rep: [UInt8]) { self.rep = rep }

    public var count: Int { Int(loadFixed32(rep, 8)) }
    /// Size of the batch's encoding (what it costs in the log).
    public var byteSize: Int { rep.count }
    public var isEmpty: Bool { count == 0 }

    var sequence: UInt64 {
        get { loadFixed64(rep, 0) }
        set { rep.withUnsafeMutableBytes { $0.storeBytes(of: newValue.littleEndian, toByteOffset: 0, as: UInt64.self) } }
    }

    private mutating func bumpCount() {
        let c = loadFixed32(rep, 8) + 1
        rep.withUnsafeMutableBytes { $0.storeBytes(of: c.littleEndian, toByteOffset: 8, as: UInt32.self) }
    }

    public mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        rep.reserveCapacity(rep.count + 11 + key.count + value.count)
        bumpCount()
        rep.append(EntryKind.value.rawValue)
        putLengthPrefixed(key, into: &rep)
        putLengthPrefixed(value, into: &rep)
    }

    public mutating func delete(_ key: [UInt8]) {
        rep.reserveCapacity(rep.count + 6 + key.count)
        bumpCount()
        rep.append(EntryKind.deletion.rawValue)
        putLengthPrefixed(key, into: &rep)
    }

    public mutating func clear() { self = WriteBatch() }

    /// Appends another batch's operations.
    public mutating func append(_ other: WriteBatch) {
        let c = loadFixed32(rep, 8) + loadFixed32(other.rep, 8)
        rep.withUnsafeMutableBytes { $0.storeBytes(of: c.littleEndian, toByteOffset: 8, as: UInt32.self) }
        rep.append(contentsOf: other.rep[Self.headerSize...])
    }

    /// Calls `body` for each operation in order, with views valid only during the call.
    /// Throws corruption if the encoding is malformed.
    func forEach(_ body: (EntryKind, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws {
        try rep.withUnsafeBytes { try Self.forEach(in: $0, body) }
    }

    /// Walks the operations of an encoded batch (a log record's payload).
    static func forEach(in p: UnsafeRawBufferPointer, _ body: (EntryKind, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws {
        guard p.count >= headerSize else { throw StorageError.corruption("write batch shorter than its header", file: nil) }
        do {
            var r = ByteReader(p, position: Self.headerSize)
            var seen: UInt32 = 0
            while !r.isAtEnd {
                guard let tag = r.readByte(), let kind = EntryKind(rawValue: tag) else {
                    throw StorageError.corruption("bad operation tag in write batch", file: nil)
                }
                guard let kl = r.readVarintInt(), r.remaining >= kl else {
                    throw StorageError.corruption("bad key length in write batch", file: nil)
                }
                let key = UnsafeRawBufferPointer(rebasing: p[r.position..<(r.position + kl)])
                r.position += kl
                var value = UnsafeRawBufferPointer(start: nil, count: 0)
                if kind == .value {
                    guard let vl = r.readVarintInt(), r.remaining >= vl else {
                        throw StorageError.corruption("bad value length in write batch", file: nil)
                    }
                    value = UnsafeRawBufferPointer(rebasing: p[r.position..<(r.position + vl)])
                    r.position += vl
                }
                seen += 1
                try body(kind, key, value)
            }
            if seen != loadFixed32(p, 8) {
                throw StorageError.corruption("write batch count \(loadFixed32(p, 8)) does not match its \(seen) operations", file: nil)
            }
        }
    }
}
