import Foundation

extension Database {
    /// Deletes the items whose time-to-live attribute (a Number of seconds since 1970) is at or
    /// before `now`, in every table with TTL enabled, as DynamoDB's background TTL process does.
    /// Items with a missing or non-numeric TTL attribute, or one more than five years in the
    /// past (DynamoDB ignores those), are kept. Returns how many items were deleted.
    ///
    /// Until it runs, expired items are still returned by reads, as in DynamoDB.
    @discardableResult
    public func expireItems(now: Date = Date()) throws(DynamoDBError) -> Int {
        let nowSeconds = now.timeIntervalSince1970
        let oldest = nowSeconds - 5 * 365 * 24 * 3600
        var deleted = 0
        for table in catalog.allTables {
            guard let ttl = table.timeToLive, ttl.enabled else { continue }
            let prefix = KeyEncoding.tablePrefix(table.id)
            var expired: [[UInt8]] = []
            try storage {
                let it = try engine.makeIterator(options: ReadOptions(fillCache: false), lowerBound: prefix,
                                                 upperBound: KeyEncoding.successor(of: prefix))
                it.seekToFirst()
                while it.isValid {
                    if let item = try? ItemCodec.decode(it.value), case .n(let n)? = item[ttl.attributeName],
                       let t = Double(n.description), t <= nowSeconds, t >= oldest {
                        expired.append(it.key)
                    }
                    it.next()
                }
                try it.check()
            }
            for key in expired {
                // Re-check under the item's lock: it may have been rewritten since the scan.
                try locks.withLock(key) { () throws(DynamoDBError) in
                    guard let item = try readItem(key), case .n(let n)? = item[ttl.attributeName],
                          let t = Double(n.description), t <= nowSeconds, t >= oldest else { return }
                    try store(table, key: key, old: item, new: nil)
                    deleted += 1
                }
            }
        }
        return deleted
    }
}
