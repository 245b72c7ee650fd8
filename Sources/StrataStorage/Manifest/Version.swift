import Synchronization

/// An immutable set of segments, level by level. Readers and compactions hold a `Version` while
/// they use its files; a file is deleted only when no live version lists it.
final class Version: Sendable {
    static let levelCount = 7

    /// Level 0: ordered by file number (oldest first), ranges may overlap.
    /// Levels 1...: ordered by smallest key, ranges disjoint.
    let levels: [[FileMetadata]]
    /// The level most in need of compaction and its score (>= 1 means compaction is due).
    let compactionLevel: Int
    let compactionScore: Double
    /// A file whose seek budget reads used up while this version was current (the first such
    /// file; never one of the last level): compacted when no size-based compaction is due.
    let seekCandidate = Mutex<(level: Int, file: FileMetadata)?>(nil)
    /// Whether reads charge probes to files' seek budgets.
    let chargesSeeks: Bool

    init(levels: [[FileMetadata]], options: StorageOptions) {
        self.levels = levels
        chargesSeeks = options.seekCompaction
        var bestLevel = 0
        var bestScore = -1.0
        for level in 0..<(Self.levelCount - 1) {
            let score: Double
            if level == 0 {
                score = Double(levels[0].count) / Double(options.level0CompactionTrigger)
            } else {
                let bytes = levels[level].reduce(0) { $0 + $1.size }
                score = Double(bytes) / Double(Self.maxBytes(level: level, options: options))
            }
            if score > bestScore {
                bestScore = score
                bestLevel = level
            }
        }
        compactionLevel = bestLevel
        compactionScore = bestScore
    }

    static func maxBytes(level: Int, options: StorageOptions) -> Int64 {
        var result = options.level1Bytes
        var l = level
        while l > 1 {
            result *= Int64(options.levelSizeMultiplier)
            l -= 1
        }
        return result
    }

    func levelBytes(_ level: Int) -> UInt64 { levels[level].reduce(0) { $0 + $1.size } }

    var fileNumbers: [FileNumber] { levels.flatMap { $0.map(\.number) } }

