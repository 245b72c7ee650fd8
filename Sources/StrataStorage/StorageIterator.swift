/// Iterates the user keys visible at a snapshot, in key order, forward or backward,
/// within optional bounds [lowerBound, upperBound).
///
/// An iterator pins what it reads (memtables and the version's files) until it is released.
/// Not thread-safe: use one iterator from one thread at a time.
public final class StorageIterator {
    private let iter: MergingIterator
    private let sequence: UInt64
    private let pinned: [AnyObject]
    public let lowerBound: [UInt8]?
    public let upperBound: [UInt8]?
    private var forward = true
    private var valid = false
    private var savedKey: [UInt8] = []
    private var savedValue: [UInt8] = []
    private var boundError: StorageError?

    init(iter: MergingIterator, sequence: UInt64, pinned: [AnyObject], lowerBound: [UInt8]?, upperBound: [UInt8]?) {
        self.iter = iter
        self.sequence = sequence
        self.pinned = pinned
        self.lowerBound = lowerBound
        self.upperBound = upperBound
    }

    public var isValid: Bool { valid }

    /// The current user key.
    public var key: [UInt8] {
        precondition(valid, "iterator is not positioned on an entry")
        if forward {
            let k = iter.key
            return Array(UnsafeRawBufferPointer(rebasing: k[0..<(k.count - 8)]))
        }
        return savedKey
    }

    /// The current value.
    public var value: [UInt8] {
        precondition(valid, "iterator is not positioned on an entry")
        return forward ? Array(iter.value) : savedValue
    }

    /// Calls `body` with views of the current key and value, without copying them.
    public func withCurrent<T>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        precondition(valid, "iterator is not positioned on an entry")
        if forward {
            let k = iter.key
            return try body(UnsafeRawBufferPointer(rebasing: k[0..<(k.count - 8)]), iter.value)
        }
        return try savedKey.withUnsafeBytes { k in try savedValue.withUnsafeBytes { try body(k, $0) } }
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
        iter.seek(InternalKey.lookup(t, sequence))
        findNextUserEntry(skipping: false)
        applyUpperBound()
    }

    /// Positions at the last key <= `target` (and < the upper bound).
    public func seekForPrev(_ target: [UInt8]) {
        seek(target)
        if valid {
            if compareBytes(key, target) > 0 { prev() }
        } else {
            seekToLast()
        }
        if valid && compareBytes(key, target) > 0 { valid = false }
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
            savedKey.removeAll(keepingCapacity: true)
            savedKey.append(contentsOf: UnsafeRawBufferPointer(rebasing: k[0..<(k.count - 8)]))
            iter.next()
        }
        findNextUserEntry(skipping: true)
        applyUpperBound()
    }

    public func prev() {
        precondition(valid, "iterator is not positioned on an entry")
        if forward {
            let k = iter.key
            savedKey = Array(UnsafeRawBufferPointer(rebasing: k[0..<(k.count - 8)]))
            while true {
                iter.prev()
                if !iter.isValid {
                    valid = false
                    savedKey.removeAll()
                    savedValue.removeAll()
                    return
                }
                let ik = iter.key
                let c = savedKey.withUnsafeBytes { compareBytes(UnsafeRawBufferPointer(rebasing: ik[0..<(ik.count - 8)]), $0) }
                if c < 0 { break }
            }
            forward = false
        }
        findPrevUserEntry()
        applyLowerBound()
    }

    private func findNextUserEntry(skipping: Bool) {
        var skipping = skipping
        while iter.isValid {
            let ik = iter.key
            let trailer = InternalKey.trailer(ik)
            if trailer >> 8 <= sequence {
                let uk = UnsafeRawBufferPointer(rebasing: ik[0..<(ik.count - 8)])
                if UInt8(trailer & 0xff) == EntryKind.deletion.rawValue {
                    savedKey.removeAll(keepingCapacity: true)
                    savedKey.append(contentsOf: uk)
                    skipping = true
                } else if skipping && savedKey.withUnsafeBytes({ compareBytes(uk, $0) }) <= 0 {
                    // Hidden by a newer entry of the same key.
                } else {
                    valid = true
                    savedKey.removeAll(keepingCapacity: true)
                    return
                }
            }
            iter.next()
        }
        valid = false
        savedKey.removeAll(keepingCapacity: true)
    }

    private func findPrevUserEntry() {
        var kind = EntryKind.deletion
        while iter.isValid {
            let ik = iter.key
            let trailer = InternalKey.trailer(ik)
            if trailer >> 8 <= sequence {
                let uk = UnsafeRawBufferPointer(rebasing: ik[0..<(ik.count - 8)])
                if kind != .deletion && savedKey.withUnsafeBytes({ compareBytes(uk, $0) }) < 0 {
                    break  // stepped onto the previous user key
                }
                kind = EntryKind(rawValue: UInt8(trailer & 0xff)) ?? .deletion
                if kind == .deletion {
                    savedKey.removeAll(keepingCapacity: true)
                    savedValue.removeAll(keepingCapacity: true)
                } else {
                    savedKey = Array(uk)
                    savedValue = Array(iter.value)
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

    private func applyUpperBound() {
        guard valid, let hi = upperBound else { return }
        if compareBytes(key, hi) >= 0 { valid = false }
    }

    private func applyLowerBound() {
        guard valid, let lo = lowerBound else { return }
        if compareBytes(key, lo) < 0 { valid = false }
    }
}
