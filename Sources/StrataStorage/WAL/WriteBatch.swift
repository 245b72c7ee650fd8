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
        key.withUnsafeBytes { k in value.withUnsafeBytes { v in append(.value, k, v) } }
    }

    public mutating func delete(_ key: [UInt8]) {
        key.withUnsafeBytes { k in append(.deletion, k, UnsafeRawBufferPointer(start: nil, count: 0)) }
    }

    /// Bytes one operation takes in a batch: its tag, the key and (for a put) the value, each
    /// with a varint length.
    @inline(__always)
    static func operationSize(_ kind: EntryKind, keyCount: Int, valueCount: Int) -> Int {
        let k = 1 + varintLength(UInt64(keyCount)) + keyCount
        return kind == .value ? k + varintLength(UInt64(valueCount)) + valueCount : k
    }

    /// Writes one operation at `p`, which has room for `operationSize` bytes; returns its size.
    @inline(__always)
    static func encodeOperation(_ kind: EntryKind, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                                at p: UnsafeMutableRawPointer) -> Int {
        p.storeBytes(of: kind.rawValue, as: UInt8.self)
        var at = 1
        at += storeVarint(UInt64(key.count), at: p + at)
        if key.count > 0 { (p + at).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        at += key.count
        if kind == .value {
            at += storeVarint(UInt64(value.count), at: p + at)
            if value.count > 0 { (p + at).copyMemory(from: value.baseAddress!, byteCount: value.count) }
            at += value.count
        }
        return at
    }

    @inline(__always)
    private static func storeVarint(_ v: UInt64, at p: UnsafeMutableRawPointer) -> Int {
        var v = v, i = 0
        while v >= 0x80 {
            p.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: i, as: UInt8.self)
            v >>= 7
            i += 1
        }
        p.storeBytes(of: UInt8(v), toByteOffset: i, as: UInt8.self)
        return i + 1
    }

    private mutating func append(_ kind: EntryKind, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        let n = Self.operationSize(kind, keyCount: key.count, valueCount: value.count)
        let start = rep.count
        // Grow geometrically: reserving the exact size would reallocate on every operation.
        if rep.capacity < start + n { rep.reserveCapacity(Swift.max(start + n, 2 * rep.capacity)) }
        rep.append(contentsOf: repeatElement(0, count: n))
        bumpCount()
        rep.withUnsafeMutableBytes { p in
            _ = Self.encodeOperation(kind, key, value, at: p.baseAddress! + start)
        }
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
