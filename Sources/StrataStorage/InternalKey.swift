#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A write's position in the database's history; every write gets the next one.
public struct SequenceNumber: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ v: UInt64) { rawValue = v }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
    /// Sequence numbers use 56 bits: the low 8 bits of an entry's trailer hold its kind.
    public static let max = SequenceNumber((1 << 56) - 1)
}

/// Names a file in the database directory: segments, logs and manifests share one counter.
public struct FileNumber: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ v: UInt64) { rawValue = v }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// What an entry says about its key. On-disk: never change the raw values.
public enum EntryKind: UInt8, Sendable {
    case deletion = 0
    case value = 1
}

/// Format constants shared by the files. On-disk: never change.
enum FormatConstants {
    /// Kind used when building a lookup key: sorts before every entry of the same sequence number.
    static let kindForSeek: EntryKind = .value
    static let trailerSize = 8
}

@inline(__always)
func packTrailer(_ seq: UInt64, _ kind: EntryKind) -> UInt64 { (seq << 8) | UInt64(kind.rawValue) }

/// An internal key: the user key followed by an 8-byte little-endian trailer (sequence << 8 | kind).
/// Internal keys sort by user key ascending, then by trailer descending (newest first).
enum InternalKey {
    static func make(_ userKey: [UInt8], _ seq: UInt64, _ kind: EntryKind) -> [UInt8] {
        var k = userKey
        k.reserveCapacity(userKey.count + 8)
        putFixed64(packTrailer(seq, kind), into: &k)
        return k
    }

    static func make(_ userKey: UnsafeRawBufferPointer, _ seq: UInt64, _ kind: EntryKind) -> [UInt8] {
        var k = [UInt8]()
        k.reserveCapacity(userKey.count + 8)
        k.append(contentsOf: userKey)
        putFixed64(packTrailer(seq, kind), into: &k)
        return k
    }

    /// A key that sorts before every entry of `userKey` visible at `seq`.
    static func lookup(_ userKey: [UInt8], _ seq: UInt64) -> [UInt8] { make(userKey, seq, FormatConstants.kindForSeek) }

    /// Calls `body` with the lookup key of `userKey` at `seq`, built in a stack buffer (keys up
    /// to 1 KiB) instead of a new array.
    @inline(__always)
    static func withLookup<T>(_ userKey: UnsafeRawBufferPointer, _ seq: UInt64,
                              _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let n = userKey.count + 8
        if n > 1024 {
            return try make(userKey, seq, FormatConstants.kindForSeek).withUnsafeBytes { try body($0) }
        }
        return try withUnsafeTemporaryAllocation(byteCount: n, alignment: 8) { buffer in
            let p = buffer.baseAddress!
            if userKey.count > 0 { p.copyMemory(from: userKey.baseAddress!, byteCount: userKey.count) }
            (p + userKey.count).storeBytes(of: packTrailer(seq, FormatConstants.kindForSeek).littleEndian, as: UInt64.self)
            return try body(UnsafeRawBufferPointer(start: p, count: n))
        }
    }

    @inline(__always)
    static func userKey(_ ikey: [UInt8]) -> ArraySlice<UInt8> { ikey[0..<(ikey.count - 8)] }

    @inline(__always)
    static func trailer(_ ikey: [UInt8]) -> UInt64 { loadFixed64(ikey, ikey.count - 8) }

    @inline(__always)
    static func trailer(_ p: UnsafeRawBufferPointer) -> UInt64 { loadFixed64(p, p.count - 8) }
}

/// Bytewise comparison of two byte ranges (as memcmp, then length). Keys are short (16 to 30
/// bytes is typical), so this compares 8 bytes at a time as big-endian words instead of calling
/// memcmp; ranges longer than 64 common bytes go to memcmp.
@inline(__always)
func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = min(a.count, b.count)
    if n > 0 {
        let pa = a.baseAddress!, pb = b.baseAddress!
        if n > 64 {
            let r = memcmp(pa, pb, n)
            if r != 0 { return Int(r) }
            return a.count - b.count
        }
        let r = comparePrefix(pa, pb, n)
        if r != 0 { return r }
    }
    return a.count - b.count
}

/// Compares the first `n` bytes at `pa` and `pb` (-1, 0, 1), 8 bytes at a time as big-endian
/// words, then byte by byte.
@inline(__always)
func comparePrefix(_ pa: UnsafeRawPointer, _ pb: UnsafeRawPointer, _ n: Int) -> Int {
    var i = 0
    while i + 8 <= n {
        let x = UInt64(bigEndian: pa.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        let y = UInt64(bigEndian: pb.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        if x != y { return x < y ? -1 : 1 }
        i += 8
    }
    while i < n {
        let x = pa.load(fromByteOffset: i, as: UInt8.self), y = pb.load(fromByteOffset: i, as: UInt8.self)
        if x != y { return x < y ? -1 : 1 }
        i += 1
    }
    return 0
}

@inline(__always)
func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in compareBytes(pa, pb) } }
}

/// Compares internal keys: user key ascending, then trailer (sequence, kind) descending.
/// Internal keys are at least 8 bytes (the trailer); the user keys compare 8 bytes at a time.
@inline(__always)
func compareInternalKeys(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let pa = a.baseAddress.unsafelyUnwrapped, pb = b.baseAddress.unsafelyUnwrapped
    let la = a.count - 8, lb = b.count - 8
    let r = comparePrefix(pa, pb, min(la, lb))
    if r != 0 { return r }
    if la != lb { return la < lb ? -1 : 1 }
    let ta = UInt64(littleEndian: pa.loadUnaligned(fromByteOffset: la, as: UInt64.self))
    let tb = UInt64(littleEndian: pb.loadUnaligned(fromByteOffset: lb, as: UInt64.self))
    return ta > tb ? -1 : (ta < tb ? 1 : 0)
}

@inline(__always)
func compareInternalKeys(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in compareInternalKeys(pa, pb) } }
}

/// Compares the user-key parts of two internal keys.
@inline(__always)
func compareUserKeysOfInternal(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in
            compareBytes(UnsafeRawBufferPointer(rebasing: pa[0..<(pa.count - 8)]),
                         UnsafeRawBufferPointer(rebasing: pb[0..<(pb.count - 8)]))
        }
    }
}

/// Compares a user key with the user-key part of an internal key.
@inline(__always)
func compareUserKey(_ user: [UInt8], toInternal ikey: [UInt8]) -> Int {
    user.withUnsafeBytes { pu in
        ikey.withUnsafeBytes { pk in compareBytes(pu, UnsafeRawBufferPointer(rebasing: pk[0..<(pk.count - 8)])) }
    }
}
