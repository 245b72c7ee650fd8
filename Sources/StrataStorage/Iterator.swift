/// An iterator over internal entries (internal key, value), in internal-key order.
/// `key` and `value` are views valid until the iterator moves.
protocol InternalIterator: AnyObject {
    var isValid: Bool { get }
    func seekToFirst()
    func seekToLast()
    /// Positions at the first entry whose internal key is >= `target`.
    func seek(_ target: UnsafeRawBufferPointer)
    func next()
    func prev()
    var key: UnsafeRawBufferPointer { get }
    var value: UnsafeRawBufferPointer { get }
    /// A read or checksum failure that ended iteration.
    var error: StorageError? { get }
}

extension InternalIterator {
    func seek(_ target: [UInt8]) { target.withUnsafeBytes { seek($0) } }
}

/// Iterates nothing, or reports one error.
final class EmptyIterator: InternalIterator {
    let error: StorageError?
    init(error: StorageError? = nil) { self.error = error }
    var isValid: Bool { false }
    func seekToFirst() {}
    func seekToLast() {}
    func seek(_ target: UnsafeRawBufferPointer) {}
    func next() {}
    func prev() {}
    var key: UnsafeRawBufferPointer { fatalError("invalid iterator") }
    var value: UnsafeRawBufferPointer { fatalError("invalid iterator") }
}

/// An iterator's error behind one reference, so resetting an iterator with no error is a pointer
/// store rather than the destruction of an optional `StorageError`.
final class ErrorBox {
    let error: StorageError
    init(_ error: StorageError) { self.error = error }
}
