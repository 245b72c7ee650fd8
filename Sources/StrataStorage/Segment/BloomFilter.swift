// One bloom filter per segment over its user keys. Format: Docs/segment_format.md.

/// 64-bit hash of a user key for the bloom filter (multiply-xorshift mixing over 8-byte words).
/// On-disk: never change (filters written with it must keep matching).
@inline(__always)
func bloomHash(_ key: UnsafeRawBufferPointer) -> UInt64 {
    let m: UInt64 = 0xc6a4_a793_5bd1_e995
    var h: UInt64 = 0x5374_7261_7461_0001 ^ (UInt64(key.count) &* m)
    var i = 0
    let n = key.count
    while i + 8 <= n {
        var k = UInt64(littleEndian: key.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        k = k &* m
        k ^= k >> 47
        k = k &* m
        h ^= k
        h = h &* m
        i += 8
    }
    if i < n {
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(key[i]) << shift
            shift += 8
            i += 1
        }
        h ^= tail
        h = h &* m
    }
    h ^= h >> 47
    h = h &* m
    h ^= h >> 47
    return h
}

/// Builds a filter from key hashes: `bitsPerKey` bits per key, k = bitsPerKey * ln 2 probes
/// derived by double hashing. Layout: the bit array, then one byte holding k.
enum BloomFilter {
    static func probes(bitsPerKey: Int) -> Int { max(1, min(30, Int(Double(bitsPerKey) * 0.69))) }

    static func build(hashes: [UInt64], bitsPerKey: Int) -> [UInt8] {
        let k = probes(bitsPerKey: bitsPerKey)
        let bits = max(64, hashes.count * bitsPerKey)
        let bytes = (bits + 7) / 8
        let nbits = UInt64(bytes * 8)
        var out = [UInt8](repeating: 0, count: bytes + 1)
        out.withUnsafeMutableBytes { p in
            for h in hashes {
                var a = h & 0xffff_ffff
                let delta = (h >> 32) | 1
                for _ in 0..<k {
                    let bit = a % nbits
                    p[Int(bit >> 3)] |= UInt8(1 << (bit & 7))
                    a = a &+ delta
                }
            }
            p[bytes] = UInt8(k)
        }
        return out
    }

    /// False means the key is certainly absent. A malformed filter says true (never hides a key).
    @inline(__always)
    static func mayContain(_ filter: UnsafeRawBufferPointer, hash h: UInt64) -> Bool {
        guard filter.count >= 2 else { return true }
        let bytes = filter.count - 1
        let k = Int(filter[bytes])
        if k < 1 || k > 30 { return true }
        let nbits = UInt64(bytes * 8)
        var a = h & 0xffff_ffff
        let delta = (h >> 32) | 1
        for _ in 0..<k {
            let bit = a % nbits
            if filter[Int(bit >> 3)] & UInt8(1 << (bit & 7)) == 0 { return false }
            a = a &+ delta
        }
        return true
    }
}
