import HTTPTypes

/// The request headers the gateway reads, found in one pass over the fields. `HTTPFields`'
/// subscript joins every value of a name with ", " (generic and allocating) at each lookup; a
/// repeated header still gets exactly that joined value.
struct RequestHeaders {
    var target: String?
    var contentLength: String?
    var contentEncoding: String?
    var acceptEncoding: String?
    var authorization: String?

    init(_ fields: HTTPFields) {
        var repeated = false
        func take(_ slot: inout String?, _ value: String) {
            if slot != nil { repeated = true }
            slot = value
        }
        for field in fields {
            switch field.name {
            case DynamoDBGateway.HeaderName.target: take(&target, field.value)
            case .contentLength: take(&contentLength, field.value)
            case .contentEncoding: take(&contentEncoding, field.value)
            case .acceptEncoding: take(&acceptEncoding, field.value)
            case .authorization: take(&authorization, field.value)
            default: continue
            }
        }
        if repeated {
            target = fields[DynamoDBGateway.HeaderName.target]
            contentLength = fields[.contentLength]
            contentEncoding = fields[.contentEncoding]
            acceptEncoding = fields[.acceptEncoding]
            authorization = fields[.authorization]
        }
    }
}
