/// Iterates the user keys visible at a snapshot, in key order, forward or backward,
/// within optional bounds [lowerBound, upperBound).
///
/// An iterator pins what it reads (memtables and the version's files) until it is released.
/// Not thread-safe: use one iterator from one thread at a time.
public final class StorageIterator {
    private let iter: MergingIterator
    private let sequence: UInt64
    /// What `iter` was built over; keeps the version's files alive (memtables are held by their
    /// iterators).
    private let shape: IteratorPool.Shape
    private let snapshot: Snapshot?
    /// Takes back the merging iterator (or its level iterators) when this iterator is released.
    private let pool: IteratorPool?
    public let lowerBound: [UInt8]?
    public let upperBound: [UInt8]?
    private var forward = true
    private var valid = false
    /// Forward: the user key just passed, whose older entries are hidden. Backward: the current key.
    private var savedKey = ReusableBytes()
    /// Backward only: the current value.
    private var savedValue = ReusableBytes()
    private var boundError: StorageError?
    /// Seek-compaction sampling (LevelDB's read sampling): every `readSampleBytes` of keys and
    /// values stepped over, on average, the position is offered to the version, which charges
    /// the first of several segments that hold it (see `Version.sampleRead`).
    private let sampling: Bool
    private var bytesUntilSample = 0
    private var sampleState: UInt64

    init(iter: MergingIterator, sequence: UInt64, shape: IteratorPool.Shape, snapshot: Snapshot?, pool: IteratorPool?,
         lowerBound: [UInt8]?, upperBound: [UInt8]?) {
        self.iter = iter
        self.pool = pool
        self.sequence = sequence
        self.shape = shape
        self.snapshot = snapshot
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        sampling = pool != nil && shape.version.chargesSeeks
        sampleState = (sequence &* 0x9E37_79B9_7F4A_7C15) | 1
        if sampling { bytesUntilSample = nextSamplePeriod() }
    }

    /// Uniform in [0, 2 × readSampleBytes).
    private func nextSamplePeriod() -> Int {
        sampleState ^= sampleState << 13
        sampleState ^= sampleState >> 7
        sampleState ^= sampleState << 17
        let range = UInt64(2 * Swift.max(1, pool?.readSampleBytes ?? 1))
        return Int(sampleState % range)
    }

    private func sample(_ userKey: UnsafeRawBufferPointer) {
        bytesUntilSample = nextSamplePeriod()
        if shape.version.sampleRead(userKey) { pool?.wakeCompaction?() }
    }

    deinit {
        pool?.recycle(iter, shape: shape)
        savedKey.deallocate()
        savedValue.deallocate()
    }

    public var isValid: Bool { valid }

    /// A view of the current user key, valid until the iterator moves.
    @usableFromInline
    var currentKeyView: UnsafeRawBufferPointer {
        precondition(valid, "iterator is not positioned on an entry")
        if forward {
            let k = iter.key
            return UnsafeRawBufferPointer(start: k.baseAddress, count: k.count - 8)
        }
        return savedKey.bytes
    }

    /// A view of the current value, valid until the iterator moves.
    @usableFromInline
    var currentValueView: UnsafeRawBufferPointer {
        precondition(valid, "iterator is not positioned on an entry")
        return forward ? iter.value : savedValue.bytes
    }

    /// The current user key.
    public var key: [UInt8] { Array(currentKeyView) }

    /// The current value.
    public var value: [UInt8] { Array(currentValueView) }