    /// Index of the first file in a sorted level whose largest key is >= `ikey`.
    static func findFile(_ files: [FileMetadata], _ ikey: [UInt8]) -> Int {
        var lo = 0, hi = files.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if compareInternalKeys(files[mid].largest, ikey) < 0 { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    enum GetResult {
        case found([UInt8])
        case deleted
        case absent
    }

    func get(userKey: [UInt8], lookup: [UInt8], cache: SegmentCache, fillCache: Bool) throws -> GetResult {
        try userKey.withUnsafeBytes { uk in
            try lookup.withUnsafeBytes { try get(userKey: uk, lookup: $0, cache: cache, fillCache: fillCache) }
        }
    }

    /// Whether a seek compaction is waiting for the compaction thread.
    var hasSeekCandidate: Bool { seekCandidate.withLock { $0 != nil } }

    /// Whether the compaction thread has work: a level over its size, or a seek candidate.
    var compactionDue: Bool { compactionScore >= 1 || hasSeekCandidate }

    /// Charges one wasted probe to `file` of `level`; true when that made it this version's seek
    /// candidate (the caller then wakes the compaction thread).
    func chargeSeek(_ file: FileMetadata, level: Int) -> Bool {
        guard level < Self.levelCount - 1 else { return false }
        guard file.seekBudget.subtract(1, ordering: .relaxed).newValue <= 0 else { return false }
        return seekCandidate.withLock { c in
            if c != nil { return false }
            c = (level, file)
            return true
        }
    }

    /// A read iterator's sample at `userKey`: when two or more segments hold the key's range, a
    /// lookup there would have probed the first in vain, so it is charged as a `get` would be.
    /// True when that made it the seek candidate.
    func sampleRead(_ userKey: UnsafeRawBufferPointer) -> Bool {
        guard chargesSeeks else { return false }
        var first: (file: FileMetadata, level: Int)? = nil
        func covers(_ f: FileMetadata) -> Bool {
            f.smallest.withUnsafeBytes { compareBytes(userKey, UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count - 8)) } >= 0
                && f.largest.withUnsafeBytes { compareBytes(userKey, UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count - 8)) } <= 0
        }
        let l0 = levels[0]
        for i in stride(from: l0.count - 1, through: 0, by: -1) where covers(l0[i]) {
            if let first { return chargeSeek(first.file, level: first.level) }
            first = (l0[i], 0)
        }
        for level in 1..<Self.levelCount {
            let files = levels[level]
            if files.isEmpty { continue }
            var lo = 0, hi = files.count
            while lo < hi {
                let mid = (lo + hi) / 2
                let below = files[mid].largest.withUnsafeBytes {
                    compareBytes(UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count - 8), userKey)
                } < 0
                if below { lo = mid + 1 } else { hi = mid }
            }
            if lo < files.count && covers(files[lo]) {
                if let first { return chargeSeek(first.file, level: first.level) }
                first = (files[lo], level)
            }
        }
        return false
    }

    /// `seekCompactionDue` (when given) is set to true when this lookup made a file the seek
    /// candidate: the first file probed, when the key was not settled there and another file had
    /// to be probed (LevelDB's "allowed seeks").
    func get(userKey: UnsafeRawBufferPointer, lookup: UnsafeRawBufferPointer, hash: UInt64? = nil, cache: SegmentCache,
             fillCache: Bool, nonBlocking: Bool = false, seekCompactionDue: UnsafeMutablePointer<Bool>? = nil) throws -> GetResult {
        let hash = hash ?? bloomHash(userKey)
        @inline(__always)
        func userKeyCompare(_ ikey: [UInt8]) -> Int {
            ikey.withUnsafeBytes { compareBytes(userKey, UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count - 8)) }
        }
        // The first file probed, until a second probe charges it (then nil, with `charged` set).
        var firstProbed: FileMetadata? = nil
        var firstLevel = 0
        var charged = !chargesSeeks
        func probe(_ f: FileMetadata, level: Int) throws -> GetResult {
            if !charged {
                if let first = firstProbed {
                    charged = true
                    if chargeSeek(first, level: firstLevel) { seekCompactionDue?.pointee = true }
                } else {
                    firstProbed = f
                    firstLevel = level
                }
            }
            switch try cache.reader(f, nonBlocking: nonBlocking).get(lookup: lookup, userKey: userKey, hash: hash, fillCache: fillCache,
                                                                     nonBlocking: nonBlocking) {
            case .found(let v): return .found(v)
            case .deleted: return .deleted
            case .absent: return .absent
            }
        }
        // Level 0, newest file first.
        let l0 = levels[0]
        for i in stride(from: l0.count - 1, through: 0, by: -1) {
            let f = l0[i]
            if userKeyCompare(f.smallest) >= 0 && userKeyCompare(f.largest) <= 0 {
                let r = try probe(f, level: 0)
                if case .absent = r { continue }
                return r
            }
        }
        for level in 1..<Self.levelCount {
            let files = levels[level]
            if files.isEmpty { continue }
            // The first file whose largest key is >= the lookup key.
            var lo = 0, hi = files.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if files[mid].largest.withUnsafeBytes({ compareInternalKeys($0, lookup) }) < 0 { lo = mid + 1 } else { hi = mid }
            }
            if lo < files.count && userKeyCompare(files[lo].smallest) >= 0 {
                let r = try probe(files[lo], level: level)
                if case .absent = r { continue }
                return r
            }
        }
        return .absent
    }

    /// Files of `level` whose user-key range overlaps [begin, end] (nil: unbounded). For level 0 the
    /// range grows to cover every overlapping file, since level-0 files overlap each other.
    func overlappingFiles(level: Int, begin: [UInt8]?, end: [UInt8]?) -> [FileMetadata] {
        var lo = begin, hi = end
        var result: [FileMetadata] = []
        var i = 0
        let files = levels[level]
        while i < files.count {
            let f = files[i]
            i += 1
            let fs = f.smallestUserKey, fl = f.largestUserKey
            if let lo, compareBytes(fl, lo) < 0 { continue }
            if let hi, compareBytes(fs, hi) > 0 { continue }
            result.append(f)
            if level == 0 {
                var restart = false
                if let l = lo, compareBytes(fs, l) < 0 { lo = fs; restart = true }
                if let h = hi, compareBytes(fl, h) > 0 { hi = fl; restart = true }
                if restart {
                    result.removeAll()
                    i = 0
                }
            }
        }
        return result
    }

    /// Iterators over every segment: one per level-0 file (newest first), one concatenating
    /// iterator per deeper level that has files. A file is opened when the iterator reaches it.
    /// Level iterators come from `pool` when it has spares.
    func appendIterators(to its: inout ContiguousArray<any InternalIterator>, cache: SegmentCache, fillCache: Bool,
                         pool: IteratorPool? = nil) {
        let l0 = levels[0]
        for i in stride(from: l0.count - 1, through: 0, by: -1) {
            its.append(pool?.levelIterator(files: l0, range: i..<(i + 1), fillCache: fillCache)
                       ?? LevelIterator(files: l0, range: i..<(i + 1), cache: cache, fillCache: fillCache))
        }
        for level in 1..<Self.levelCount where !levels[level].isEmpty {
            let files = levels[level]
            its.append(pool?.levelIterator(files: files, range: 0..<files.count, fillCache: fillCache)
                       ?? LevelIterator(files: files, range: 0..<files.count, cache: cache, fillCache: fillCache))
        }
    }
}

