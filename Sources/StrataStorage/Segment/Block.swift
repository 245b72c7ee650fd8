// Data and index blocks: prefix-compressed entries with restart points. Format: Docs/segment_format.md.

/// A decoded (uncompressed) block in memory it owns; shared by the block cache and iterators.
final class Block: @unchecked Sendable {  // immutable after init
    let data: UnsafeMutableRawBufferPointer
    let restartsOffset: Int
    let restartCount: Int

    /// Takes ownership of `data` (allocated with alignment 8). Throws corruption on a malformed block.
    init(owning data: UnsafeMutableRawBufferPointer, file: String?, offset: Int64) throws {
        self.data = data
        let size = data.count
        guard size >= 4 else {
            data.deallocate()
            throw StorageError.corruption("block too small (\(size) bytes)", file: file, offset: offset)
        }
        let n = Int(loadFixed32(UnsafeRawBufferPointer(data), size - 4))
        guard n >= 1, n <= (size - 4) / 4 else {
            data.deallocate()
            throw StorageError.corruption("bad restart count \(n) in block of \(size) bytes", file: file, offset: offset)
        }
        restartCount = n
        restartsOffset = size - 4 - 4 * n
    }

    convenience init(copying bytes: UnsafeRawBufferPointer, file: String?, offset: Int64) throws {
        let d = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        if bytes.count > 0 { d.copyMemory(from: bytes) }
        try self.init(owning: UnsafeMutableRawBufferPointer(rebasing: d[0..<bytes.count]), file: file, offset: offset)
    }

    deinit { data.deallocate() }

    /// A block with no entries: what a reusable iterator points at while it has no block.
    static let empty: Block = {
        let bytes: [UInt8] = [0, 0, 0, 0, 1, 0, 0, 0]  // restart point 0, one restart
        return try! bytes.withUnsafeBytes { try Block(copying: $0, file: nil, offset: 0) }
    }()

    var size: Int { data.count }

    @inline(__always)
    func restartPoint(_ i: Int) -> Int { Int(loadFixed32(UnsafeRawBufferPointer(data), restartsOffset + 4 * i)) }

    func makeIterator(file: String?, offset: Int64) -> BlockIterator { BlockIterator(self, file: file, offset: offset) }
}

/// Builds a block: keys must be added in increasing order.
struct BlockBuilder {
    let restartInterval: Int
    private(set) var buffer: [UInt8] = []
    private var restarts: [UInt32] = [0]
    private var counter = 0
    /// The whole key of the last entry added (empty when the builder is empty).
    private(set) var lastKey: [UInt8] = []
    private(set) var entryCount = 0

    init(restartInterval: Int) { self.restartInterval = restartInterval }

    var isEmpty: Bool { entryCount == 0 }
    var estimatedSize: Int { buffer.count + 4 * restarts.count + 4 }

    mutating func add(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        var shared = 0
        if counter < restartInterval {
            let n = min(lastKey.count, key.count)
            lastKey.withUnsafeBytes { lk in
                while shared < n && lk[shared] == key[shared] { shared += 1 }
            }
        } else {
            restarts.append(UInt32(buffer.count))
            counter = 0
        }
        putVarint(shared, into: &buffer)
        putVarint(key.count - shared, into: &buffer)
        putVarint(value.count, into: &buffer)
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: key[shared...]))
        buffer.append(contentsOf: value)
        lastKey.removeSubrange(shared...)
        lastKey.append(contentsOf: UnsafeRawBufferPointer(rebasing: key[shared...]))
        counter += 1
        entryCount += 1
    }

    /// The finished block's bytes; the builder is reset.
    mutating func finish() -> [UInt8] {
        finishInPlace { Array($0) }
    }

    /// Finishes the block in the builder's own buffer and passes its bytes to `body` (no copy);
    /// the builder is reset afterwards, keeping its capacity.
    mutating func finishInPlace<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        for r in restarts { putFixed32(r, into: &buffer) }
        putFixed32(UInt32(restarts.count), into: &buffer)
        defer {
            buffer.removeAll(keepingCapacity: true)
            restarts.removeAll(keepingCapacity: true)
            restarts.append(0)
            counter = 0
            lastKey.removeAll(keepingCapacity: true)
            entryCount = 0
        }
        return try buffer.withUnsafeBytes(body)
    }
}

