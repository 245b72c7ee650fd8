// Little-endian fixed-width integers and LEB128 varints: the only integer encodings on disk.

@inline(__always)
func putFixed32(_ v: UInt32, into out: inout [UInt8]) {
    withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
}

@inline(__always)
func putFixed64(_ v: UInt64, into out: inout [UInt8]) {
    withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
}

@inline(__always)
func putVarint(_ v: UInt64, into out: inout [UInt8]) {
    var v = v
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}

@inline(__always)
func putVarint(_ v: Int, into out: inout [UInt8]) { putVarint(UInt64(v), into: &out) }

/// Appends a varint length followed by the bytes.
@inline(__always)
func putLengthPrefixed(_ bytes: [UInt8], into out: inout [UInt8]) {
    putVarint(bytes.count, into: &out)
    out.append(contentsOf: bytes)
}

func varintLength(_ v: UInt64) -> Int {
    var n = 1
    var v = v
    while v >= 0x80 { v >>= 7; n += 1 }
    return n
}

@inline(__always)
func loadFixed32(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
    UInt32(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt32.self))
}

@inline(__always)
func loadFixed64(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
    UInt64(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt64.self))
}

func loadFixed32(_ a: [UInt8], _ at: Int) -> UInt32 { a.withUnsafeBytes { loadFixed32($0, at) } }
func loadFixed64(_ a: [UInt8], _ at: Int) -> UInt64 { a.withUnsafeBytes { loadFixed64($0, at) } }

/// A cursor that decodes from a byte buffer; every read is bounds-checked and returns nil past the end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }
    var isAtEnd: Bool { position >= bytes.count }

    @inline(__always)
    mutating func readVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count && shift <= 63 {
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
        }
        return nil
    }

    @inline(__always)
    mutating func readVarintInt() -> Int? {
        guard let v = readVarint(), v <= UInt64(Int32.max) else { return nil }
        return Int(v)
    }

    mutating func readFixed32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { position += 4 }
        return loadFixed32(bytes, position)
    }

    mutating func readFixed64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        defer { position += 8 }
        return loadFixed64(bytes, position)
    }

    mutating func readByte() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readBytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, remaining >= n else { return nil }
        defer { position += n }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[position..<position + n]))
    }

    mutating func readLengthPrefixed() -> [UInt8]? {
        guard let n = readVarintInt() else { return nil }
        return readBytes(n)
    }
}
