import Synchronization

/// A byte-bounded LRU cache of decoded blocks, keyed by (file number, block offset).
/// Sharded so concurrent readers rarely meet on one lock.
final class BlockCache: Sendable {
    struct Key: Hashable {
        var file: UInt64
        var offset: UInt64

        /// One premixed word into the hasher instead of two (equality still compares both).
        @inline(__always)
        func hash(into hasher: inout Hasher) { hasher.combine(file &* 0x9E37_79B9_7F4A_7C15 ^ offset) }
    }

    final class Node: @unchecked Sendable {  // links are guarded by the shard's mutex
        let key: Key
        let block: Block
        var prev: Node?
        var next: Node?
        /// Set on a hit; eviction gives a referenced block a second chance.
        var referenced = false
        init(key: Key, block: Block) { self.key = key; self.block = block }
    }

    struct Shard {
        var map: [Key: Node] = [:]
        var head: Node?  // most recent
        var tail: Node?  // least recent
        var bytes = 0
        let capacity: Int

        init(capacity: Int) { self.capacity = capacity }

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
    }

    final class ShardBox: Sendable {
        let state: Mutex<Shard>
        init(capacity: Int) { state = Mutex(Shard(capacity: capacity)) }
        func withLock<T>(_ body: (inout Shard) -> T) -> T { state.withLock { body(&$0) } }
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
    private func shard(_ key: Key) -> Int {
        var h = key.file &* 0x9E37_79B9_7F4A_7C15 ^ key.offset
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return Int(h >> 60) & (Self.shardCount - 1)
    }

    func get(_ key: Key) -> Block? {
        let b = shards[shard(key)].withLock { s -> Block? in
            guard let n = s.map[key] else { return nil }
            if !n.referenced { n.referenced = true }  // no store (and dirty cache line) on repeat hits
            return n.block
        }
        if b == nil { misses.wrappingAdd(1, ordering: .relaxed) } else { hits.wrappingAdd(1, ordering: .relaxed) }
        return b
    }

    func insert(_ key: Key, _ block: Block) {
        guard capacity > 0 else { return }
        // Node objects are class instances holding non-Sendable links; they never leave the lock.
        shards[shard(key)].withLock { s in
            if let old = s.map[key] {
                s.unlink(old)
                s.bytes -= old.block.size
            }
            let n = Node(key: key, block: block)
            s.map[key] = n
            s.pushFront(n)
            s.bytes += block.size
            var scanned = 0
            while s.bytes > s.capacity, let t = s.tail, t !== n {
                s.unlink(t)
                if t.referenced && scanned < s.map.count {
                    t.referenced = false
                    s.pushFront(t)
                    scanned += 1
                    continue
                }
                s.map[t.key] = nil
                s.bytes -= t.block.size
            }
        }
    }

    /// Drops every block of a file (called when the file is deleted).
    func evict(file: UInt64) {
        for sh in shards {
            sh.withLock { s in
                for (k, n) in s.map where k.file == file {
                    s.unlink(n)
                    s.map[k] = nil
                    s.bytes -= n.block.size
                }
            }
        }
    }

    var usedBytes: Int { shards.reduce(0) { acc, sh in acc + sh.withLock { $0.bytes } } }
}
