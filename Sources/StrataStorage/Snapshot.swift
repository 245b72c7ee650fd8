import Synchronization

/// A consistent, read-only view of the database at one sequence number. Compaction keeps every
/// entry a live snapshot can see. Release it with `release()` (or let it go: deinit releases).
public final class Snapshot: Sendable {
    public let sequence: SequenceNumber
    let list: SnapshotList
    let released = Atomic<Bool>(false)

    init(sequence: SequenceNumber, list: SnapshotList) {
        self.sequence = sequence
        self.list = list
    }

    public func release() {
        if !released.exchange(true, ordering: .relaxed) { list.remove(sequence.rawValue) }
    }

    deinit { release() }
}

/// The sequence numbers of live snapshots (a multiset).
final class SnapshotList: Sendable {
    let counts = Mutex<[UInt64: Int]>([:])

    func add(_ seq: UInt64) { counts.withLock { $0[seq, default: 0] += 1 } }

    func remove(_ seq: UInt64) {
        counts.withLock { c in
            if let n = c[seq] { c[seq] = n > 1 ? n - 1 : nil }
        }
    }

    /// The oldest live snapshot, or nil.
    var oldest: UInt64? { counts.withLock { $0.keys.min() } }
    var count: Int { counts.withLock { $0.values.reduce(0, +) } }
}
