import NIOHTTP1

/// The request headers the gateway reads, found in one pass over the fields (header names are
/// compared without regard to case, as HTTP wants). A repeated header gets its values joined with
/// ", ", as HTTPTypes' `HTTPFields` subscript joins them.
struct RequestHeaders {
    var target: String?
    var contentLength: String?
    var contentEncoding: String?
    var acceptEncoding: String?
    var authorization: String?

    init(_ headers: HTTPHeaders) {
        var repeated = false
        func take(_ slot: inout String?, _ value: String) {
            if slot != nil { repeated = true }
            slot = value
        }
        for (name, value) in headers {
            switch name.utf8.count {
            case 12 where Self.matches(name, "x-amz-target"): take(&target, value)
            case 14 where Self.matches(name, "content-length"): take(&contentLength, value)
            case 16 where Self.matches(name, "content-encoding"): take(&contentEncoding, value)
            case 15 where Self.matches(name, "accept-encoding"): take(&acceptEncoding, value)
            case 13 where Self.matches(name, "authorization"): take(&authorization, value)
            default: continue
            }
        }
        if repeated {
            func joined(_ name: String) -> String? {
                let values = headers[name]
                return values.isEmpty ? nil : values.joined(separator: ", ")
            }
            target = joined("x-amz-target")
            contentLength = joined("content-length")
            contentEncoding = joined("content-encoding")
            acceptEncoding = joined("accept-encoding")
            authorization = joined("authorization")
        }
    }

    /// Whether `name` is `lowercased` (lowercase ASCII, same length) without regard to ASCII case.
    static func matches(_ name: String, _ lowercased: StaticString) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard bytes.count == lowercased.utf8CodeUnitCount else { return false }
            let expected = lowercased.utf8Start
            for i in 0..<bytes.count {
                var byte = bytes[i]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
                if byte != expected[i] { return false }
            }
            return true
        }
    }
}
