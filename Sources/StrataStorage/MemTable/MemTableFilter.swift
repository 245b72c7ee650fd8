import CStrataSupport

/// A bloom filter over the user keys written to one memtable, so that a point lookup of a key the
/// memtable does not hold (most lookups, once the data outgrows a memtable) costs one cache line
/// instead of a skip-list descent of a dozen or more dependent cache misses.
///
/// Cache-line blocked: a key's `probes` bits all fall in one 64-byte line chosen by the key's
/// bloom hash (the segment filters' `bloomHash`, so a lookup hashes its key once for every filter
/// it consults). It lives only in memory, so its layout can change freely.
///
/// One writer (the memtable's) sets bits with relaxed stores before the entry is linked into the
/// skip list; readers load with relaxed loads. A reader is entitled only to entries at or below
/// its sequence number, which the engine published after the entries were inserted (under its
/// lock), so every bit such an entry set is visible to it; bits of later entries may or may not
/// be, which only makes the filter answer "maybe" for keys the search then skips.
final class MemTableFilter: @unchecked Sendable {  // see the type comment for the memory ordering
    /// Bits set per key, all in one line.
    static let probes = 6
    static let wordsPerLine = 8

    private let words: UnsafeMutablePointer<UInt>
    /// log2 of the number of lines; the line is the hash's top `lineBits` bits.
    private let lineBits: Int

    /// A filter of about `expectedBytes / 64` bytes (a power of two between 4 KiB and 16 MiB): a
    /// memtable of entries of 100 bytes or more gets 10 or more bits per key.
    init(expectedBytes: Int) {
        let target = Swift.min(Swift.max(expectedBytes / 64, 4096), 16 << 20)
        var lines = 1
        var bits = 0
        while lines * 64 < target {
            lines <<= 1
            bits += 1
        }
        lineBits = bits
        let count = lines * Self.wordsPerLine
        words = .allocate(capacity: count)
        words.initialize(repeating: 0, count: count)
        byteCount = count * MemoryLayout<UInt>.size
    }

    deinit { words.deallocate() }

    /// Bytes of the bit array.
    let byteCount: Int

    /// The first word of the key's line, and the bits to test, one 9-bit field per probe.
    @inline(__always)
    private func place(_ hash: UInt64) -> (line: UnsafeMutablePointer<UInt>, bits: UInt64) {
        let line = lineBits == 0 ? 0 : Int(truncatingIfNeeded: hash >> UInt64(64 - lineBits))
        // The bits within the line from a remix of the hash, so they do not repeat the line's bits.
        var g = hash ^ (hash >> 31)
        g = g &* 0xBF58_476D_1CE4_E5B9
        g ^= g >> 29
        return (words + line * Self.wordsPerLine, g)
    }

    /// Records a key (by its `bloomHash`). One writer at a time.
    @inline(__always)
    func insert(hash: UInt64) {
        let (line, bits) = place(hash)
        for i in 0..<Self.probes {
            let bit = Int(truncatingIfNeeded: bits >> UInt64(9 * i)) & 511
            let word = line + (bit >> 6)
            let mask = UInt(1) << UInt(bit & 63)
            let old = strata_load_relaxed(word)
            if old & mask == 0 { strata_store_relaxed(word, old | mask) }
        }
    }

    /// False means no entry of the key was inserted (before the caller's sequence was published).
    @inline(__always)
    func mayContain(hash: UInt64) -> Bool {
        let (line, bits) = place(hash)
        for i in 0..<Self.probes {
            let bit = Int(truncatingIfNeeded: bits >> UInt64(9 * i)) & 511
            if strata_load_relaxed(line + (bit >> 6)) & (UInt(1) << UInt(bit & 63)) == 0 { return false }
        }
        return true
    }
}
