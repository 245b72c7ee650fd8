/// Spare level iterators of one engine. A read iterator needs one level iterator per level-0
/// file and per non-empty level, each with a segment iterator, two block iterators and their key
/// buffers: six allocations made and freed per level for every `makeIterator`, which costs more
/// than a short scan. A finished read iterator hands its level iterators back here (emptied,
/// so a spare pins no file or block), and the next one takes them.
final class IteratorPool: @unchecked Sendable {  // `spares` is guarded by `lock`
    private let lock = Lock()
    private var spares: [LevelIterator] = []
    let cache: SegmentCache
    /// Spares kept at most; more are freed.
    static let capacity = 64

    init(cache: SegmentCache) {
        self.cache = cache
        spares.reserveCapacity(Self.capacity)
    }

    func levelIterator(files: [FileMetadata], range: Range<Int>, fillCache: Bool) -> LevelIterator {
        lock.lock()
        let spare = spares.popLast()
        lock.unlock()
        if let spare {
            spare.reset(files: files, range: range, fillCache: fillCache)
            return spare
        }
        return LevelIterator(files: files, range: range, cache: cache, fillCache: fillCache)
    }

    /// Takes back the level iterators among `children`, which their owner no longer uses.
    func recycle(_ children: ContiguousArray<any InternalIterator>) {
        var found = false
        for c in children {
            if let l = c as? LevelIterator, l.cache === cache {
                l.clear()
                found = true
            }
        }
        guard found else { return }
        lock.lock()
        for c in children where spares.count < Self.capacity {
            if let l = c as? LevelIterator, l.cache === cache { spares.append(l) }
        }
        lock.unlock()
    }
}
