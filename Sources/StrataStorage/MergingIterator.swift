/// Merges sorted child iterators into one sorted stream (internal-key order), in both directions.
///
/// Each child's current key is kept in `keys` (LevelDB's IteratorWrapper does the same), so
/// choosing the smallest or largest child compares cached views without calling into any child;
/// only the child that moved is asked for its new key.
final class MergingIterator: InternalIterator {
    let children: ContiguousArray<any InternalIterator>
    /// The current key of each child; a nil base address when the child is not valid. A view
    /// stays valid until its child moves, and every move refreshes it.
    private let keys: UnsafeMutableBufferPointer<UnsafeRawBufferPointer>
    /// The children of the two kinds a read iterator is made of, as unretained references
    /// (`children` holds them), so stepping costs no protocol dispatch and no reference counting.
    private let direct: UnsafeMutableBufferPointer<DirectChild>
    private var current: Int = -1
    /// Moving forward: the child with the smallest key after `current` (-1: none valid). Only
    /// `current` moves on `next`, so it stays the smallest while its key is below this one's.
    private var runnerUp: Int = -1
    private var forward = true

    private enum DirectChild {
        case memtable(Unmanaged<MemTable.MemTableIterator>)
        case level(Unmanaged<LevelIterator>)
        case other
    }

    private static var noKey: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    init(_ children: ContiguousArray<any InternalIterator>) {
        self.children = children
        let n = Swift.max(children.count, 1)
        keys = .allocate(capacity: n)
        keys.initialize(repeating: Self.noKey)
        direct = .allocate(capacity: n)
        direct.initialize(repeating: .other)
        for i in 0..<children.count {
            if let m = children[i] as? MemTable.MemTableIterator {
                direct[i] = .memtable(Unmanaged.passUnretained(m))
            } else if let l = children[i] as? LevelIterator {
                direct[i] = .level(Unmanaged.passUnretained(l))
            }
        }
    }

    convenience init(_ children: [any InternalIterator]) { self.init(ContiguousArray(children)) }

    deinit {
        keys.deallocate()
        direct.deallocate()
    }

    var isValid: Bool { current >= 0 }
    var key: UnsafeRawBufferPointer { keys[current] }

    var value: UnsafeRawBufferPointer {
        switch direct[current] {
        case .memtable(let m): return m._withUnsafeGuaranteedRef { $0.value }
        case .level(let l): return l._withUnsafeGuaranteedRef { $0.value }
        case .other: return children[current].value
        }
    }

    /// Moves child `i` one entry forward and refreshes its key.
    @inline(__always)
    private func advance(_ i: Int) {
        switch direct[i] {
        case .memtable(let m):
            keys[i] = m._withUnsafeGuaranteedRef { c in
                c.next()
                return c.isValid ? c.key : Self.noKey
            }
        case .level(let l):
            keys[i] = l._withUnsafeGuaranteedRef { c in
                c.next()
                return c.isValid ? c.key : Self.noKey
            }
        case .other:
            children[i].next()
            refresh(i)
        }
    }
    var error: StorageError? {
        for c in children { if let e = c.error { return e } }
        return nil
    }

    /// Reads child `i`'s key after it moved.
    @inline(__always)
    private func refresh(_ i: Int) {
        let c = children[i]
        keys[i] = c.isValid ? c.key : Self.noKey
    }

    /// Sets `current` to the child with the smallest key (the first of equal ones) and
    /// `runnerUp` to the smallest of the others.
    private func findSmallest() {
        var best = -1, second = -1
        var bestKey = Self.noKey, secondKey = Self.noKey
        for i in 0..<keys.count {
            let k = keys[i]
            if k.baseAddress == nil { continue }
            if best < 0 {
                best = i
                bestKey = k
            } else if compareInternalKeys(k, bestKey) < 0 {
                second = best
                secondKey = bestKey
                best = i
                bestKey = k
            } else if second < 0 || compareInternalKeys(k, secondKey) < 0 {
                second = i
                secondKey = k
            }
        }
        current = best
        runnerUp = second
    }

    private func findLargest() {
        var best = -1
        var bestKey = Self.noKey
        for i in stride(from: keys.count - 1, through: 0, by: -1) {
            let k = keys[i]
            if k.baseAddress == nil { continue }
            if best < 0 || compareInternalKeys(k, bestKey) > 0 {
                best = i
                bestKey = k
            }
        }
        current = best
    }

    func seekToFirst() {
        for i in 0..<children.count {
            children[i].seekToFirst()
            refresh(i)
        }
        forward = true
        findSmallest()
    }

    func seekToLast() {
        for i in 0..<children.count {
            children[i].seekToLast()
            refresh(i)
        }
        forward = false
        findLargest()
    }

    func seek(_ target: UnsafeRawBufferPointer) {
        for i in 0..<children.count {
            children[i].seek(target)
            refresh(i)
        }
        forward = true
        findSmallest()
    }

    func next() {
        if !forward {
            // Move every other child to just after the current key.
            let k = Array(key)
            for i in 0..<children.count where i != current {
                let c = children[i]
                c.seek(k)
                if c.isValid && compareInternalKeys(k, Array(c.key)) == 0 { c.next() }
                refresh(i)
            }
            forward = true
            advance(current)
            findSmallest()
            return
        }
        advance(current)
        let k = keys[current]
        if k.baseAddress != nil && (runnerUp < 0 || compareInternalKeys(k, keys[runnerUp]) < 0) { return }
        findSmallest()
    }

    func prev() {
        if forward {
            // Move every other child to just before the current key.
            let k = Array(key)
            for i in 0..<children.count where i != current {
                let c = children[i]
                c.seek(k)
                if c.isValid { c.prev() } else { c.seekToLast() }
                refresh(i)
            }
            forward = false
        }
        children[current].prev()
        refresh(current)
        findLargest()
    }
}
