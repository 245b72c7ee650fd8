// A dense search aid for a segment's index block. Format of the block: Docs/segment_format.md
// (this is memory only; nothing here is stored).

/// For an index block with one entry per restart point (how SegmentWriter writes them), eight
/// bytes of every entry's user key as one big-endian word each, taken after the prefix all the
/// keys share. A binary search over this array touches a few cache lines where a search over the
/// block touches two per step (the restart slot and the entry); full keys are compared only
/// among entries whose words equal the target's.
///
/// The words never decrease along the block: past the shared prefix, a key that sorts before
/// another either differs first within the eight bytes (a smaller word), later (an equal word),
/// or is a prefix of it (zero padding: a smaller or equal word).
final class IndexWords: Sendable {  // a class: readers and iterators share it without copying two arrays
    let words: [UInt64]
    /// The user-key prefix every entry shares.
    let prefix: [UInt8]

    /// Nil if the block does not have exactly one entry per restart point, or has none.
    init?(_ block: Block) {
        let base = UnsafeRawPointer(block.data.baseAddress!)
        let limit = block.restartsOffset
        let n = block.restartCount
        var keys: [UnsafeRawBufferPointer] = []
        keys.reserveCapacity(n)
        for i in 0..<n {
            var p = block.restartPoint(i)
            guard p < limit, let h = readBlockEntryHeader(base, &p, limit), h.shared == 0, h.nonShared >= 8,
                  p + h.nonShared + h.valueLength <= limit else { return nil }
            keys.append(UnsafeRawBufferPointer(start: base + p, count: h.nonShared - 8))
            // The next entry must start at the next restart point.
            let next = p + h.nonShared + h.valueLength
            if i + 1 < n { guard next == block.restartPoint(i + 1) else { return nil } } else { guard next == limit else { return nil } }
        }
        guard let first = keys.first, let last = keys.last else { return nil }
        var shared = 0
        while shared < first.count && shared < last.count && first[shared] == last[shared] { shared += 1 }
        prefix = Array(first[0..<shared])
        words = keys.map { Self.word($0, from: shared) }
    }

    /// Bytes [from, from + 8) of `key` as a big-endian word, zero past its end.
    @inline(__always)
    static func word(_ key: UnsafeRawBufferPointer, from: Int) -> UInt64 {
        if key.count >= from + 8 {
            return UInt64(bigEndian: key.loadUnaligned(fromByteOffset: from, as: UInt64.self))
        }
        var w: UInt64 = 0
        for i in 0..<8 {
            w <<= 8
            if from + i < key.count { w |= UInt64(key[from + i]) }
        }
        return w
    }

    /// Where to look for the first entry whose internal key is >= `target`: entries before the
    /// returned range are smaller, entries after it larger; those inside have the target's word
    /// and need a full comparison (when the range is empty, the answer is its start).
    @inline(__always)
    func candidates(_ target: UnsafeRawBufferPointer) -> Range<Int> {
        let user = UnsafeRawBufferPointer(start: target.baseAddress, count: target.count - 8)
        let c = prefix.withUnsafeBytes { p -> Int in
            let m = Swift.min(p.count, user.count)
            let r = compareBytes(UnsafeRawBufferPointer(start: user.baseAddress, count: m),
                                 UnsafeRawBufferPointer(start: p.baseAddress, count: m))
            if r != 0 { return r }
            return user.count < p.count ? -1 : 0
        }
        if c < 0 { return 0..<0 }
        if c > 0 { return words.count..<words.count }
        let w = Self.word(user, from: prefix.count)
        return words.withUnsafeBufferPointer { ws in
            var lo = 0, hi = ws.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if ws[mid] < w { lo = mid + 1 } else { hi = mid }
            }
            var end = ws.count
            var l = lo
            while l < end {
                let mid = (l + end) / 2
                if ws[mid] <= w { l = mid + 1 } else { end = mid }
            }
            return lo..<end
        }
    }

    /// The first entry of `block` (the block these words were made from) whose internal key is
    /// >= `target`: its key and value, or nil if there is none.
    func firstEntry(in block: Block, atOrAfter target: UnsafeRawBufferPointer) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        let base = UnsafeRawPointer(block.data.baseAddress!)
        let limit = block.restartsOffset
        // Entries were checked when the words were made: one per restart point, well formed.
        @inline(__always)
        func entry(_ i: Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
            var p = block.restartPoint(i)
            let h = readBlockEntryHeader(base, &p, limit)!
            return (UnsafeRawBufferPointer(start: base + p, count: h.nonShared),
                    UnsafeRawBufferPointer(start: base + p + h.nonShared, count: h.valueLength))
        }
        let range = candidates(target)
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi {
            let mid = (lo + hi) / 2
            if compareInternalKeys(entry(mid).key, target) < 0 { lo = mid + 1 } else { hi = mid }
        }
        return lo < words.count ? entry(lo) : nil
    }
}
