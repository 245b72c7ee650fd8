/// An exact DynamoDB number: up to 38 significant decimal digits, magnitude 1E-130 through
/// 9.9999999999999999999999999999999999999E+125, or zero.
///
/// PLACEHOLDER API (to be completed): the representation below is a stand-in.
public struct Number: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The normalized text form DynamoDB returns ("01.50" -> "1.5").
    public let text: String

    /// Parses DynamoDB number text; throws ValidationException as DynamoDB words it.
    public init(_ string: String) throws(DynamoDBError) {
        text = string
    }

    public var description: String { text }

    public static func < (a: Number, b: Number) -> Bool { fatalError("not implemented") }
    public static func + (a: Number, b: Number) throws(DynamoDBError) -> Number { fatalError("not implemented") }
    public static func - (a: Number, b: Number) throws(DynamoDBError) -> Number { fatalError("not implemented") }
}
