import CStrataSupport
import Synchronization

/// The in-memory write buffer: a skip list of entries ordered by internal key
/// (user key ascending, sequence number descending).
///
/// One writer at a time inserts (the write path's leader, or recovery); any number of readers
/// search concurrently without a lock. A node is fully written before a release store links it
/// in, and readers follow links with acquire loads, so a reader sees either the old list or the
/// new node complete.
///
/// Node layout in the arena (8-byte aligned):
///     keyLength u32 | valueLength u32 | height u8 | pad (7) | next[height] (8 each) | key | value
final class MemTable: @unchecked Sendable {  // writes are serialized by the engine's write path; reads use acquire loads
    static let maxHeight = 12
    static let nextOffset = 16

    private let arena = Arena()
    /// The user keys inserted, so a lookup of a key not here seldom searches the list.
    private let filter: MemTableFilter
    private let head: UnsafeMutableRawPointer
    /// The last node of each level (the head while a level is empty); only the writer uses it.
    /// A key above every key in the table (ascending inserts, as in a sequential load) links in
    /// after these without a search.
    private let tails: UnsafeMutablePointer<UnsafeMutableRawPointer>
    private var maxHeightWord: UInt = 1  // read with relaxed atomics
    private var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
    private let usage = Atomic<Int>(0)
    private let entryCount = Atomic<Int>(0)
    /// The write-ahead log that holds this memtable's entries.
    let logNumber: FileNumber

    /// `expectedBytes`: about how many bytes it takes before it is frozen (sizes its filter).
    init(logNumber: FileNumber, expectedBytes: Int = 8 << 20) {
        self.logNumber = logNumber
        filter = MemTableFilter(expectedBytes: expectedBytes)
        head = arena.allocate(Self.nextOffset + 8 * Self.maxHeight)
        head.storeBytes(of: UInt32(0), toByteOffset: 0, as: UInt32.self)
        head.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
        head.storeBytes(of: UInt8(Self.maxHeight), toByteOffset: 8, as: UInt8.self)
        for i in 0..<Self.maxHeight { Self.nextSlot(head, i).pointee = 0 }
        tails = arena.allocate(8 * Self.maxHeight).bindMemory(to: UnsafeMutableRawPointer.self, capacity: Self.maxHeight)
        tails.initialize(repeating: head, count: Self.maxHeight)
    }

    /// Approximate bytes used.
    var approximateBytes: Int { usage.load(ordering: .relaxed) }
    /// Bytes of the key filter (allocated up front, beside the arena).
    var filterBytes: Int { filter.byteCount }
    var count: Int { entryCount.load(ordering: .relaxed) }
    var isEmpty: Bool { count == 0 }

    // MARK: node access

    @inline(__always)
    static func nextSlot(_ node: UnsafeMutableRawPointer, _ level: Int) -> UnsafeMutablePointer<UInt> {
        (node + nextOffset + 8 * level).assumingMemoryBound(to: UInt.self)
    }

