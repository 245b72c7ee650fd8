extension UpdateExpression {
    /// The legacy AttributeUpdates parameter of UpdateItem: PUT (the default), ADD (numbers,
    /// sets, and appending to lists) and DELETE (the attribute, or members of a set).
    public static func attributeUpdates(_ updates: [String: AttributeValueUpdate]) throws(DynamoDBError) -> UpdateExpression {
        var actions: [UpdateAction] = []
        for name in updates.keys.sorted() {
            let u = updates[name]!
            let path = DocumentPath(attribute: name)
            let action = u.action ?? .put
            switch (action, u.value) {
            case (.delete, nil):
                actions.append(.remove(path))
            case (.delete, let v?):
                guard v.isSet else {
                    throw ComparisonOperator.invalid("DELETE action with value is not supported for the type \(v.typeDescriptor)")
                }
                actions.append(.delete(path, v))
            case (_, nil):
                throw ComparisonOperator.invalid("Only DELETE action is allowed when no attribute value is specified")
            case (.put, let v?):
                actions.append(.set(path, .value(v)))
            case (.add, let v?):
                switch v {
                case .n, .ss, .ns, .bs, .l: actions.append(.add(path, v))
                default:
                    throw ComparisonOperator.invalid("ADD action is not supported for the type \(v.typeDescriptor)")
                }
            }
        }
        var update = UpdateExpression(actions: actions)
        update.addAppendsLists = true
        return update
    }
}
