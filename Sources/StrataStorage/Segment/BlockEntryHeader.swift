// The varints of a block entry's header, read straight from a block's bytes.
// Format: Docs/segment_format.md (entry = shared, non-shared, value length, key suffix, value).

/// Reads a varint32 at `p` (< `limit`), advancing `p`; nil if malformed or past `limit`.
@inline(__always)
func readBlockVarint(_ base: UnsafeRawPointer, _ p: inout Int, _ limit: Int) -> Int? {
    var result = 0
    var shift = 0
    while p < limit && shift <= 28 {
        let b = base.load(fromByteOffset: p, as: UInt8.self)
        p += 1
        result |= Int(b & 0x7f) << shift
        if b < 0x80 { return result }
        shift += 7
    }
    return nil
}

/// Reads an entry header (shared, non-shared and value lengths) at `p`, advancing `p`; nil if
/// malformed. Most headers are three one-byte varints, read without a loop.
@inline(__always)
func readBlockEntryHeader(_ base: UnsafeRawPointer, _ p: inout Int, _ limit: Int) -> (shared: Int, nonShared: Int, valueLength: Int)? {
    if p + 3 <= limit {
        let a = base.load(fromByteOffset: p, as: UInt8.self)
        let b = base.load(fromByteOffset: p + 1, as: UInt8.self)
        let c = base.load(fromByteOffset: p + 2, as: UInt8.self)
        if (a | b | c) < 0x80 {
            p += 3
            return (Int(a), Int(b), Int(c))
        }
    }
    guard let s = readBlockVarint(base, &p, limit), let n = readBlockVarint(base, &p, limit),
          let v = readBlockVarint(base, &p, limit) else { return nil }
    return (s, n, v)
}