/// Iterates a block's entries forward and backward; seeks by binary search over restart points.
final class BlockIterator: InternalIterator {
    private(set) var block: Block
    private(set) var file: String?
    private(set) var blockOffset: Int64
    private var base: UnsafeRawPointer
    private var limit: Int  // end of entries (start of the restart array)
    /// The block's whole size (entries, restart array, count): bytes below it may be read.
    private var blockSize: Int
    /// Offset of the current entry; == limit when invalid.
    private var current: Int
    private var nextOffset = 0
    /// The block's restart array and its length (read without going through `block`).
    private var restarts: UnsafeRawPointer
    private var restartCount: Int
    private var keyBuffer: UnsafeMutableRawPointer
    private var keyCapacity = 64
    private var keyLength = 0
    private var valueStart = 0
    private var valueLength = 0
    /// Boxed: clearing a nil class reference is a pointer store; clearing a nil `StorageError?` is an outlined call.
    private var errorBox: ErrorBox?
    var error: StorageError? { errorBox?.error }

    init(_ block: Block, file: String?, offset: Int64) {
        self.block = block
        self.file = file
        self.blockOffset = offset
        base = UnsafeRawPointer(block.data.baseAddress!)
        limit = block.restartsOffset
        blockSize = block.data.count
        current = limit
        restarts = base + block.restartsOffset
        restartCount = block.restartCount
        keyBuffer = .allocate(byteCount: keyCapacity, alignment: 8)
    }

    deinit { keyBuffer.deallocate() }

    /// Points the iterator at another block (unpositioned), reusing its key buffer.
    @inline(__always)
    func reset(to block: Block, offset: Int64, file: String?) {
        self.file = file
        reset(to: block, offset: offset)
    }

    /// Points the iterator at another block of the same file (unpositioned): keeps the file name.
    @inline(__always)
    func reset(to block: Block, offset: Int64) {
        self.block = block
        blockOffset = offset
        base = UnsafeRawPointer(block.data.baseAddress!)
        limit = block.restartsOffset
        blockSize = block.data.count
        current = limit
        restarts = base + block.restartsOffset
        restartCount = block.restartCount
        nextOffset = 0
        keyLength = 0
        errorBox = nil
    }

