import Synchronization

/// A byte-bounded cache of decoded blocks, keyed by (file number, block offset), with LRU order
/// and a second chance for blocks hit since they last reached the tail (CLOCK-like).
/// Sharded so concurrent readers rarely meet on one lock.
///
/// Each shard finds its blocks through an open-addressing table (linear probing) keyed by one
/// premixed 64-bit hash of the key: a lookup hashes once (no `Hasher`), touches one or two
/// adjacent slots, and holds the lock for a few dozen instructions.
final class BlockCache: Sendable {
    struct Key: Hashable {
        var file: UInt64
        var offset: UInt64

        /// One premixed word into the hasher instead of two (equality still compares both).
        @inline(__always)
        func hash(into hasher: inout Hasher) { hasher.combine(file &* 0x9E37_79B9_7F4A_7C15 ^ offset) }

        /// A well-mixed 64-bit hash (splitmix64's finalizer over the two fields): the top bits
        /// choose the shard, the low bits the slot.
        @inline(__always)
        var mixed: UInt64 {
            var h = file &* 0x9E37_79B9_7F4A_7C15 ^ offset
            h ^= h >> 30
            h = h &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 27
            h = h &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
            return h
        }
    }

    final class Node: @unchecked Sendable {  // links are guarded by the shard's mutex
        let key: Key
        let hash: UInt64
        let block: Block
        var prev: Node?
        var next: Node?
        /// Set on a hit; eviction gives a referenced block a second chance.
        var referenced = false
        init(key: Key, hash: UInt64, block: Block) { self.key = key; self.hash = hash; self.block = block }
    }

    /// A table slot: the key inline (so a probe reads no node) and an unretained node, which the
    /// shard's LRU list keeps alive. An empty slot has no node.
    struct Slot {
        var hash: UInt64
        var file: UInt64
        var offset: UInt64
        var node: Unmanaged<Node>?
    }

    struct Shard: @unchecked Sendable {  // the table and links are guarded by the shard's mutex
        /// Power-of-two open-addressing table, at most half full.
        var slots: UnsafeMutableBufferPointer<Slot>
        var count = 0
        var head: Node?  // most recent
        var tail: Node?  // least recent
        var bytes = 0
        let capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            slots = .allocate(capacity: 64)
            slots.initialize(repeating: Slot(hash: 0, file: 0, offset: 0, node: nil))
        }

