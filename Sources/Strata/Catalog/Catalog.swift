import Foundation
import Synchronization

/// The durable list of tables. Each table's metadata is one engine entry in table id 0's key
/// range: [0,0,0,0] 0x01 <table name> -> JSON; [0,0,0,0] 0x00 -> the next table id (u32 big-endian).
/// Table ids are never reused, so a dropped table's leftover keys can never surface in a new one.
final class Catalog: Sendable {
    static let metaKey: [UInt8] = [0, 0, 0, 0, 0x00]
    static let tablePrefix: [UInt8] = [0, 0, 0, 0, 0x01]

    struct State {
        var tables: [String: TableMetadata] = [:]
        var nextID: UInt32 = 1
        /// Per table id: item count and bytes, once counted.
        var counts: [UInt32: (items: Int64, bytes: Int64)] = [:]
    }

    let engine: StorageEngine
    /// Held only for moments, never across engine work: every item operation reads it (a
    /// non-blocking one too).
    let state = Mutex(State())
    /// Serializes the changes (create, update, remove), held across their synced engine writes;
    /// a change publishes into `state` once its write is durable.
    let changes = Mutex(())

    init(engine: StorageEngine) throws {
        self.engine = engine
        var s = State()
        if let meta = try engine.get(Self.metaKey), meta.count == 4 {
            s.nextID = meta.reduce(0) { $0 << 8 | UInt32($1) }
        }
        let it = try engine.makeIterator(lowerBound: Self.tablePrefix, upperBound: [0, 0, 0, 0, 0x02])
        it.seekToFirst()
        let decoder = JSONDecoder()
        while it.isValid {
            let t = try decoder.decode(TableMetadata.self, from: Data(it.value))
            s.tables[t.name] = t
            it.next()
        }
        try it.check()
        state.withLock { $0 = s }
    }

    static func key(_ name: String) -> [UInt8] { tablePrefix + Array(name.utf8) }

    func table(named name: String) -> TableMetadata? { state.withLock { $0.tables[name] } }

    var allTables: [TableMetadata] { state.withLock { Array($0.tables.values) } }

    /// Records a new table under a fresh id; false if the name is taken.
    func create(_ make: (UInt32) -> TableMetadata) throws -> TableMetadata? {
        try changes.withLock { _ -> TableMetadata? in
            // nextID and the names change only under `changes`.
            let id = state.withLock { $0.nextID }
            let t = make(id)
            guard state.withLock({ $0.tables[t.name] == nil }) else { return nil }
            var b = WriteBatch()
            b.put(Self.metaKey, KeyEncoding.tablePrefix(id + 1))
            b.put(Self.key(t.name), Array(try JSONEncoder().encode(t)))
            try engine.write(b, options: WriteOptions(sync: true))
            state.withLock { s in
                s.nextID = id + 1
                s.tables[t.name] = t
                s.counts[id] = (0, 0)
            }
            return t
        }
    }

    func update(_ t: TableMetadata) throws {
        try changes.withLock { _ in
            try engine.put(Self.key(t.name), Array(try JSONEncoder().encode(t)), options: WriteOptions(sync: true))
            state.withLock { $0.tables[t.name] = t }
        }
    }

    func remove(_ name: String) throws -> TableMetadata? {
        try changes.withLock { _ -> TableMetadata? in
            guard let t = state.withLock({ $0.tables[name] }) else { return nil }
            try engine.delete(Self.key(name), options: WriteOptions(sync: true))
            state.withLock { s in
                s.tables[name] = nil
                s.counts[t.id] = nil
            }
            return t
        }
    }

    /// Adjusts a table's item count and size after a write, if they have been counted.
    func adjust(table id: UInt32, items: Int64, bytes: Int64) {
        state.withLock { s in
            // Modified in place: one hash lookup.
            if let i = s.counts.index(forKey: id) {
                s.counts.values[i].items += items
                s.counts.values[i].bytes += bytes
            }
        }
    }

    /// A table's item count and size in bytes, counting once by a scan when first asked.
    func counts(of t: TableMetadata) throws -> (items: Int64, bytes: Int64) {
        if let c = state.withLock({ $0.counts[t.id] }) { return c }
        let prefix = KeyEncoding.tablePrefix(t.id)
        let it = try engine.makeIterator(options: ReadOptions(fillCache: false), lowerBound: prefix, upperBound: KeyEncoding.successor(of: prefix))
        var items: Int64 = 0, bytes: Int64 = 0
        it.seekToFirst()
        while it.isValid {
            items += 1
            if let item = try? ItemCodec.decode(it.value) { bytes += Int64(item.itemSize) }
            it.next()
        }
        try it.check()
        return state.withLock { s in
            if let c = s.counts[t.id] { return c }
            s.counts[t.id] = (items, bytes)
            return (items, bytes)
        }
    }
}

extension KeyEncoding {
    /// The 4 bytes every key of a table starts with.
    static func tablePrefix(_ id: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: id >> 24), UInt8(truncatingIfNeeded: id >> 16), UInt8(truncatingIfNeeded: id >> 8), UInt8(truncatingIfNeeded: id)]
    }
}
