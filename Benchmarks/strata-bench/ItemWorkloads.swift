import Foundation
import Strata
import Synchronization

/// The item database of the item workloads (its own directory beside --db).
let itemDatabase = Mutex<Database?>(nil)

extension Runner {
    var itemsPath: String { config.db + "-items" }
    static let itemTable = "bench"

    func freshItemDatabase() throws -> Database {
        try closeItemDatabase()
        try? FileManager.default.removeItem(atPath: itemsPath)
        var o = DatabaseOptions()
        o.storage = config.storageOptions
        o.sync = config.sync
        let db = try Database.open(at: itemsPath, options: o)
        _ = try db.createTable(CreateTableInput(
            tableName: Self.itemTable,
            attributeDefinitions: [AttributeDefinition(attributeName: "pk", attributeType: .s),
                                   AttributeDefinition(attributeName: "sk", attributeType: .n)],
            keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash),
                        KeySchemaElement(attributeName: "sk", keyType: .range)]))
        itemDatabase.withLock { $0 = db }
        return db
    }

    func openItemDatabase() throws -> Database {
        if let db = itemDatabase.withLock({ $0 }) { return db }
        var o = DatabaseOptions()
        o.storage = config.storageOptions
        let db = try Database.open(at: itemsPath, options: o)
        itemDatabase.withLock { $0 = db }
        return db
    }

    func closeItemDatabase() throws {
        if let db = itemDatabase.withLock({ d -> Database? in defer { d = nil }; return d }) { try db.close() }
    }

    /// Item `i` lives in partition i / 100 at sort key i % 100. Built without text formatting
    /// or number parsing, so that the loop around a call costs little beside the call.
    static func itemKey(_ i: Int) -> Item {
        var key = Item(minimumCapacity: 2)
        key["pk"] = .s(partitionName(i / 100))
        key["sk"] = .n(Number(i % 100))
        return key
    }

    /// "p" and the partition number in nine digits ("p000001234").
    static func partitionName(_ p: Int) -> String {
        guard p >= 0, p < 1_000_000_000 else { return "p" + String(p) }
        return String(unsafeUninitializedCapacity: 10) { buffer in
            buffer[0] = UInt8(ascii: "p")
            var rest = p
            for i in stride(from: 9, through: 1, by: -1) {
                buffer[i] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            return 10
        }
    }

    func runItemWorkload(_ w: Workload) throws -> WorkloadResult {
        let num = config.num, n = config.threads, vsize = config.valueSize
        let table = Self.itemTable
        switch w {
        case .putitem:
            let perm = makePermutation(num, seed: Seed.fillrandom)
            let db = try freshItemDatabase()
            let recs = try onThreads("putitem", total: num) { t, rec, values in
                for i in slice(num, t, n) {
                    values.next()
                    var item = Self.itemKey(Int(perm[i]))
                    item["v"] = .b(values.value)
                    let input = PutItemInput(tableName: table, item: item)
                    _ = try rec.measure { try db.putItem(input) }
                    rec.bytes += 16 + vsize
                }
            }
            return itemResult(w, recs, db)
        case .getitem:
            let db = try openItemDatabase()
            let reads = config.reads
            let found = Atomic<Int>(0)
            let recs = try onThreads("getitem", total: reads) { t, rec, _ in
                var rng = SplitMix64(seed: Seed.readrandom &+ UInt64(t))
                var hits = 0
                for _ in slice(reads, t, n) {
                    let i = Int(rng.next() % UInt64(num))
                    let input = GetItemInput(tableName: table, key: Self.itemKey(i))
                    let out = try rec.measure { try db.getItem(input) }
                    if out.item != nil { hits += 1 }
                    rec.bytes += 16 + vsize
                }
                found.add(hits, ordering: .relaxed)
            }
            var r = itemResult(w, recs, db)
            r.notes = "found=\(found.load(ordering: .relaxed))/\(reads)"
            return r
        case .updateitem:
            let db = try openItemDatabase()
            let reads = config.reads
            let recs = try onThreads("updateitem", total: reads) { t, rec, _ in
                var rng = SplitMix64(seed: Seed.readrandom &+ 7 &+ UInt64(t))
                for _ in slice(reads, t, n) {
                    let i = Int(rng.next() % UInt64(num))
                    let input = UpdateItemInput(tableName: table, key: Self.itemKey(i), updateExpression: "ADD c :one",
                                                expressionAttributeValues: [":one": .n(try! Number("1"))])
                    _ = try rec.measure { try db.updateItem(input) }
                    rec.bytes += 16 + vsize
                }
            }
            return itemResult(w, recs, db)
        case .query, .scan:
            return try runPagedItemWorkload(w)
        default:
            fatalError("not an item workload: \(w)")
        }
    }

    func itemResult(_ w: Workload, _ recs: [Recorder], _ db: Database) -> WorkloadResult {
        var r = WorkloadResult(name: w.rawValue, threads: config.threads, recorders: recs, notes: "")
        r.processCPUMicrosPerOp = Double(lastProcessCPUNanos) / 1000 / Double(max(r.ops, 1))
        r.addEngineState(db.storage.statistics(), since: nil, dir: itemsPath)
        return r
    }
}

extension Runner {
    /// query: a random 100-item partition read 10 items a page until its end (each page is an
    /// operation). scan: the whole table, 100 items a page.
    func runPagedItemWorkload(_ w: Workload) throws -> WorkloadResult {
        let db = try openItemDatabase()
        let num = config.num, n = config.threads
        let table = Self.itemTable
        let itemsRead = Atomic<Int>(0)
        if w == .query {
            let partitions = max(1, num / 100)
            let queries = max(1, config.reads / 100)
            let recs = try onThreads("query", total: queries) { t, rec, _ in
                var rng = SplitMix64(seed: Seed.seekrandom &+ UInt64(t))
                var read = 0
                for _ in slice(queries, t, n) {
                    let p = Int(rng.next() % UInt64(partitions))
                    var input = QueryInput(tableName: table, keyConditionExpression: "pk = :p",
                                           expressionAttributeValues: [":p": .s(Self.partitionName(p))], limit: 10)
                    repeat {
                        let page = try rec.measure { try db.query(input) }
                        read += page.count
                        input.exclusiveStartKey = page.lastEvaluatedKey
                    } while input.exclusiveStartKey != nil
                }
                itemsRead.add(read, ordering: .relaxed)
            }
            var r = itemResult(w, recs, db)
            r.notes = "items=\(itemsRead.load(ordering: .relaxed)) pages=\(r.ops)"
            return r
        }
        let recs = try onThreads("scan", total: num / 100) { t, rec, _ in
            guard t == 0 else { return }
            var input = ScanInput(tableName: table, limit: 100)
            var read = 0
            repeat {
                let page = try rec.measure { try db.scan(input) }
                read += page.count
                input.exclusiveStartKey = page.lastEvaluatedKey
            } while input.exclusiveStartKey != nil
            itemsRead.add(read, ordering: .relaxed)
        }
        var r = itemResult(w, recs, db)
        r.notes = "items=\(itemsRead.load(ordering: .relaxed)) pages=\(r.ops)"
        return r
    }
}
