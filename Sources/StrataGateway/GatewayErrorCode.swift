import StrataWire

/// Codes the gateway itself answers with, before a request reaches the service. They are spelled
/// as DynamoDB spells them; none of them is an operation's error, so they live here rather than
/// among `DynamoDBError.Code`'s members.
enum GatewayErrorCode {
    static let unknownOperation = DynamoDBError.Code("UnknownOperationException")
    static let missingAuthenticationToken = DynamoDBError.Code("MissingAuthenticationTokenException")
    static let unrecognizedClient = DynamoDBError.Code("UnrecognizedClientException")
    static let invalidSignature = DynamoDBError.Code("InvalidSignatureException")
    static let incompleteSignature = DynamoDBError.Code("IncompleteSignatureException")
    /// Not a DynamoDB code (DynamoDB's own limit is far below any body this server refuses); the
    /// 413 status is what clients act on.
    static let requestEntityTooLarge = DynamoDBError.Code("RequestEntityTooLarge")
}