    var isValid: Bool { current < limit }
    var key: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: keyBuffer, count: keyLength) }
    var value: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + valueStart, count: valueLength) }

    private func corrupt(_ what: String, at: Int) {
        if errorBox == nil {
            errorBox = ErrorBox(.corruption("\(what) in block", file: file, offset: blockOffset + Int64(at)))
        }
        current = limit
        keyLength = 0
    }

    @inline(__always)
    private func readVarint(_ p: inout Int) -> Int? { readBlockVarint(base, &p, limit) }

    /// Decodes the entry at `nextOffset`; false at the end or on corruption.
    @inline(__always)
    private func parseNext() -> Bool {
        current = nextOffset
        if current >= limit {
            current = limit
            return false
        }
        var p = current
        guard let (shared, nonShared, vlen) = readBlockEntryHeader(base, &p, limit) else {
            corrupt("bad entry header", at: current); return false
        }
        guard shared <= keyLength, shared + nonShared >= 8, p + nonShared + vlen <= limit else {
            corrupt("bad entry lengths", at: current); return false
        }
        let newLength = shared + nonShared
        if newLength > keyCapacity {
            var cap = keyCapacity
            while cap < newLength { cap *= 2 }
            let nb = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 8)
            nb.copyMemory(from: keyBuffer, byteCount: shared)
            keyBuffer.deallocate()
            keyBuffer = nb
            keyCapacity = cap
        }
        if nonShared <= 16 && p + 16 <= blockSize && shared + 16 <= keyCapacity {
            // Two unaligned words instead of a memcpy call (the bytes past the key are scratch).
            (keyBuffer + shared).storeBytes(of: base.loadUnaligned(fromByteOffset: p, as: UInt64.self), as: UInt64.self)
            (keyBuffer + shared + 8).storeBytes(of: base.loadUnaligned(fromByteOffset: p + 8, as: UInt64.self), as: UInt64.self)
        } else {
            (keyBuffer + shared).copyMemory(from: base + p, byteCount: nonShared)
        }
        keyLength = newLength
        valueStart = p + nonShared
        valueLength = vlen
        nextOffset = valueStart + vlen
        return true
    }

    @inline(__always)
    private func restartPoint(_ i: Int) -> Int {
        Int(UInt32(littleEndian: restarts.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
    }

    private func seekToRestart(_ index: Int) {
        keyLength = 0
        let off = restartPoint(index)
        nextOffset = off
        if off > limit { corrupt("restart point past the entries", at: off) }
    }

    func seekToFirst() {
        seekToRestart(0)
        _ = parseNext()
    }

    func seekToLast() {
        seekToRestart(restartCount - 1)
        while parseNext() && nextOffset < limit {}
    }

    func next() {
        _ = parseNext()
    }

    func prev() {
        let original = current
        // The last restart point before the current entry (binary search: restart points increase).
        var lo = 0, hi = restartCount - 1, restart = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if restartPoint(mid) < original {
                restart = mid
                lo = mid + 1
            } else {
                hi = mid - 1
            }
        }
        if restart < 0 {
            current = limit
            keyLength = 0
            return
        }
        seekToRestart(restart)
        repeat {
            guard parseNext() else { return }
        } while nextOffset < original
    }

    /// The key stored at a restart point (no shared prefix there).
    @inline(__always)
    private func restartKey(_ index: Int) -> UnsafeRawBufferPointer? {
        let p = restartPoint(index)
        // Fast path: three one-byte varints.
        if p + 3 <= limit {
            let a = base.load(fromByteOffset: p, as: UInt8.self)
            let b = base.load(fromByteOffset: p + 1, as: UInt8.self)
            let c = base.load(fromByteOffset: p + 2, as: UInt8.self)
            let n = Int(b)
            if (a | b | c) < 0x80 && a == 0 && n >= 8 && p + 3 + n <= limit {
                return UnsafeRawBufferPointer(start: base + p + 3, count: n)
            }
        }
        return restartKeySlow(index)
    }

    private func restartKeySlow(_ index: Int) -> UnsafeRawBufferPointer? {
        var p = restartPoint(index)
        guard p < limit, let shared = readVarint(&p), shared == 0,
              let nonShared = readVarint(&p), nonShared >= 8, let _ = readVarint(&p), p + nonShared <= limit else {
            corrupt("bad restart entry", at: restartPoint(index))
            return nil
        }
        return UnsafeRawBufferPointer(start: base + p, count: nonShared)
    }

    /// Positions at the first entry >= `target` of a block with one entry per restart point,
    /// searching only the entries in `candidates` (see IndexWords) by full key.
    func seek(_ target: UnsafeRawBufferPointer, candidates: Range<Int>) {
        var lo = candidates.lowerBound, hi = candidates.upperBound
        // The first candidate whose key is >= target (hi if none).
        while lo < hi {
            let mid = (lo + hi) / 2
            guard let k = restartKey(mid) else { return }
            if compareInternalKeys(k, target) < 0 { lo = mid + 1 } else { hi = mid }
        }
        if lo >= restartCount {
            current = limit
            keyLength = 0
            return
        }
        seekToRestart(lo)
        _ = parseNext()
    }

    func seek(_ target: UnsafeRawBufferPointer) {
        // Binary search for the last restart point whose key is < target.
        var lo = 0
        var hi = restartCount - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            guard let k = restartKey(mid) else { return }
            if compareInternalKeys(k, target) < 0 {
                lo = mid
            } else {
                hi = mid - 1
            }
        }
        seekToRestart(lo)
        while parseNext() {
            if compareInternalKeys(key, target) >= 0 { return }
        }
    }
}
