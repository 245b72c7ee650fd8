/// Bytes copied into one allocation that is reused as long as it is large enough: for keys and
/// values an iterator copies on every step, where `[UInt8]`'s uniqueness checks and generic
/// append paths cost more than the copy. Its owner calls `deallocate()` (a struct has no deinit).
struct ReusableBytes {
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0
    private(set) var count = 0

    init() {}

    /// A view of the bytes, valid until the next `set` or `deallocate`.
    @inline(__always)
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    @inline(__always)
    mutating func set(_ source: UnsafeRawBufferPointer) {
        let n = source.count
        if n > capacity { grow(to: n) }
        if n > 0 { base!.copyMemory(from: source.baseAddress!, byteCount: n) }
        count = n
    }

    @inline(__always)
    mutating func removeAll() { count = 0 }

    private mutating func grow(to n: Int) {
        var cap = Swift.max(capacity, 32)
        while cap < n { cap *= 2 }
        base?.deallocate()
        base = .allocate(byteCount: cap, alignment: 8)
        capacity = cap
    }

    func deallocate() { base?.deallocate() }
}