/// Iterates a range of the files of one sorted level as one sequence, opening each file as it
/// is reached. One segment iterator is reused from file to file, and the whole iterator can be
/// reused for another range (`reset`), which is how `IteratorPool` saves allocations.
final class LevelIterator: InternalIterator {
    private(set) var files: [FileMetadata]
    /// The first file iterated, and how many.
    private var first: Int
    private var count: Int
    let cache: SegmentCache
    let it: SegmentIterator
    /// The file `it` is open on (0 ..< count, relative to `first`), when `it.segment` is not nil.
    var fileIndex: Int
    /// Boxed: clearing a nil class reference is a pointer store; clearing a nil `StorageError?` is an outlined call.
    private var errorBox: ErrorBox?
    var error: StorageError? { errorBox?.error }

    convenience init(files: [FileMetadata], cache: SegmentCache, fillCache: Bool) {
        self.init(files: files, range: 0..<files.count, cache: cache, fillCache: fillCache)
    }

    init(files: [FileMetadata], range: Range<Int>, cache: SegmentCache, fillCache: Bool) {
        self.files = files
        first = range.lowerBound
        count = range.count
        self.cache = cache
        it = SegmentIterator(fillCache: fillCache)
        fileIndex = count
    }

    /// Points the iterator at other files, unpositioned, with no error.
    func reset(files: [FileMetadata], range: Range<Int>, fillCache: Bool) {
        self.files = files
        first = range.lowerBound
        count = range.count
        it.fillCache = fillCache
        fileIndex = count
        errorBox = nil
    }

    /// Lets go of the files, segment and block (for a pooled spare).
    func clear() {
        it.close()
        it.clearError()
        files = []
        first = 0
        count = 0
        fileIndex = 0
        errorBox = nil
    }

    var isValid: Bool { it.isValid }
    var key: UnsafeRawBufferPointer { it.key }
    var value: UnsafeRawBufferPointer { it.value }

    private func open(_ i: Int) {
        fileIndex = i
        guard i >= 0 && i < count else {
            it.close()
            return
        }
        let f = files[first + i]
        if let cur = it.segment, cur.number == f.number { return }
        do {
            it.open(try cache.reader(f))
        } catch let e as StorageError {
            if errorBox == nil { errorBox = ErrorBox(e) }
            it.close()
        } catch {
            if self.errorBox == nil { self.errorBox = ErrorBox(StorageError(.io, "\(error)")) }
            it.close()
        }
    }

    private func checkError() {
        if let e = it.error, errorBox == nil { errorBox = ErrorBox(e) }
    }

    private func skipForward() {
        while !it.isValid && it.segment != nil {
            checkError()
            if errorBox != nil { it.close(); return }
            open(fileIndex + 1)
            if it.segment != nil { it.seekToFirst() }
        }
    }

    private func skipBackward() {
        while !it.isValid && it.segment != nil {
            checkError()
            if errorBox != nil { it.close(); return }
            open(fileIndex - 1)
            if it.segment != nil { it.seekToLast() }
        }
    }

    func seekToFirst() {
        open(0)
        if it.segment != nil { it.seekToFirst() }
        skipForward()
    }

    func seekToLast() {
        open(count - 1)
        if it.segment != nil { it.seekToLast() }
        skipBackward()
    }

    func seek(_ target: UnsafeRawBufferPointer) {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            let c = files[first + mid].largest.withUnsafeBytes { compareInternalKeys($0, target) }
            if c < 0 { lo = mid + 1 } else { hi = mid }
        }
        open(lo)
        if it.segment != nil { it.seek(target) }
        skipForward()
    }

    @inline(__always)
    func next() {
        it.next()
        if !it.isValid { skipForward() }
    }

    func prev() {
        it.prev()
        if !it.isValid { skipBackward() }
    }
}
