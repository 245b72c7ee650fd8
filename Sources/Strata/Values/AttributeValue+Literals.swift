/// Swift literals for attribute values, so an item reads like its JSON:
///
///     let item: Item = ["id": "u1", "age": 42, "score": 4.5, "admin": false,
///                       "tags": ["a", "b"], "address": ["city": "Oslo"], "note": .null]
///
/// A string is S, an integer or a float literal is N, a Boolean is BOOL, an array is L and a
/// dictionary is M. Sets have no literal; write `.ss([...])`.
///
/// There is deliberately no `nil` literal for NULL: with one, `nil` in any
/// `AttributeValue?` context that is not plainly Optional (a ternary, a generic) silently becomes
/// `.some(.null)` instead of "absent", and a missing attribute is `nil` throughout this layer.
extension AttributeValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .s(value) }
}

extension AttributeValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .n(Number(value)) }
}

extension AttributeValue: ExpressibleByFloatLiteral {
    /// The literal's shortest decimal spelling ("4.5", "1e-05"); it must be in DynamoDB's range.
    public init(floatLiteral value: Double) {
        precondition(value.isFinite, "a Number literal must be finite")
        do {
            self = .n(try Number("\(value)"))
        } catch {
            preconditionFailure("\(value) is not a DynamoDB number: \(error.message)")
        }
    }
}

extension AttributeValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension AttributeValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: AttributeValue...) { self = .l(elements) }
}

extension AttributeValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, AttributeValue)...) {
        self = .m(Dictionary(elements, uniquingKeysWith: { _, _ in
            preconditionFailure("duplicate key in a map literal")
        }))
    }
}
