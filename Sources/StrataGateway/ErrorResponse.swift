import Foundation
import HTTPTypes
import StrataWire

/// An error answered the way DynamoDB answers it: a status and a JSON body
/// `{"__type":"<namespace>#<Code>","message":"..."}`, plus `Item` for ConditionalCheckFailedException
/// (ReturnValuesOnConditionCheckFailure) and `CancellationReasons` for TransactionCanceledException.
///
/// What DynamoDB does, and this copies:
/// - the namespace before `#` depends on where in AWS's stack the error arises: request validation
///   (`com.amazon.coral.validate`), the protocol and authentication layer (`com.amazon.coral.service`),
///   or DynamoDB itself (`com.amazonaws.dynamodb.v20120810`). Clients read only the part after `#`.
/// - the message member is `Message` for SerializationException and TransactionCanceledException and
///   `message` for every other error; botocore reads either.
/// - an error with nothing to say (UnknownOperationException) has no message member.
struct ErrorResponse: Sendable {
    var status: HTTPResponse.Status
    var body: [UInt8]

    init(_ error: DynamoDBError) {
        self.status = Self.status(for: error.code)
        self.body = Self.encode(error)
    }

    /// The answer to an error that is not a DynamoDBError: a bug or an environment failure whose
    /// details (paths, types) stay in the server's log.
    static let internalServerError = ErrorResponse(
        DynamoDBError(.internalServerError, "Internal server error")
    )

    static func status(for code: DynamoDBError.Code) -> HTTPResponse.Status {
        switch code.name {
        case "InternalServerError", "InternalFailure": .internalServerError
        case "ServiceUnavailable": .serviceUnavailable
        case GatewayErrorCode.requestEntityTooLarge.name: .contentTooLarge
        default: .badRequest
        }
    }

    static func namespace(for code: DynamoDBError.Code) -> String {
        switch code.name {
        case "ValidationException":
            "com.amazon.coral.validate"
        case "SerializationException", "UnknownOperationException", "MissingAuthenticationTokenException",
            "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException",
            "AccessDeniedException", "ExpiredTokenException", "ThrottlingException":
            "com.amazon.coral.service"
        default:
            "com.amazonaws.dynamodb.v20120810"
        }
    }

    static func messageKey(for code: DynamoDBError.Code) -> String {
        switch code.name {
        case "SerializationException", "TransactionCanceledException": "Message"
        default: "message"
        }
    }

    static func encode(_ error: DynamoDBError) -> [UInt8] {
        let body = Body(
            type: namespace(for: error.code) + "#" + error.code.name,
            messageKey: messageKey(for: error.code),
            message: error.message.isEmpty ? nil : error.message,
            item: error.item,
            reasons: error.cancellationReasons
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        if let data = try? encoder.encode(body) {
            return Array(data)
        }
        // An item that cannot be encoded cannot happen (AttributeValue always encodes); keep the
        // code and drop the rest rather than answer nothing.
        return Array(#"{"__type":"\#(body.type)"}"#.utf8)
    }

    private struct Body: Encodable {
        var type: String
        var messageKey: String
        var message: String?
        var item: [String: AttributeValue]?
        var reasons: [DynamoDBError.CancellationReason]?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(type, forKey: Key("__type"))
            if let message { try container.encode(message, forKey: Key(messageKey)) }
            if let item { try container.encode(item, forKey: Key("Item")) }
            if let reasons { try container.encode(reasons.map(Reason.init), forKey: Key("CancellationReasons")) }
        }
    }

    /// One of CancellationReasons: `{"Code":"None"}`, `{"Code":"ConditionalCheckFailed","Message":"...","Item":{...}}`.
    private struct Reason: Encodable {
        var reason: DynamoDBError.CancellationReason

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(reason.code, forKey: Key("Code"))
            if let message = reason.message { try container.encode(message, forKey: Key("Message")) }
            if let item = reason.item { try container.encode(item, forKey: Key("Item")) }
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { self.stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