    /// Calls `body` with views of the current key and value, without copying them.
    @inlinable
    public func withCurrent<T>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try body(currentKeyView, currentValueView)
    }

    /// Throws the read or checksum error that ended iteration early, if any.
    public func check() throws {
        if let e = iter.error { throw e }
    }

    public func seekToFirst() {
        if let lo = lowerBound { seek(lo); return }
        forward = true
        savedValue.removeAll()
        iter.seekToFirst()
        findNextUserEntry(skipping: false)
        applyUpperBound()
    }

    public func seekToLast() {
        forward = false
        savedValue.removeAll()
        if let hi = upperBound {
            iter.seek(InternalKey.make(hi, SequenceNumber.max.rawValue, FormatConstants.kindForSeek))
            if iter.isValid { iter.prev() } else { iter.seekToLast() }
        } else {
            iter.seekToLast()
        }
        findPrevUserEntry()
        applyLowerBound()
    }

    /// Positions at the first key >= `target` (and >= the lower bound).
    public func seek(_ target: [UInt8]) {
        var t = target
        if let lo = lowerBound, compareBytes(t, lo) < 0 { t = lo }
        forward = true
        savedValue.removeAll()
        t.withUnsafeBytes { InternalKey.withLookup($0, sequence) { iter.seek($0) } }
        findNextUserEntry(skipping: false)
        applyUpperBound()
    }

    /// Positions at the last key <= `target` (and < the upper bound).
    public func seekForPrev(_ target: [UInt8]) {
        seek(target)
        if valid {
            if target.withUnsafeBytes({ compareBytes(currentKeyView, $0) }) > 0 { prev() }
        } else {
            seekToLast()
        }
        if valid && target.withUnsafeBytes({ compareBytes(currentKeyView, $0) }) > 0 { valid = false }
    }

    public func next() {
        precondition(valid, "iterator is not positioned on an entry")
        if !forward {
            forward = true
            // The merging iterator sits before all entries of savedKey; step into them.
            if !iter.isValid { iter.seekToFirst() } else { iter.next() }
            if !iter.isValid {
                valid = false
                savedKey.removeAll()
                return
            }
        } else {
            let k = iter.key
            savedKey.set(UnsafeRawBufferPointer(start: k.baseAddress, count: k.count - 8))
            iter.next()
        }
        findNextUserEntry(skipping: true)
        applyUpperBound()
    }

    public func prev() {
        precondition(valid, "iterator is not positioned on an entry")
        if forward {
            let k = iter.key
            savedKey.set(UnsafeRawBufferPointer(start: k.baseAddress, count: k.count - 8))
            while true {
                iter.prev()
                if !iter.isValid {
                    valid = false
                    savedKey.removeAll()
                    savedValue.removeAll()
                    return
                }
                let ik = iter.key
                if compareBytes(UnsafeRawBufferPointer(start: ik.baseAddress, count: ik.count - 8), savedKey.bytes) < 0 { break }
            }
            forward = false
        }
        findPrevUserEntry()
        applyLowerBound()
    }

    @inline(__always)
    private func findNextUserEntry(skipping: Bool) {
        var skipping = skipping
        while iter.isValid {
            let ik = iter.key
            if sampling {
                bytesUntilSample -= ik.count + iter.value.count
                if bytesUntilSample < 0 { sample(UnsafeRawBufferPointer(start: ik.baseAddress, count: ik.count - 8)) }
            }
            let trailer = InternalKey.trailer(ik)
            if trailer >> 8 <= sequence {
                let uk = UnsafeRawBufferPointer(start: ik.baseAddress, count: ik.count - 8)
                if UInt8(trailer & 0xff) == EntryKind.deletion.rawValue {
                    savedKey.set(uk)
                    skipping = true
                } else if skipping && compareBytes(uk, savedKey.bytes) <= 0 {
                    // Hidden by a newer entry of the same key.
                } else {
                    valid = true
                    savedKey.removeAll()
                    return
                }
            }
            iter.next()
        }
        valid = false
        savedKey.removeAll()
    }

    private func findPrevUserEntry() {
        var kind = EntryKind.deletion
        while iter.isValid {
            let ik = iter.key
            let trailer = InternalKey.trailer(ik)
            if trailer >> 8 <= sequence {
                let uk = UnsafeRawBufferPointer(start: ik.baseAddress, count: ik.count - 8)
                if kind != .deletion && compareBytes(uk, savedKey.bytes) < 0 {
                    break  // stepped onto the previous user key
                }
                kind = EntryKind(rawValue: UInt8(trailer & 0xff)) ?? .deletion
                if kind == .deletion {
                    savedKey.removeAll()
                    savedValue.removeAll()
                } else {
                    savedKey.set(uk)
                    savedValue.set(iter.value)
                }
            }
            iter.prev()
        }
        if kind == .deletion {
            valid = false
            savedKey.removeAll()
            savedValue.removeAll()
            forward = true
        } else {
            valid = true
        }
    }

    @inline(__always)
    private func applyUpperBound() {
        guard valid, let hi = upperBound else { return }
        if hi.withUnsafeBytes({ compareBytes(currentKeyView, $0) }) >= 0 { valid = false }
    }

    private func applyLowerBound() {
        guard valid, let lo = lowerBound else { return }
        if lo.withUnsafeBytes({ compareBytes(currentKeyView, $0) }) < 0 { valid = false }
    }
}