        @inline(__always)
        func find(_ key: Key, hash: UInt64) -> Int? {
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: hash) & mask
            while true {
                let s = slots[i]
                guard s.node != nil else { return nil }
                if s.hash == hash && s.file == key.file && s.offset == key.offset { return i }
                i = (i + 1) & mask
            }
        }

        /// Adds a node whose key is not in the table.
        mutating func add(_ n: Node) {
            if (count + 1) * 2 > slots.count { grow() }
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: n.hash) & mask
            while slots[i].node != nil { i = (i + 1) & mask }
            slots[i] = Slot(hash: n.hash, file: n.key.file, offset: n.key.offset, node: Unmanaged.passUnretained(n))
            count += 1
        }

        /// Empties slot `i` and shifts later members of its probe run back (no tombstones).
        mutating func remove(at index: Int) {
            let mask = slots.count - 1
            var i = index
            var j = index
            while true {
                j = (j + 1) & mask
                let s = slots[j]
                guard s.node != nil else { break }
                let home = Int(truncatingIfNeeded: s.hash) & mask
                // Move s into the hole at i unless its home lies cyclically in (i, j].
                let stays = i <= j ? (i < home && home <= j) : (i < home || home <= j)
                if !stays {
                    slots[i] = s
                    i = j
                }
            }
            slots[i].node = nil
            count -= 1
        }

        mutating func grow() {
            let old = slots
            slots = .allocate(capacity: old.count * 2)
            slots.initialize(repeating: Slot(hash: 0, file: 0, offset: 0, node: nil))
            let mask = slots.count - 1
            for s in old where s.node != nil {
                var i = Int(truncatingIfNeeded: s.hash) & mask
                while slots[i].node != nil { i = (i + 1) & mask }
                slots[i] = s
            }
            old.deallocate()
        }

        mutating func unlink(_ n: Node) {
            if let p = n.prev { p.next = n.next } else { head = n.next }
            if let x = n.next { x.prev = n.prev } else { tail = n.prev }
            n.prev = nil
            n.next = nil
        }

        mutating func pushFront(_ n: Node) {
            n.next = head
            head?.prev = n
            head = n
            if tail == nil { tail = n }
        }

        /// Drops a node from the table and the list.
        mutating func drop(_ n: Node) {
            if let i = find(n.key, hash: n.hash) { remove(at: i) }
            unlink(n)
            bytes -= n.block.size
        }
    }

    final class ShardBox: Sendable {
        let state: Mutex<Shard>
        init(capacity: Int) { state = Mutex(Shard(capacity: capacity)) }
        func withLock<T>(_ body: (inout Shard) -> T) -> T { state.withLock { body(&$0) } }
        deinit {
            state.withLock { s in
                // Break the list's links one by one (no deep recursive release), then free the table.
                while let t = s.tail { s.unlink(t) }
                s.slots.deallocate()
            }
        }
    }

    static let shardCount = 16
    let shards: [ShardBox]
    let capacity: Int
    let hits = Atomic<Int>(0)
    let misses = Atomic<Int>(0)

    init(capacityBytes: Int) {
        capacity = capacityBytes
        let per = max(capacityBytes / Self.shardCount, 0)
        var s: [ShardBox] = []
        for _ in 0..<Self.shardCount { s.append(ShardBox(capacity: per)) }
        shards = s
    }

    @inline(__always)
    private static func shard(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 60) & (shardCount - 1) }

    func get(_ key: Key) -> Block? {
        let h = key.mixed
        let b = shards[Self.shard(h)].withLock { s -> Block? in
            guard let i = s.find(key, hash: h) else { return nil }
            return s.slots[i].node.unsafelyUnwrapped._withUnsafeGuaranteedRef { n in
                if !n.referenced { n.referenced = true }  // no store (and dirty cache line) on repeat hits
                return n.block
            }
        }
        if b == nil { misses.wrappingAdd(1, ordering: .relaxed) } else { hits.wrappingAdd(1, ordering: .relaxed) }
        return b
    }

    func insert(_ key: Key, _ block: Block) {
        guard capacity > 0 else { return }
        let h = key.mixed
        // Node objects are class instances holding non-Sendable links; they never leave the lock.
        shards[Self.shard(h)].withLock { s in
            if let i = s.find(key, hash: h) {
                let old = s.slots[i].node!.takeUnretainedValue()
                s.drop(old)
            }
            let n = Node(key: key, hash: h, block: block)
            s.add(n)
            s.pushFront(n)
            s.bytes += block.size
            var scanned = 0
            while s.bytes > s.capacity, let t = s.tail, t !== n {
                if t.referenced && scanned < s.count {
                    s.unlink(t)
                    t.referenced = false
                    s.pushFront(t)
                    scanned += 1
                    continue
                }
                s.drop(t)
            }
        }
    }

    /// Drops the blocks of a file at the given offsets (those its index names), each found by its
    /// key: the cost follows the file's size, not the cache's. Each shard is locked once.
    func evict(file: UInt64, offsets: [UInt64]) {
        guard !offsets.isEmpty else { return }
        var byShard = [[(Key, UInt64)]](repeating: [], count: Self.shardCount)
        for offset in offsets {
            let key = Key(file: file, offset: offset)
            let h = key.mixed
            byShard[Self.shard(h)].append((key, h))
        }
        for (index, keys) in byShard.enumerated() where !keys.isEmpty {
            shards[index].withLock { s in
                for (key, h) in keys {
                    guard let i = s.find(key, hash: h) else { continue }
                    s.drop(s.slots[i].node.unsafelyUnwrapped.takeUnretainedValue())
                }
            }
        }
    }

    /// Drops every block of a file by walking every shard's list (for a file whose index is not
    /// at hand).
    func evict(file: UInt64) {
        for sh in shards {
            sh.withLock { s in
                var n = s.head
                while let x = n {
                    n = x.next
                    if x.key.file == file { s.drop(x) }
                }
            }
        }
    }

    var usedBytes: Int { shards.reduce(0) { acc, sh in acc + sh.withLock { $0.bytes } } }

    /// The files with blocks held (for tests).
    var cachedFiles: Set<UInt64> {
        shards.reduce(into: []) { acc, sh in
            sh.withLock { s in
                var n = s.head
                while let x = n {
                    acc.insert(x.key.file)
                    n = x.next
                }
            }
        }
    }

    /// Blocks held (for tests).
    var blockCount: Int { shards.reduce(0) { acc, sh in acc + sh.withLock { $0.count } } }
}
