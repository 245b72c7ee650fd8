/// A document path: a top-level attribute name followed by map keys and list indexes
/// (`a.b[3].c`), with every `#name` placeholder already replaced by its attribute name.
public struct DocumentPath: Hashable, Sendable, CustomStringConvertible {
    public enum Element: Hashable, Sendable {
        case name(String)
        case index(Int)
    }

    public var elements: [Element]

    public init(_ elements: [Element]) {
        precondition(!elements.isEmpty, "a document path has at least one element")
        if case .index = elements[0] { preconditionFailure("a document path starts with a name") }
        self.elements = elements
    }

    /// A path naming one top-level attribute.
    public init(attribute name: String) { elements = [.name(name)] }

    /// The top-level attribute the path starts with.
    public var attributeName: String {
        guard case .name(let n) = elements[0] else { preconditionFailure() }
        return n
    }

    public var isTopLevel: Bool { elements.count == 1 }

    /// DynamoDB's rendering in error messages: `[a, b, [3]]`.
    public var description: String {
        "[" + elements.map { e -> String in
            switch e {
            case .name(let n): n
            case .index(let i): "[\(i)]"
            }
        }.joined(separator: ", ") + "]"
    }

    /// The value at this path in `item`, or nil when any step is missing or of the wrong type.
    public func value(in item: Item) -> AttributeValue? {
        guard var current = item[attributeName] else { return nil }
        for element in elements.dropFirst() {
            switch (element, current) {
            case (.name(let n), .m(let map)):
                guard let next = map[n] else { return nil }
                current = next
            case (.index(let i), .l(let list)):
                guard i < list.count else { return nil }
                current = list[i]
            default:
                return nil
            }
        }
        return current
    }
}

extension DocumentPath {
    enum Relation { case disjoint, overlap, conflict }

    /// DynamoDB's rule for two paths in one update or projection: equal or prefix paths overlap;
    /// paths that use a name at a step where the other uses an index (or the reverse) conflict.
    func relation(to other: DocumentPath) -> Relation {
        for (a, b) in zip(elements, other.elements) {
            switch (a, b) {
            case (.name(let x), .name(let y)): if x != y { return .disjoint }
            case (.index(let x), .index(let y)): if x != y { return .disjoint }
            default: return .conflict
            }
        }
        return .overlap
    }
}
