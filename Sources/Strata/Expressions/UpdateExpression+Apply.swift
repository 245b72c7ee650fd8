/// The outcome of applying an update to an item.
public struct UpdateResult: Sendable, Equatable {
    public var item: Item
    /// The paths the update wrote, in action order.
    public var updatedPaths: [DocumentPath]

    /// ReturnValues UPDATED_OLD / UPDATED_NEW: the updated paths projected from `item`
    /// (the old item or the new one).
    public func updatedAttributes(of item: Item) -> Item {
        ProjectionExpression(paths: updatedPaths).apply(to: item)
    }
}

extension UpdateExpression {
    static let missingAttribute = DynamoDBError.validation("The provided expression refers to an attribute that does not exist in the item")
    static let wrongType = DynamoDBError.validation("An operand in the update expression has an incorrect data type")
    static let invalidPath = DynamoDBError.validation("The document path provided in the update expression is invalid for update")

    /// Applies the update to `existing` (nil when there is no item yet). Every right-hand side
    /// reads the item as it was before the update, and every list index names an element of
    /// the list as it was: several SETs past the end append in index order, and REMOVEs go
    /// from the highest index down.
    ///
    /// The item is updated in place when the caller gives up its last reference to it.
    public func apply(to existing: consuming Item?) throws(DynamoDBError) -> UpdateResult {
        let exists = existing != nil
        var result = existing.take() ?? [:]
        // ADD and DELETE read the value as it was. At the top level no other action can have
        // touched it (paths are disjoint), so `result` still holds it; below the top level a
        // REMOVE of a list element may have shifted it, so a copy of the item is kept.
        let original: Item? = actions.contains(where: Self.readsNestedOldValue) ? result : nil
        var sets: [(DocumentPath, AttributeValue)] = []
        for case .set(let path, let value) in actions {
            sets.append((path, try Self.evaluate(value, result)))
        }
        if sets.count == 1 {
            try Self.assign(sets[0].1, at: sets[0].0, in: &result)
        } else {
            for (path, value) in sets.sorted(by: { Self.descending($1.0, $0.0) }) {
                try Self.assign(value, at: path, in: &result)
            }
        }

        var removals: [DocumentPath] = []
        for case .remove(let p) in actions { removals.append(p) }
        for path in removals.sorted(by: { Self.descending($0, $1) }) {
            // DynamoDB ignores a nested REMOVE on an item that does not exist.
            if !exists, !path.isTopLevel { continue }
            try Self.remove(path, in: &result)
        }

        for action in actions {
            switch action {
            case .add(let path, let operand):
                guard let existing = path.isTopLevel ? result[path.attributeName] : original.flatMap(path.value(in:)) else {
                    try Self.assign(operand, at: path, in: &result)
                    continue
                }
                try Self.assign(try add(existing, operand), at: path, in: &result)
            case .delete(let path, let operand):
                guard let existing = path.isTopLevel ? result[path.attributeName] : original.flatMap(path.value(in:)) else { continue }
                if let remaining = try Self.subtract(existing, operand) {
                    try Self.assign(remaining, at: path, in: &result)
                } else {
                    try Self.remove(path, in: &result)
                }
            case .set, .remove:
                continue
            }
        }
        return UpdateResult(item: result, updatedPaths: paths)
    }

    /// An ADD or DELETE below the top level: it must read the item as it was before the update.
    static func readsNestedOldValue(_ action: UpdateAction) -> Bool {
        switch action {
        case .add(let p, _), .delete(let p, _): !p.isTopLevel
        case .set, .remove: false
        }
    }

    static func evaluate(_ value: UpdateValue, _ item: Item) throws(DynamoDBError) -> AttributeValue {
        switch value {
        case .value(let v): return v
        case .path(let p):
            guard let v = p.value(in: item) else { throw missingAttribute }
            return v
        case .ifNotExists(let p, let fallback):
            if let v = p.value(in: item) { return v }
            return try evaluate(fallback, item)
        case .listAppend(let a, let b):
            guard case .l(let x) = try evaluate(a, item), case .l(let y) = try evaluate(b, item) else { throw wrongType }
            return .l(x + y)
        case .plus(let a, let b), .minus(let a, let b):
            guard case .n(let x) = try evaluate(a, item), case .n(let y) = try evaluate(b, item) else { throw wrongType }
            if case .plus = value { return .n(try x + y) }
            return .n(try x - y)
        }
    }

