import StrataWire

/// The `Authorization` header of a SigV4 request:
/// `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=a;b;c, Signature=<hex>`.
/// Components are separated by commas, with or without spaces, in any order.
struct AuthorizationHeader: Equatable, Sendable {
    var accessKeyID: String
    var scope: SignatureV4.Scope
    /// Lowercased, in the order the client listed them (SigV4 requires them sorted).
    var signedHeaders: [String]
    var signature: String

    /// Throws IncompleteSignatureException with AWS's wording for a header that is not SigV4 or
    /// lacks a component.
    init(parsing value: String) throws(DynamoDBError) {
        let trimmed = value.drop(while: { $0 == " " })
        guard let space = trimmed.firstIndex(of: " ") else {
            throw Self.incomplete("Unsupported AWS 'algorithm': '\(trimmed)'")
        }
        let algorithm = trimmed[..<space]
        guard algorithm == SignatureV4.algorithm else {
            throw Self.incomplete("Unsupported AWS 'algorithm': '\(algorithm)'")
        }
        var components: [String: String] = [:]
        for part in trimmed[space...].split(separator: ",") {
            let part = part.trimmingSpaces
            guard let equals = part.firstIndex(of: "=") else {
                throw Self.incomplete("'\(part)' not a valid key=value pair (missing equal-sign) in Authorization header: '\(value)'.")
            }
            components[String(part[..<equals])] = String(part[part.index(after: equals)...])
        }
        var missing: [String] = []
        for name in ["Credential", "Signature", "SignedHeaders"] where components[name] == nil {
            missing.append("Authorization header requires '\(name)' parameter.")
        }
        guard missing.isEmpty, let credential = components["Credential"],
              let signedHeaders = components["SignedHeaders"], let signature = components["Signature"]
        else {
            throw Self.incomplete(missing.joined(separator: " ") + " Authorization=\(value)")
        }
        let elements = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard elements.count == 5, !elements[0].isEmpty else {
            throw Self.incomplete(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credential)'"
            )
        }
        self.accessKeyID = elements[0]
        self.scope = SignatureV4.Scope(date: elements[1], region: elements[2], service: elements[3], terminator: elements[4])
        self.signedHeaders = signedHeaders.split(separator: ";").map { $0.lowercased() }
        self.signature = signature
    }

    static func incomplete(_ message: String) -> DynamoDBError {
        DynamoDBError(GatewayErrorCode.incompleteSignature, message)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
