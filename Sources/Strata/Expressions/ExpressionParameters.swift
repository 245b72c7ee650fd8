/// Request-level rules on which expression parameters may appear together.
public enum ExpressionParameters {
    /// Rejects a request that sends both kinds, naming each present parameter, in the order given.
    /// For example `nonExpression: ["AttributeUpdates"], expression: ["UpdateExpression"]`.
    public static func checkNotMixed(nonExpression: [String], expression: [String]) throws(DynamoDBError) {
        guard !nonExpression.isEmpty, !expression.isEmpty else { return }
        throw .validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {\(nonExpression.joined(separator: ", "))} Expression parameters: {\(expression.joined(separator: ", "))}")
    }

    /// ExpressionAttributeNames and ExpressionAttributeValues need at least one expression.
    public static func checkAttributesNeedExpressions(names: [String: String]?, values: [String: AttributeValue]?,
                                                      anyExpression: Bool) throws(DynamoDBError) {
        guard !anyExpression else { return }
        if names != nil { throw .validation("ExpressionAttributeNames can only be specified when using expressions") }
        if values != nil { throw .validation("ExpressionAttributeValues can only be specified when using expressions") }
    }
}
