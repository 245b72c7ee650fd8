/// The error the item layer throws, with AWS's error codes spelled as AWS spells them and
/// DynamoDB's message wording.
public struct DynamoDBError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let validation = Code("ValidationException")
        public static let conditionalCheckFailed = Code("ConditionalCheckFailedException")
        public static let resourceNotFound = Code("ResourceNotFoundException")
        public static let resourceInUse = Code("ResourceInUseException")
        public static let transactionCanceled = Code("TransactionCanceledException")
        public static let transactionConflict = Code("TransactionConflictException")
        public static let idempotentParameterMismatch = Code("IdempotentParameterMismatchException")
        public static let itemCollectionSizeLimitExceeded = Code("ItemCollectionSizeLimitExceededException")
        public static let limitExceeded = Code("LimitExceededException")
        public static let serialization = Code("SerializationException")
        public static let internalServerError = Code("InternalServerError")
    }

    /// One entry of TransactionCanceledException's CancellationReasons.
    public struct CancellationReason: Sendable, Equatable {
        public var code: String
        public var message: String?
        public var item: [String: AttributeValue]?
        public init(code: String, message: String? = nil, item: [String: AttributeValue]? = nil) {
            self.code = code
            self.message = message
            self.item = item
        }
    }

    public var code: Code
    public var message: String
    /// ConditionalCheckFailedException with ReturnValuesOnConditionCheckFailure=ALL_OLD.
    public var item: [String: AttributeValue]?
    public var cancellationReasons: [CancellationReason]?

    public init(_ code: Code, _ message: String, item: [String: AttributeValue]? = nil,
                cancellationReasons: [CancellationReason]? = nil) {
        self.code = code
        self.message = message
        self.item = item
        self.cancellationReasons = cancellationReasons
    }

    public static func validation(_ message: String) -> DynamoDBError { DynamoDBError(.validation, message) }

    public var description: String { "\(code): \(message)" }
}
