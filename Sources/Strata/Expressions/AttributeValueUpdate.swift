/// The API Reference's AttributeValueUpdate: one entry of AttributeUpdates.
public struct AttributeValueUpdate: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable { case put = "PUT", add = "ADD", delete = "DELETE" }

    public var value: AttributeValue?
    public var action: Action?

    public init(value: AttributeValue? = nil, action: Action? = nil) {
        self.value = value
        self.action = action
    }
}