    func add(_ existing: AttributeValue, _ operand: AttributeValue) throws(DynamoDBError) -> AttributeValue {
        switch (existing, operand) {
        case (.n(let x), .n(let y)): return .n(try x + y)
        case (.ss(let x), .ss(let y)): return .ss(Self.union(x, y, by: { Array($0.utf8) }))
        case (.ns(let x), .ns(let y)): return .ns(Self.union(x, y, by: { $0 }))
        case (.bs(let x), .bs(let y)): return .bs(Self.union(x, y, by: { $0 }))
        case (.l(let x), .l(let y)) where addAppendsLists: return .l(x + y)
        default: throw Self.wrongType
        }
    }

    /// The set minus the operand's members, or nil when nothing remains.
    static func subtract(_ existing: AttributeValue, _ operand: AttributeValue) throws(DynamoDBError) -> AttributeValue? {
        func minus<T, K: Hashable>(_ x: [T], _ y: [T], by key: (T) -> K) -> [T]? {
            let drop = Set(y.map(key))
            let rest = x.filter { !drop.contains(key($0)) }
            return rest.isEmpty ? nil : rest
        }
        switch (existing, operand) {
        case (.ss(let x), .ss(let y)): return minus(x, y, by: { Array($0.utf8) }).map(AttributeValue.ss)
        case (.ns(let x), .ns(let y)): return minus(x, y, by: { $0 }).map(AttributeValue.ns)
        case (.bs(let x), .bs(let y)): return minus(x, y, by: { $0 }).map(AttributeValue.bs)
        default: throw wrongType
        }
    }

    /// Set union keeping the existing order; members compare by `key` (strings by UTF-8 bytes,
    /// numbers numerically, binaries by bytes).
    static func union<T, K: Hashable>(_ x: [T], _ y: [T], by key: (T) -> K) -> [T] {
        var seen = Set(x.map(key))
        var out = x
        for e in y where seen.insert(key(e)).inserted { out.append(e) }
        return out
    }

    static func descending(_ a: DocumentPath, _ b: DocumentPath) -> Bool {
        for (x, y) in zip(a.elements, b.elements) {
            switch (x, y) {
            case (.name(let p), .name(let q)) where p != q: return p > q
            case (.index(let p), .index(let q)) where p != q: return p > q
            default: continue
            }
        }
        return a.elements.count > b.elements.count
    }

    /// Writes `value` at `path`: the parent must exist and be a map (for a name) or a list
    /// (for an index); an index past the end appends.
    static func assign(_ value: AttributeValue, at path: DocumentPath, in item: inout Item) throws(DynamoDBError) {
        let name = path.attributeName
        if path.isTopLevel {
            item[name] = value
            return
        }
        guard let root = item[name] else { throw invalidPath }
        item[name] = try assign(value, at: path.elements.dropFirst(), in: root)
    }

    static func assign(_ value: AttributeValue, at rest: ArraySlice<DocumentPath.Element>,
                       in container: AttributeValue) throws(DynamoDBError) -> AttributeValue {
        let step = rest.first!
        let last = rest.count == 1
        switch (step, container) {
        case (.name(let k), .m(var map)):
            if last {
                map[k] = value
            } else {
                guard let child = map[k] else { throw invalidPath }
                map[k] = try assign(value, at: rest.dropFirst(), in: child)
            }
            return .m(map)
        case (.index(let i), .l(var list)):
            if last {
                if i < list.count { list[i] = value } else { list.append(value) }
            } else {
                guard i < list.count else { throw invalidPath }
                list[i] = try assign(value, at: rest.dropFirst(), in: list[i])
            }
            return .l(list)
        default:
            throw invalidPath
        }
    }

    /// Removes the value at `path`; a missing last step is no change.
    static func remove(_ path: DocumentPath, in item: inout Item) throws(DynamoDBError) {
        let name = path.attributeName
        if path.isTopLevel {
            item[name] = nil
            return
        }
        guard let root = item[name] else { throw invalidPath }
        item[name] = try remove(path.elements.dropFirst(), in: root)
    }

    static func remove(_ rest: ArraySlice<DocumentPath.Element>, in container: AttributeValue) throws(DynamoDBError) -> AttributeValue {
        let step = rest.first!
        let last = rest.count == 1
        switch (step, container) {
        case (.name(let k), .m(var map)):
            if last {
                map[k] = nil
            } else {
                guard let child = map[k] else { throw invalidPath }
                map[k] = try remove(rest.dropFirst(), in: child)
            }
            return .m(map)
        case (.index(let i), .l(var list)):
            if last {
                if i < list.count { list.remove(at: i) }
            } else {
                guard i < list.count else { throw invalidPath }
                list[i] = try remove(rest.dropFirst(), in: list[i])
            }
            return .l(list)
        default:
            throw invalidPath
        }
    }
}
