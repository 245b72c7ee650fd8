/// Bump allocator for memtable nodes: memory is freed all at once when the memtable dies,
/// and node addresses never move, so readers can follow raw pointers without a lock.
final class Arena {
    private var chunks: [UnsafeMutableRawPointer] = []
    private var current: UnsafeMutableRawPointer?
    private var left = 0
    private(set) var allocatedBytes = 0
    static let chunkSize = 1 << 20

    deinit { for c in chunks { c.deallocate() } }

    /// `n` bytes aligned to 8.
    func allocate(_ n: Int) -> UnsafeMutableRawPointer {
        let size = (n + 7) & ~7
        if size > left {
            if size > Self.chunkSize / 4 {
                // A large node gets its own chunk so the current chunk's tail is not wasted.
                let p = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
                chunks.append(p)
                allocatedBytes += size
                return p
            }
            let p = UnsafeMutableRawPointer.allocate(byteCount: Self.chunkSize, alignment: 8)
            chunks.append(p)
            allocatedBytes += Self.chunkSize
            current = p
            left = Self.chunkSize
        }
        let p = current!
        current = p + size
        left -= size
        return p
    }
}
