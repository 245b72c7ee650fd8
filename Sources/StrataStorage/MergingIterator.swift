/// Merges sorted child iterators into one sorted stream (internal-key order), in both directions.
///
/// Each child's current key is kept in `keys` (LevelDB's IteratorWrapper does the same), so
/// choosing the smallest or largest child compares cached views without calling into any child;
/// only the child that moved is asked for its new key. Moving forward, a tournament tree of
/// losers over the children makes a step cost log2(children) comparisons, not children - 1.
final class MergingIterator: InternalIterator {
    let children: ContiguousArray<any InternalIterator>
    /// The number of leaves of the tournament tree: the children, rounded up to a power of two.
    private let leafCount: Int
    /// The current key of each leaf; a nil base address when the child is not valid (always for
    /// the leaves past the children). A view stays valid until its child moves, and every move
    /// refreshes it.
    private let keys: UnsafeMutableBufferPointer<UnsafeRawBufferPointer>
    /// Tournament tree of losers: `tree[0]` is the leaf with the smallest key, `tree[1 ..< leafCount]`
    /// the loser at each internal node (node n's children are 2n and 2n + 1; leaf i is node
    /// leafCount + i); `tree[leafCount...]` is scratch for building. Valid while moving forward.
    private let tree: UnsafeMutableBufferPointer<Int>
    /// The children of the two kinds a read iterator is made of, as unretained references
    /// (`children` holds them), so stepping costs no protocol dispatch and no reference counting.
    private let direct: UnsafeMutableBufferPointer<DirectChild>
    private var current: Int = -1
    private var forward = true

    private enum DirectChild {
        case memtable(Unmanaged<MemTable.MemTableIterator>)
        case level(Unmanaged<LevelIterator>)
        case other
    }

    private static var noKey: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    init(_ children: ContiguousArray<any InternalIterator>) {
        self.children = children
        var m = 1
        while m < children.count { m *= 2 }
        leafCount = m
        keys = .allocate(capacity: m)
        keys.initialize(repeating: Self.noKey)
        tree = .allocate(capacity: 2 * m)
        tree.initialize(repeating: 0)
        direct = .allocate(capacity: m)
        direct.initialize(repeating: .other)
        for i in 0..<children.count {
            if let c = children[i] as? MemTable.MemTableIterator {
                direct[i] = .memtable(Unmanaged.passUnretained(c))
            } else if let l = children[i] as? LevelIterator {
                direct[i] = .level(Unmanaged.passUnretained(l))
            }
        }
    }

    convenience init(_ children: [any InternalIterator]) { self.init(ContiguousArray(children)) }

    deinit {
        keys.deallocate()
        tree.deallocate()
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
        // Memtable iterators never fail; level iterators are asked without dispatch or retains.
        for i in 0..<children.count {
            switch direct[i] {
            case .memtable: continue
            case .level(let l):
                if let e = l._withUnsafeGuaranteedRef({ $0.error }) { return e }
            case .other:
                if let e = children[i].error { return e }
            }
        }
        return nil
    }

    /// Reads child `i`'s key after it moved.
    @inline(__always)
    private func refresh(_ i: Int) {
        let c = children[i]
        keys[i] = c.isValid ? c.key : Self.noKey
    }

    /// True if leaf `a` comes before leaf `b`: a smaller key, or an equal key and a lower index
    /// (an earlier, newer child); a leaf with no key comes after every leaf with one.
    @inline(__always)
    private func before(_ a: Int, _ b: Int) -> Bool {
        let ka = keys[a], kb = keys[b]
        if ka.baseAddress == nil { return kb.baseAddress == nil && a < b }
        if kb.baseAddress == nil { return true }
        let c = compareInternalKeys(ka, kb)
        return c < 0 || (c == 0 && a < b)
    }

    /// Plays the whole tournament (leafCount - 1 comparisons) and sets `current`.
    private func findSmallest() {
        let m = leafCount
        // tree[m + n] holds the winner at internal node n while building.
        for node in stride(from: m - 1, through: 1, by: -1) {
            let l = 2 * node >= m ? 2 * node - m : tree[m + 2 * node]
            let r = 2 * node + 1 >= m ? 2 * node + 1 - m : tree[m + 2 * node + 1]
            if before(r, l) {
                tree[node] = l
                tree[m + node] = r
            } else {
                tree[node] = r
                tree[m + node] = l
            }
        }
        let winner = m == 1 ? 0 : tree[m + 1]
        tree[0] = winner
        current = keys[winner].baseAddress == nil ? -1 : winner
    }

    /// Replays the matches from leaf `i` (whose key changed) to the root and sets `current`.
    @inline(__always)
    private func replay(_ i: Int) {
        var winner = i
        var node = (leafCount + i) >> 1
        while node >= 1 {
            let loser = tree[node]
            if before(loser, winner) {
                tree[node] = winner
                winner = loser
            }
            node >>= 1
        }
        tree[0] = winner
        current = keys[winner].baseAddress == nil ? -1 : winner
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
        let i = current
        advance(i)
        replay(i)
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
