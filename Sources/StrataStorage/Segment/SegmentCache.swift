import Synchronization

/// A bounded LRU cache of open segments (file descriptor, index, filter), keyed by file number.
final class SegmentCache: Sendable {
    let dir: String
    let fs: any FileSystem
    let blockCache: BlockCache?
    let capacity: Int
    struct State {
        var map: [FileNumber: (reader: SegmentReader, tick: UInt64, metas: [FileMetadata])] = [:]
        var tick: UInt64 = 0
    }
    let state = Mutex(State())

    init(dir: String, fs: any FileSystem, blockCache: BlockCache?, capacity: Int) {
        self.dir = dir
        self.fs = fs
        self.blockCache = blockCache
        self.capacity = capacity
    }

    /// The open segment of a file: from the file's own slot when it is open, else through the cache.
    @inline(__always)
    func reader(_ meta: FileMetadata, nonBlocking: Bool = false) throws -> SegmentReader {
        if let r = meta.readerSlot.withLock({ $0 }) { return r }
        let r = try reader(meta.number, meta: meta, nonBlocking: nonBlocking)
        return r
    }

    /// `nonBlocking`: a segment not open already is not opened (`.wouldBlock`).
    func reader(_ number: FileNumber, meta: FileMetadata? = nil, nonBlocking: Bool = false) throws -> SegmentReader {
        if let r = state.withLock({ s -> SegmentReader? in
            guard var e = s.map[number] else { return nil }
            s.tick += 1
            e.tick = s.tick
            if let meta, !e.metas.contains(where: { $0 === meta }) { e.metas.append(meta) }
            s.map[number] = e
            // Under the cache lock, so an eviction cannot clear the slot before it is set.
            meta?.readerSlot.withLock { $0 = e.reader }
            return e.reader
        }) {
            return r
        }
        if nonBlocking { throw StorageError.wouldBlock("read (a segment not open)") }
        let path = DatabaseFile.segment(number).path(in: dir)
        let reader = try SegmentReader(file: try fs.openReadable(path), number: number, cache: blockCache)
        state.withLock { s in
            s.tick += 1
            s.map[number] = (reader, s.tick, meta.map { [$0] } ?? [])
            if s.map.count > capacity {
                // Evict the least recently used eighth in one pass.
                let victims = s.map.sorted { $0.value.tick < $1.value.tick }.prefix(max(1, capacity / 8))
                for (k, e) in victims where k != number {
                    for m in e.metas { m.readerSlot.withLock { $0 = nil } }
                    s.map[k] = nil
                }
            }
            meta?.readerSlot.withLock { $0 = reader }
        }
        return reader
    }

    /// Forgets a deleted file: its open segment and its blocks in the block cache (looked up one by
    /// one from the segment's index when it is open, else found by walking the whole cache).
    func evict(_ number: FileNumber) {
        let e = state.withLock { $0.map.removeValue(forKey: number) }
        for m in e?.metas ?? [] { m.readerSlot.withLock { $0 = nil } }
        guard let blockCache else { return }
        if let reader = e?.reader {
            blockCache.evict(file: number.rawValue, offsets: reader.dataBlockOffsets())
        } else {
            blockCache.evict(file: number.rawValue)
        }
    }

    var openCount: Int { state.withLock { $0.map.count } }
}
