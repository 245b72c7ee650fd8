import Synchronization

/// Spare iterator parts of one engine, so that `makeIterator` builds little.
///
/// - **Whole merging iterators.** A finished read iterator hands its merging iterator back with
///   what it was built over (the version, the memtables, `fillCache`); the next `makeIterator`
///   over exactly the same state takes it as it is: no allocation, and its level iterators still
///   have their segments and last blocks open (a seek into the same block reads no cache). A spare
///   pins its version and memtables, so installing a new version drops every spare (`dropSpares`,
///   under the engine lock, before obsolete files are swept) and a spare built before that is
///   refused (`generation`).
/// - **Level iterators.** A merging iterator that cannot be reused gives back its level
///   iterators (emptied, so a spare pins no file or block), each with a segment iterator, two
///   block iterators and their key buffers: six allocations saved per level.
final class IteratorPool: @unchecked Sendable {  // `spares` and `merging` are guarded by `lock`
    private let lock = Lock()
    private var spares: [LevelIterator] = []
    private var merging: [Spare] = []
    let cache: SegmentCache
    /// Wakes the engine's compaction thread (a read iterator's sample made a seek candidate).
    /// Set once by the engine before any iterator exists.
    var wakeCompaction: (@Sendable () -> Void)?
    /// The engine's `readSampleBytes`.
    var readSampleBytes = 1 << 20
    /// Level-iterator spares kept at most; more are freed.
    static let capacity = 64
    /// Merging-iterator spares kept at most (about one per reading thread).
    static let mergingCapacity = 4
    /// Bumped (under the engine lock) whenever a new version is installed.
    private let generationCounter = Atomic<UInt64>(0)

    /// What a merging iterator was built over: it may serve another read iterator over the same.
    struct Shape {
        let version: Version
        let mem: MemTable
        /// Whether `mem` had entries (an iterator over an empty memtable leaves it out).
        let memIncluded: Bool
        let imms: [MemTable]
        let fillCache: Bool
        let generation: UInt64

        func matches(_ o: Shape) -> Bool { fillCache == o.fillCache && sameState(o) }

        /// The same version and memtables (the read state), whatever `fillCache`.
        func sameState(_ o: Shape) -> Bool {
            guard version === o.version, mem === o.mem, memIncluded == o.memIncluded,
                  generation == o.generation, imms.count == o.imms.count else { return false }
            for i in 0..<imms.count where imms[i] !== o.imms[i] { return false }
            return true
        }
    }

    private struct Spare {
        let shape: Shape
        let iter: MergingIterator
    }

    init(cache: SegmentCache) {
        self.cache = cache
        spares.reserveCapacity(Self.capacity)
    }

    /// Spare merging iterators kept now (for tests).
    package var spareMergingCount: Int { lock.withLock { merging.count } }

    /// The current generation; read under the engine lock with the version it goes with.
    var generation: UInt64 { generationCounter.load(ordering: .relaxed) }

    /// A spare merging iterator built over exactly `shape`, if there is one. `shape` is the
    /// current state, so spares over another state are stale: they are taken apart.
    func mergingIterator(for shape: Shape) -> MergingIterator? {
        lock.lock()
        if merging.isEmpty {
            lock.unlock()
            return nil
        }
        var found: MergingIterator?
        var stale: [MergingIterator] = []
        var i = 0
        while i < merging.count {
            let s = merging[i]
            if found == nil && s.shape.matches(shape) {
                found = s.iter
                merging.remove(at: i)
            } else if !s.shape.sameState(shape) {
                stale.append(s.iter)
                merging.remove(at: i)
            } else {
                i += 1
            }
        }
        lock.unlock()
        recycleDropped(stale)
        return found
    }

    /// Takes back a merging iterator whose read iterator is finished. One built before the last
    /// version change, or one that met an error, is taken apart instead.
    func recycle(_ iter: MergingIterator, shape: Shape) {
        if iter.error == nil {
            lock.lock()
            if shape.generation == generation && merging.count < Self.mergingCapacity {
                merging.append(Spare(shape: shape, iter: iter))
                lock.unlock()
                return
            }
            lock.unlock()
        }
        recycle(iter.children)
    }

    /// Forgets every spare merging iterator (a new version is being installed), returning them
    /// so the caller can release them (`recycleDropped`) after its own lock. Call under the
    /// engine lock.
    func dropSpares() -> [MergingIterator] {
        lock.lock()
        defer { lock.unlock() }
        generationCounter.add(1, ordering: .relaxed)
        if merging.isEmpty { return [] }
        let dropped = merging.map(\.iter)
        merging.removeAll(keepingCapacity: true)
        return dropped
    }

    /// Keeps the level iterators of dropped merging iterators.
    func recycleDropped(_ dropped: [MergingIterator]) {
        for m in dropped { recycle(m.children) }
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