    @inline(__always)
    static func next(_ node: UnsafeMutableRawPointer, _ level: Int) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: strata_load_acquire(nextSlot(node, level)))
    }

    @inline(__always)
    static func height(_ node: UnsafeMutableRawPointer) -> Int { Int(node.load(fromByteOffset: 8, as: UInt8.self)) }

    @inline(__always)
    static func key(_ node: UnsafeMutableRawPointer) -> UnsafeRawBufferPointer {
        let kl = Int(node.load(fromByteOffset: 0, as: UInt32.self))
        return UnsafeRawBufferPointer(start: node + nextOffset + 8 * height(node), count: kl)
    }

    @inline(__always)
    static func value(_ node: UnsafeMutableRawPointer) -> UnsafeRawBufferPointer {
        let kl = Int(node.load(fromByteOffset: 0, as: UInt32.self))
        let vl = Int(node.load(fromByteOffset: 4, as: UInt32.self))
        return UnsafeRawBufferPointer(start: node + nextOffset + 8 * height(node) + kl, count: vl)
    }

    private var currentMaxHeight: Int {
        Int(withUnsafeMutablePointer(to: &maxHeightWord) { strata_load_relaxed($0) })
    }

    private func randomHeight() -> Int {
        var h = 1
        while h < Self.maxHeight {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            if rng & 3 != 0 { break }  // branching factor 4
            h += 1
        }
        return h
    }

    // MARK: search

    /// The first node whose key is >= `target`; fills `prev` with the last node before it at each level.
    @inline(__always)
    private func findGreaterOrEqual(_ target: UnsafeRawBufferPointer, prev: UnsafeMutablePointer<UnsafeMutableRawPointer>?) -> UnsafeMutableRawPointer? {
        var x = head
        var level = currentMaxHeight - 1
        // The node found not below `target` one level up: reached again from x a level down,
        // it needs no second comparison.
        var notBelow: UnsafeMutableRawPointer? = nil
        while true {
            let n = Self.next(x, level)
            if let n, n != notBelow, compareInternalKeys(Self.key(n), target) < 0 {
                x = n
            } else {
                prev?[level] = x
                if level == 0 { return n }
                notBelow = n
                level -= 1
            }
        }
    }

    /// The last node whose key is < `target`, or nil (the head).
    private func findLessThan(_ target: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
        var x = head
        var level = currentMaxHeight - 1
        while true {
            let n = Self.next(x, level)
            if let n, compareInternalKeys(Self.key(n), target) < 0 {
                x = n
            } else {
                if level == 0 { return x == head ? nil : x }
                level -= 1
            }
        }
    }

    private func findLast() -> UnsafeMutableRawPointer? {
        var x = head
        var level = currentMaxHeight - 1
        while true {
            if let n = Self.next(x, level) {
                x = n
            } else {
                if level == 0 { return x == head ? nil : x }
                level -= 1
            }
        }
    }

    // MARK: writes (one writer at a time)

    /// Inserts an entry and returns the node that follows it at level 0 (nil at the end). Entries
    /// of one user key sort newest first, so when that node has the same user key it holds the
    /// key's previous entry in this memtable: a put can learn what it replaced without a second
    /// search.
    @discardableResult
    func add(sequence: UInt64, kind: EntryKind, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
        let height = randomHeight()
        let ikeyLength = key.count + 8
        let node = arena.allocate(Self.nextOffset + 8 * height + ikeyLength + value.count)
        node.storeBytes(of: UInt32(ikeyLength), toByteOffset: 0, as: UInt32.self)
        node.storeBytes(of: UInt32(value.count), toByteOffset: 4, as: UInt32.self)
        node.storeBytes(of: UInt8(height), toByteOffset: 8, as: UInt8.self)
        let keyAt = node + Self.nextOffset + 8 * height
        if key.count > 0 { keyAt.copyMemory(from: key.baseAddress!, byteCount: key.count) }
        (keyAt + key.count).storeBytes(of: packTrailer(sequence, kind).littleEndian, as: UInt64.self)
        if value.count > 0 { (keyAt + ikeyLength).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        // Before the node is linked in (see MemTableFilter on why readers then see the bits).
        filter.insert(hash: bloomHash(key))

        let following = withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer.self, capacity: Self.maxHeight) { prev -> UInt in
            let prevBase = prev.baseAddress!
            let ikey = UnsafeRawBufferPointer(start: keyAt, count: ikeyLength)
            let current = currentMaxHeight
            let last = tails[0]
            if last == head || compareInternalKeys(Self.key(last), ikey) < 0 {
                // Above every key: the node goes after the last node of each level.
                for i in 0..<Swift.max(current, height) { prevBase[i] = tails[i] }
            } else {
                _ = findGreaterOrEqual(ikey, prev: prevBase)
                for i in current..<Swift.max(current, height) { prevBase[i] = head }
            }
            if height > current {
                withUnsafeMutablePointer(to: &maxHeightWord) { strata_store_relaxed($0, UInt(height)) }
            }
            var following: UInt = 0
            for i in 0..<height {
                let succ = strata_load_relaxed(Self.nextSlot(prevBase[i], i))
                strata_store_relaxed(Self.nextSlot(node, i), succ)
                strata_store_release(Self.nextSlot(prevBase[i], i), UInt(bitPattern: node))
                if succ == 0 { tails[i] = node }
                if i == 0 { following = succ }
            }
            return following
        }
        // One writer at a time: plain load and store, no read-modify-write.
        usage.store(usage.load(ordering: .relaxed) &+ (Self.nextOffset + 8 * height + ikeyLength + value.count), ordering: .relaxed)
        entryCount.store(entryCount.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        return UnsafeMutableRawPointer(bitPattern: following)
    }

    /// Whether `node` is an entry of `userKey`, and whether it is a deletion.
    static func entry(_ node: UnsafeMutableRawPointer, isOf userKey: UnsafeRawBufferPointer) -> (same: Bool, deleted: Bool) {
        let k = key(node)
        guard compareBytes(userKey, UnsafeRawBufferPointer(start: k.baseAddress, count: k.count - 8)) == 0 else { return (false, false) }
        return (true, UInt8(InternalKey.trailer(k) & 0xff) == EntryKind.deletion.rawValue)
    }

    // MARK: reads

    enum LookupResult {
        case found([UInt8])
        case deleted
        case absent
    }

    /// The newest entry for `userKey` with sequence <= `sequence`.
    func get(_ userKey: [UInt8], sequence: UInt64) -> LookupResult {
        get(userKey, lookup: InternalKey.lookup(userKey, sequence))
    }

    /// The newest entry for `userKey` at or below the sequence in `lookup` (its lookup key).
    func get(_ userKey: [UInt8], lookup: [UInt8]) -> LookupResult {
        userKey.withUnsafeBytes { uk in lookup.withUnsafeBytes { get(uk, lookup: $0) } }
    }

    func get(_ userKey: UnsafeRawBufferPointer, lookup: UnsafeRawBufferPointer) -> LookupResult {
        get(userKey, lookup: lookup, hash: bloomHash(userKey))
    }

    /// As `get(_:lookup:)`, given the user key's `bloomHash`.
    func get(_ userKey: UnsafeRawBufferPointer, lookup: UnsafeRawBufferPointer, hash: UInt64) -> LookupResult {
        if isEmpty || !filter.mayContain(hash: hash) { return .absent }
        guard let node = findGreaterOrEqual(lookup, prev: nil) else { return .absent }
        let k = Self.key(node)
        let same = compareBytes(userKey, UnsafeRawBufferPointer(start: k.baseAddress, count: k.count - 8)) == 0
        guard same else { return .absent }
        let trailer = InternalKey.trailer(k)
        if UInt8(trailer & 0xff) == EntryKind.deletion.rawValue { return .deleted }
        return .found(Array(Self.value(node)))
    }

    /// The smallest and largest user keys held, nil when empty.
    var userKeyRange: (smallest: [UInt8], largest: [UInt8])? {
        guard let first = Self.next(head, 0), let last = findLast() else { return nil }
        let a = Self.key(first), b = Self.key(last)
        return (Array(a[0..<(a.count - 8)]), Array(b[0..<(b.count - 8)]))
    }

    func makeIterator() -> MemTableIterator { MemTableIterator(self) }

    final class MemTableIterator: InternalIterator {
        let table: MemTable  // keeps the arena alive
        var node: UnsafeMutableRawPointer?

        init(_ table: MemTable) { self.table = table }

        var isValid: Bool { node != nil }
        var key: UnsafeRawBufferPointer { MemTable.key(node!) }
        var value: UnsafeRawBufferPointer { MemTable.value(node!) }
        var error: StorageError? { nil }

        func seekToFirst() { node = MemTable.next(table.head, 0) }
        func seekToLast() { node = table.findLast() }
        func seek(_ target: UnsafeRawBufferPointer) { node = table.findGreaterOrEqual(target, prev: nil) }
        func next() { node = MemTable.next(node!, 0) }
        func prev() { node = table.findLessThan(MemTable.key(node!)) }
    }
}
