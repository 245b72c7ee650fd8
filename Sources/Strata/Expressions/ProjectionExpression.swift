/// A parsed ProjectionExpression (or the legacy AttributesToGet): the document paths to return.
public struct ProjectionExpression: Sendable, Hashable {
    public var paths: [DocumentPath]

    public init(paths: [DocumentPath]) { self.paths = paths }

    /// Parses comma-separated document paths; overlapping or conflicting paths are rejected.
    public static func parse(_ text: String, attributes: inout ExpressionAttributes) throws(DynamoDBError) -> ProjectionExpression {
        var parser = try Parser(text, kind: .projection, attributes: attributes)
        var paths = [try parser.parsePath()]
        while parser.current.isSymbol(",") {
            parser.advance()
            paths.append(try parser.parsePath())
        }
        parser.checkDisjoint(paths)
        try parser.finish()
        attributes = parser.attributes
        return ProjectionExpression(paths: paths)
    }

    /// The legacy AttributesToGet: each name is one top-level attribute, taken literally.
    public static func attributesToGet(_ names: [String]) throws(DynamoDBError) -> ProjectionExpression {
        var seen: Set<String> = []
        for n in names where !seen.insert(n).inserted {
            throw .validation("One or more parameter values were invalid: Duplicate value in attribute name: \(n)")
        }
        return ProjectionExpression(paths: names.map { DocumentPath(attribute: $0) })
    }

    /// The top-level attributes the projection reads (for index projections and key checks).
    public var attributeNames: Set<String> { Set(paths.map(\.attributeName)) }

    /// The projected item: each path's value at its place, maps keeping only projected keys
    /// and lists keeping only projected elements, compacted in index order. Missing paths
    /// contribute nothing.
    public func apply(to item: Item) -> Item {
        let tree = ProjectionTree(paths)
        var result: Item = [:]
        for (name, child) in tree.names {
            if let v = item[name], let projected = child.apply(to: v) { result[name] = projected }
        }
        return result
    }
}

/// The projected paths as a tree: at each step either map keys or list indexes.
struct ProjectionTree {
    var whole = false
    var names: [String: ProjectionTree] = [:]
    var indexes: [Int: ProjectionTree] = [:]

    init() {}

    init(_ paths: [DocumentPath]) {
        for p in paths { insert(p.elements[...]) }
    }

    mutating func insert(_ rest: ArraySlice<DocumentPath.Element>) {
        guard let first = rest.first else {
            whole = true
            return
        }
        switch first {
        case .name(let n): names[n, default: ProjectionTree()].insert(rest.dropFirst())
        case .index(let i): indexes[i, default: ProjectionTree()].insert(rest.dropFirst())
        }
    }

    func apply(to value: AttributeValue) -> AttributeValue? {
        if whole { return value }
        switch value {
        case .m(let map) where !names.isEmpty:
            var out: [String: AttributeValue] = [:]
            for (k, child) in names {
                if let v = map[k], let p = child.apply(to: v) { out[k] = p }
            }
            return out.isEmpty ? nil : .m(out)
        case .l(let list) where !indexes.isEmpty:
            var out: [AttributeValue] = []
            for i in indexes.keys.sorted() where i < list.count {
                if let p = indexes[i]!.apply(to: list[i]) { out.append(p) }
            }
            return out.isEmpty ? nil : .l(out)
        default:
            return nil
        }
    }
}
