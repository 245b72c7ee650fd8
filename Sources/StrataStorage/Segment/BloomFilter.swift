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

/// A segment's filter over its user keys, in one of two kinds told apart by the last byte
/// (Docs/segment_format.md, section 5):
/// - **blocked** (what this build writes): all of a key's probes fall in one 64-byte line, so a
///   lookup touches one cache line and does no division; the last byte is `0x40 + k`.
/// - **classic** (segments written by earlier builds): probes spread over the whole bit array by
///   double hashing modulo its size; the last byte is `k`.
enum BloomFilter {
    static func probes(bitsPerKey: Int) -> Int { max(1, min(30, Int(Double(bitsPerKey) * 0.69))) }

    /// Last-byte value of a blocked filter with k probes: `blockedMarker + k`.
    static let blockedMarker: UInt8 = 0x40
    static let lineBytes = 64

    /// A blocked filter: `bitsPerKey` bits per key rounded up to whole 64-byte lines (at least one).
    static func build(hashes: [UInt64], bitsPerKey: Int) -> [UInt8] {
        let k = probes(bitsPerKey: bitsPerKey)
        let lines = max(1, (hashes.count * bitsPerKey + 511) / 512)
        let bytes = lines * lineBytes
        var out = [UInt8](repeating: 0, count: bytes + 1)
        out.withUnsafeMutableBytes { p in
            for h in hashes {
                let line = blockedLine(h, lines: lines) * lineBytes
                var (a, delta) = blockedProbe(h)
                for _ in 0..<k {
                    let bit = Int(truncatingIfNeeded: a) & 511
                    p[line + (bit >> 3)] |= UInt8(1 << (bit & 7))
                    a = a &+ delta
                }
            }
            p[bytes] = blockedMarker + UInt8(k)
        }
        return out
    }

    /// The line of a key: the high 32 bits of its hash scaled to the line count (multiply-shift,
    /// no division).
    @inline(__always)
    static func blockedLine(_ h: UInt64, lines: Int) -> Int {
        Int(truncatingIfNeeded: ((h >> 32) &* UInt64(lines)) >> 32)
    }

    /// Double hashing within the line, from a remix of the hash (so the bits chosen do not repeat
    /// the bits that chose the line): start and odd step, each taken mod 512.
    @inline(__always)
    static func blockedProbe(_ h: UInt64) -> (UInt32, UInt32) {
        var g = h ^ (h >> 31)
        g = g &* 0xBF58_476D_1CE4_E5B9
        g ^= g >> 29
        return (UInt32(truncatingIfNeeded: g), UInt32(truncatingIfNeeded: g >> 32) | 1)
    }

    /// Builds a classic filter (the kind earlier builds wrote; kept so tests can make one).
    static func buildClassic(hashes: [UInt64], bitsPerKey: Int) -> [UInt8] {
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

    /// A well-formed filter's kind and probe count; nil for a malformed one (which reads as
    /// "may contain" for every key).
    static func kind(_ filter: [UInt8]) -> (name: String, probes: Int)? {
        guard filter.count >= 2, let last = filter.last else { return nil }
        if last > blockedMarker {
            let k = Int(last - blockedMarker)
            return k <= 30 && (filter.count - 1) % lineBytes == 0 ? ("blocked", k) : nil
        }
        return (1...30).contains(Int(last)) ? ("classic", Int(last)) : nil
    }

    /// False means the key is certainly absent. A malformed filter says true (never hides a key).
    @inline(__always)
    static func mayContain(_ filter: UnsafeRawBufferPointer, hash h: UInt64) -> Bool {
        guard filter.count >= 2 else { return true }
        let bytes = filter.count - 1
        let last = filter[bytes]
        if last > blockedMarker {
            let k = Int(last - blockedMarker)
            guard k <= 30, bytes % lineBytes == 0 else { return true }
            let line = filter.baseAddress! + blockedLine(h, lines: bytes / lineBytes) * lineBytes
            var (a, delta) = blockedProbe(h)
            for _ in 0..<k {
                let bit = Int(truncatingIfNeeded: a) & 511
                if line.load(fromByteOffset: bit >> 3, as: UInt8.self) & UInt8(1 << (bit & 7)) == 0 { return false }
                a = a &+ delta
            }
            return true
        }
        let k = Int(last)
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
