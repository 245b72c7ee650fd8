/// Which request parameter an expression came from; DynamoDB names it in every message
/// ("Invalid UpdateExpression: ...").
public enum ExpressionKind: String, Sendable, Hashable {
    case condition = "ConditionExpression"
    case filter = "FilterExpression"
    case keyCondition = "KeyConditionExpression"
    case projection = "ProjectionExpression"
    case update = "UpdateExpression"

    func error(_ detail: String) -> DynamoDBError {
        .validation("Invalid \(rawValue): \(detail)")
    }
}
