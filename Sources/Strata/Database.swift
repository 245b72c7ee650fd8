import Foundation
import Synchronization

/// How a database is opened.
public struct DatabaseOptions: Sendable {
    /// The engine's options (memtable size, block cache, compression, ...).
    public var storage = StorageOptions()
    /// Keep everything in memory (nothing on disk; flush and compaction run on the writing thread).
    public var inMemory = false
    /// Sync the write-ahead log before acknowledging each write.
    public var sync = false
    /// Used in ARNs.
    public var region = "us-east-1"
    public var accountID = "000000000000"
    /// How often a background thread deletes items whose time to live has passed (nil, the
    /// default for embedded use: never; call `expireItems()` yourself). strata-server sets 60.
    public var timeToLiveSweepSeconds: Double?
    public init() {}
}

/// A DynamoDB-compatible database embedded in the process: tables of items on a StrataStorage
/// engine. Operations take the API Reference's inputs and return its outputs; they are
/// synchronous and thread-safe (async variants wrap them).
public final class Database: Sendable {
    let engine: StorageEngine
    let options: DatabaseOptions
    let catalog: Catalog
    let locks = ItemLocks()
    let idempotency = IdempotencyCache()
    let expressions = ExpressionCache()
    let closed = Atomic<Bool>(false)

    /// Opens (or creates) the database in `path` (ignored with `inMemory`).
    public static func open(at path: String, options: DatabaseOptions = DatabaseOptions()) throws -> Database {
        var storage = options.storage
        storage.syncByDefault = options.sync
        if options.inMemory {
            // In memory, flushing and compacting are memory copies: the writing thread does
            // them, and an in-memory database owns no threads (tests open hundreds).
            storage.backgroundWork = false
            storage.fileSystem = MemoryFileSystem()
            let engine = try StorageEngine.open(at: "/strata", options: storage)
            return try Database(engine: engine, options: options)
        }
        let engine = try StorageEngine.open(at: path, options: storage)
        return try Database(engine: engine, options: options)
    }

    init(engine: StorageEngine, options: DatabaseOptions) throws {
        self.engine = engine
        self.options = options
        catalog = try Catalog(engine: engine)
        if let interval = options.timeToLiveSweepSeconds, interval > 0 { startTimeToLiveSweeper(every: interval) }
    }

    public func close() throws {
        closed.store(true, ordering: .relaxed)
        try engine.close()
    }

    /// A thread that runs `expireItems()` every `interval` seconds until the database closes.
    private func startTimeToLiveSweeper(every interval: Double) {
        let thread = Thread { [weak self] in
            var waited = 0.0
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                // Holds the database only while it works, so an unreachable one is not kept alive.
                guard let db = self, !db.closed.load(ordering: .relaxed) else { return }
                waited += 0.25
                if waited >= interval {
                    waited = 0
                    _ = try? db.expireItems()
                }
            }
        }
        thread.name = "strata-ttl"
        thread.start()
    }

    /// The underlying engine (statistics, compaction).
    public var storage: StorageEngine { engine }

    // MARK: helpers shared by the operations

    func table(_ name: String?) throws(DynamoDBError) -> TableMetadata {
        guard let name, let t = catalog.table(named: name) else {
            throw DynamoDBError(.resourceNotFound, "Requested resource not found")
        }
        return t
    }

    /// Runs engine work, turning engine errors into InternalServerError (and a non-blocking
    /// read's or write's `.wouldBlock` into `.wouldWait`).
    func storage<T>(_ body: () throws -> T) throws(DynamoDBError) -> T {
        do {
            return try body()
        } catch let e as DynamoDBError {
            throw e
        } catch let e as StorageError where e.code == .wouldBlock {
            throw DynamoDBError.wouldWait
        } catch {
            throw DynamoDBError(.internalServerError, "Internal server error")
        }
    }

    func readItem(_ key: [UInt8], snapshot: Snapshot? = nil, nonBlocking: Bool = false) throws(DynamoDBError) -> Item? {
        let bytes = try storage { try engine.get(key, options: ReadOptions(snapshot: snapshot, nonBlocking: nonBlocking)) }
        guard let bytes else { return nil }
        return try ItemCodec.decode(bytes)
    }

    /// The stored item's size (`Item.itemSize`), nil when there is none; the item is not decoded.
    func readItemSize(_ key: [UInt8], nonBlocking: Bool = false) throws(DynamoDBError) -> Int? {
        let bytes = try storage { try engine.get(key, options: ReadOptions(nonBlocking: nonBlocking)) }
        guard let bytes else { return nil }
        return try ItemCodec.itemSize(ofEncoded: bytes)
    }

    func write(_ batch: WriteBatch) throws(DynamoDBError) {
        try storage { try engine.write(batch) }
    }
}

/// Striped locks that make each item's read-check-write atomic with respect to other writers of
/// that item; multi-item operations take their stripes in ascending order.
final class ItemLocks: Sendable {
    final class Stripe: Sendable {
        let mutex = Mutex(())
        func withLock<T>(_ body: () throws(DynamoDBError) -> T) throws(DynamoDBError) -> T {
            try mutex.withLock { _ throws(DynamoDBError) -> T in try body() }
        }

        /// `body` under the lock if no other thread holds it; `.wouldWait` otherwise.
        func withLockIfAvailable<T>(_ body: () throws(DynamoDBError) -> T) throws(DynamoDBError) -> T {
            guard let result = try mutex.withLockIfAvailable({ _ throws(DynamoDBError) -> T in try body() }) else {
                throw DynamoDBError.wouldWait
            }
            return result
        }
    }

    static let stripeCount = 1024
    let stripes: [Stripe]

    init() {
        var s: [Stripe] = []
        for _ in 0..<Self.stripeCount { s.append(Stripe()) }
        stripes = s
    }

    func stripe(for key: [UInt8]) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(h % UInt64(Self.stripeCount))
    }

    /// `nonBlocking`: only if no other thread holds the key's stripe (else `.wouldWait`): a
    /// holder may be waiting for the disk.
    func withLock<T>(_ key: [UInt8], nonBlocking: Bool = false, _ body: () throws(DynamoDBError) -> T) throws(DynamoDBError) -> T {
        let stripe = stripes[stripe(for: key)]
        return nonBlocking ? try stripe.withLockIfAvailable(body) : try stripe.withLock(body)
    }

    /// Holds the stripes of all `keys` (deduplicated, ascending) while `body` runs.
    func withLocks<T>(_ keys: [[UInt8]], _ body: () throws(DynamoDBError) -> T) throws(DynamoDBError) -> T {
        let order = Array(Set(keys.map(stripe(for:)))).sorted()
        return try nest(order[...], body)
    }

    private func nest<T>(_ rest: ArraySlice<Int>, _ body: () throws(DynamoDBError) -> T) throws(DynamoDBError) -> T {
        guard let first = rest.first else { return try body() }
        return try stripes[first].withLock { () throws(DynamoDBError) -> T in try nest(rest.dropFirst(), body) }
    }
}

/// Remembers TransactWriteItems client request tokens for ten minutes (DynamoDB's window).
final class IdempotencyCache: Sendable {
    struct Entry: Sendable {
        var fingerprint: [UInt8]
        var time: Double
    }
    let entries = Mutex<[String: Entry]>([:])
}
