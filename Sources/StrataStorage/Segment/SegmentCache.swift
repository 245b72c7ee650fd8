import Synchronization

/// A bounded LRU cache of open segments (file descriptor, index, filter), keyed by file number.
final class SegmentCache: Sendable {
    let dir: String
    let fs: any FileSystem
    let blockCache: BlockCache?
    let capacity: Int
    struct State {
        var map: [FileNumber: (reader: SegmentReader, tick: UInt64)] = [:]
        var tick: UInt64 = 0
    }
    let state = Mutex(State())

    init(dir: String, fs: any FileSystem, blockCache: BlockCache?, capacity: Int) {
        self.dir = dir
        self.fs = fs
        self.blockCache = blockCache
        self.capacity = capacity
    }

    func reader(_ number: FileNumber) throws -> SegmentReader {
        if let r = state.withLock({ s -> SegmentReader? in
            guard let e = s.map[number] else { return nil }
            s.tick += 1
            s.map[number] = (e.reader, s.tick)
            return e.reader
        }) { return r }
        let path = DatabaseFile.segment(number).path(in: dir)
        let reader = try SegmentReader(file: try fs.openReadable(path), number: number, cache: blockCache)
        state.withLock { s in
            s.tick += 1
            s.map[number] = (reader, s.tick)
            if s.map.count > capacity {
                // Evict the least recently used eighth in one pass.
                let victims = s.map.sorted { $0.value.tick < $1.value.tick }.prefix(max(1, capacity / 8))
                for (k, _) in victims where k != number { s.map[k] = nil }
            }
        }
        return reader
    }

    func evict(_ number: FileNumber) {
        _ = state.withLock { $0.map.removeValue(forKey: number) }
        blockCache?.evict(file: number.rawValue)
    }

    var openCount: Int { state.withLock { $0.map.count } }
}
