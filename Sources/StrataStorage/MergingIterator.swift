/// Merges sorted child iterators into one sorted stream (internal-key order), in both directions.
final class MergingIterator: InternalIterator {
    let children: [any InternalIterator]
    private var current: Int = -1
    private var forward = true

    init(_ children: [any InternalIterator]) { self.children = children }

    var isValid: Bool { current >= 0 && children[current].isValid }
    var key: UnsafeRawBufferPointer { children[current].key }
    var value: UnsafeRawBufferPointer { children[current].value }
    var error: StorageError? {
        for c in children { if let e = c.error { return e } }
        return nil
    }

    private func findSmallest() {
        var best = -1
        for i in 0..<children.count where children[i].isValid {
            if best < 0 || compareInternalKeys(children[i].key, children[best].key) < 0 { best = i }
        }
        current = best
    }

    private func findLargest() {
        var best = -1
        for i in stride(from: children.count - 1, through: 0, by: -1) where children[i].isValid {
            if best < 0 || compareInternalKeys(children[i].key, children[best].key) > 0 { best = i }
        }
        current = best
    }

    func seekToFirst() {
        for c in children { c.seekToFirst() }
        forward = true
        findSmallest()
    }

    func seekToLast() {
        for c in children { c.seekToLast() }
        forward = false
        findLargest()
    }

    func seek(_ target: UnsafeRawBufferPointer) {
        for c in children { c.seek(target) }
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
            }
            forward = true
        }
        children[current].next()
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
            }
            forward = false
        }
        children[current].prev()
        findLargest()
    }
}
