/// One compaction: segments of `level` and the overlapping ones of `level + 1`, merged into new
/// segments at `level + 1`.
struct Compaction {
    let level: Int
    let inputs: [FileMetadata]       // from `level`
    var nextInputs: [FileMetadata]   // from `outputLevel` (when it is below `level`)
    let grandparents: [FileMetadata] // from `outputLevel + 1`, to cut outputs that would overlap too much
    /// Files of the levels below the output level, for deciding whether a tombstone may go.
    /// (Not the whole Version: holding one would keep its files from being deleted.)
    let deeperLevels: [[FileMetadata]]
    /// `level + 1`, or `level` itself for a manual rewrite of the bottom level in place.
    var outputLevel: Int
    /// Manual compaction of the bottom level turns this off, so the file is rewritten and its
    /// overwritten entries and tombstones dropped.
    var allowTrivialMove = true
    /// Picked for a file's used-up seek budget rather than for a level's size.
    var isSeekCompaction = false

    var allInputs: [FileMetadata] { inputs + nextInputs }
    var inputBytes: UInt64 { allInputs.reduce(0) { $0 + $1.size } }

    /// A single file with nothing under it moves down without rewriting.
    func isTrivialMove(options: StorageOptions) -> Bool {
        allowTrivialMove && inputs.count == 1 && nextInputs.isEmpty
            && grandparents.reduce(0, { $0 + $1.size }) <= UInt64(10 * options.targetSegmentBytes)
    }

    /// Smallest and largest user keys of a set of files.
    static func range(_ files: [FileMetadata]) -> (smallest: [UInt8], largest: [UInt8]) {
        var lo = files[0].smallestUserKey, hi = files[0].largestUserKey
        for f in files.dropFirst() {
            let s = f.smallestUserKey, l = f.largestUserKey
            if compareBytes(s, lo) < 0 { lo = s }
            if compareBytes(l, hi) > 0 { hi = l }
        }
        return (lo, hi)
    }

    /// A cursor over `deeperLevels` for a compaction's user keys, which come in ascending order.
    func baseLevelCursor() -> BaseLevelCursor { BaseLevelCursor(deeperLevels) }

    /// Picks the compaction the version needs most, or nil if none is due.
    /// Size first: a level over its size (or level 0 over its file count); otherwise the version's
    /// seek candidate.
    static func pick(_ v: Version, compactPointers: [[UInt8]?], options: StorageOptions) -> Compaction? {
        guard v.compactionScore >= 1 else {
            guard let (level, file) = v.seekCandidate.withLock({ $0 }), level + 1 < Version.levelCount else { return nil }
            // A level-0 file overlaps others there: take them all, so none is left above newer data.
            let inputs = level == 0 ? v.overlappingFiles(level: 0, begin: file.smallestUserKey, end: file.largestUserKey) : [file]
            var c = make(v, level: level, inputs: inputs)
            c.isSeekCompaction = true
            return c
        }
        let level = v.compactionLevel
        var inputs: [FileMetadata]
        if level == 0 {
            // Start from the oldest file; take every level-0 file that overlaps it.
            guard let first = v.levels[0].first else { return nil }
            inputs = v.overlappingFiles(level: 0, begin: first.smallestUserKey, end: first.largestUserKey)
        } else {
            let files = v.levels[level]
            guard !files.isEmpty else { return nil }
            var chosen = files[0]
            if let ptr = compactPointers[level], let f = files.first(where: { compareInternalKeys($0.largest, ptr) > 0 }) {
                chosen = f
            }
            inputs = [chosen]
        }
        return make(v, level: level, inputs: inputs)
    }

    static func make(_ v: Version, level: Int, inputs: [FileMetadata]) -> Compaction {
        let (lo, hi) = range(inputs)
        let next = v.overlappingFiles(level: level + 1, begin: lo, end: hi)
        let (alo, ahi) = range(inputs + next)
        let gp = level + 2 < Version.levelCount ? v.overlappingFiles(level: level + 2, begin: alo, end: ahi) : []
        return Compaction(level: level, inputs: inputs, nextInputs: next, grandparents: gp,
                          deeperLevels: Array(v.levels.dropFirst(level + 2)), outputLevel: level + 1)
    }

    /// Rewrites files of one level in place (manual compaction of the bottom level).
    static func inPlace(_ v: Version, level: Int, inputs: [FileMetadata]) -> Compaction {
        let (lo, hi) = range(inputs)
        let gp = level + 1 < Version.levelCount ? v.overlappingFiles(level: level + 1, begin: lo, end: hi) : []
        var c = Compaction(level: level, inputs: inputs, nextInputs: [], grandparents: gp,
                               deeperLevels: Array(v.levels.dropFirst(level + 1)), outputLevel: level)
        c.allowTrivialMove = false
        return c
    }
}

/// Answers "does any level below the compaction's output hold this user key?" for user keys asked
/// in ascending order, as a compaction meets them: one position per level only moves forward
/// (LevelDB's `level_ptrs_`), so a key costs about two key comparisons per deeper level, not a
/// scan of its files. The levels are sorted and disjoint (never level 0).
///
/// A key no deeper level holds may lose its tombstone, and its oldest visible value may get
/// sequence number 0 (see Docs/architecture.md, "What is dropped").
struct BaseLevelCursor {
    private let levels: [[FileMetadata]]
    private var positions: [Int]

    init(_ levels: [[FileMetadata]]) {
        self.levels = levels.filter { !$0.isEmpty }
        positions = Array(repeating: 0, count: self.levels.count)
    }

    /// True if no deeper level's key range holds `userKey`. Keys must not decrease between calls.
    mutating func isBaseLevel(for userKey: UnsafeRawBufferPointer) -> Bool {
        for l in 0..<levels.count {
            let files = levels[l]
            var i = positions[l]
            while i < files.count {
                let f = files[i]
                let belowEnd = f.largest.withUnsafeBytes {
                    compareBytes(userKey, UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count - 8))
                } <= 0
                if belowEnd {
                    let aboveStart = f.smallest.withUnsafeBytes {
                        compareBytes(userKey, UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count - 8))
                    } >= 0
                    positions[l] = i
                    if aboveStart { return false }
                    break
                }
                i += 1
            }
            positions[l] = i
        }
        return true
    }
}
