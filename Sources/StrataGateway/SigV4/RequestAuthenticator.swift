import Crypto
import HTTPTypes
import NIOCore
import StrataWire

/// Who may call the endpoint.
public enum Authentication: Sendable, Equatable {
    /// Any request, signed or not, as DynamoDB Local does; a present Authorization header must
    /// still be well-formed SigV4.
    case acceptAll
    /// Every request must carry a valid SigV4 signature by one of these access keys.
    case verify(CredentialStore)
}

/// Checks a request's SigV4 signature and answers with DynamoDB's errors:
///
/// | condition | code | message |
/// |---|---|---|
/// | no Authorization header | MissingAuthenticationTokenException | Request is missing Authentication Token |
/// | not SigV4, or a component missing | IncompleteSignatureException | AWS's wording for the defect |
/// | access key not in the credentials file | UnrecognizedClientException | The security token included in the request is invalid. |
/// | X-Amz-Date more than 15 minutes old | InvalidSignatureException | Signature expired: ... is now earlier than ... (... - 15 min.) |
/// | X-Amz-Date more than 15 minutes ahead | InvalidSignatureException | Signature not yet current: ... is still later than ... (... + 15 min.) |
/// | signature differs | InvalidSignatureException | The request signature we calculated does not match ... |
struct RequestAuthenticator: Sendable {
    var authentication: Authentication
    /// Seconds since the epoch; a parameter so tests can pin the clock to their vectors.
    var now: @Sendable () -> Int64

    static let allowedSkewSeconds: Int64 = 15 * 60

    static let signatureMismatchMessage =
        "The request signature we calculated does not match the signature you provided. "
        + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

    func authenticate(_ head: HTTPRequest, body: ByteBuffer) throws(DynamoDBError) {
        try authenticate(head, body: body, authorization: head.headerFields[.authorization])
    }

    /// `authorization` is the request's Authorization header, already looked up by the caller.
    func authenticate(_ head: HTTPRequest, body: ByteBuffer, authorization: String?) throws(DynamoDBError) {
        guard case .verify(let store) = authentication else {
            return try checkShape(authorization: authorization)
        }
        guard let authorization else {
            throw DynamoDBError(GatewayErrorCode.missingAuthenticationToken, "Request is missing Authentication Token")
        }
        let header = try AuthorizationHeader(parsing: authorization)
        guard let secret = store.secret(for: header.accessKeyID) else {
            throw DynamoDBError(GatewayErrorCode.unrecognizedClient, "The security token included in the request is invalid.")
        }
        guard header.signedHeaders.contains("host") else {
            throw AuthorizationHeader.incomplete(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
            )
        }
        guard let amzDateText = head.headerFields[Self.amzDate] else {
            throw AuthorizationHeader.incomplete(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=\(authorization)"
            )
        }
        guard let amzDate = AmzDate(amzDateText) else {
            throw AuthorizationHeader.incomplete(
                "Date must be in ISO-8601 'basic format'. Got '\(amzDateText)'. See http://en.wikipedia.org/wiki/ISO_8601"
            )
        }
        try checkFreshness(amzDate, sent: amzDateText)
        guard header.scope.date == amzDate.day else {
            throw DynamoDBError(
                GatewayErrorCode.invalidSignature,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                    + "'\(header.scope.date)' != '\(amzDate.day)', from '\(amzDateText)'."
            )
        }
        guard header.scope.terminator == "aws4_request" else {
            throw DynamoDBError(
                GatewayErrorCode.invalidSignature,
                "Credential should be scoped with a valid terminator: 'aws4_request', not '\(header.scope.terminator)'."
            )
        }
        guard header.scope.service == "dynamodb" else {
            throw DynamoDBError(
                GatewayErrorCode.invalidSignature,
                "Credential should be scoped to correct service: 'dynamodb'. "
            )
        }

        let bodyHash = body.withUnsafeReadableBytes { bytes in
            var hasher = SHA256()
            hasher.update(bufferPointer: bytes)
            return SignatureV4.hex(Array(hasher.finalize()))
        }
        let payloadHash: String
        if let declared = head.headerFields[Self.contentSHA256] {
            // UNSIGNED-PAYLOAD and the streaming forms are taken as declared; a digest must be the
            // body's.
            if declared.utf8.count == 64, declared.lowercased() != bodyHash {
                throw DynamoDBError(GatewayErrorCode.invalidSignature, Self.signatureMismatchMessage)
            }
            payloadHash = declared
        } else {
            payloadHash = bodyHash
        }

        let rawPath = head.path ?? "/"
        let path: Substring, query: Substring
        if let mark = rawPath.firstIndex(of: "?") {
            path = rawPath[..<mark]
            query = rawPath[rawPath.index(after: mark)...]
        } else {
            path = rawPath[...]
            query = ""
        }
        let headers = header.signedHeaders.map { name -> (name: String, values: [String]) in
            (name, values(of: name, in: head))
        }
        let canonical = SignatureV4.canonicalRequest(
            method: head.method.rawValue, path: String(path), query: String(query),
            headers: headers, payloadHash: payloadHash
        )
        let stringToSign = SignatureV4.stringToSign(amzDate: amzDateText, scope: header.scope, canonicalRequest: canonical)
        let expected = SignatureV4.signature(
            signingKey: SignatureV4.signingKey(secret: secret, scope: header.scope),
            stringToSign: stringToSign
        )
        guard SignatureV4.constantTimeEqual(expected, header.signature.lowercased()) else {
            throw DynamoDBError(GatewayErrorCode.invalidSignature, Self.signatureMismatchMessage)
        }
    }

    /// Accept-all mode: a present Authorization header must still be well-formed SigV4. The
    /// header's shape is checked over its UTF-8 bytes; only a header the check refuses is parsed,
    /// for the parser's error.
    func checkShape(authorization: String?) throws(DynamoDBError) {
        if let authorization, !AuthorizationHeader.isWellFormed(authorization) {
            _ = try AuthorizationHeader(parsing: authorization)
        }
    }

    private func checkFreshness(_ date: AmzDate, sent: String) throws(DynamoDBError) {
        let now = AmzDate(secondsSinceEpoch: self.now())
        let earliest = now.adding(seconds: -Self.allowedSkewSeconds)
        let latest = now.adding(seconds: Self.allowedSkewSeconds)
        if date.secondsSinceEpoch < earliest.secondsSinceEpoch {
            throw DynamoDBError(
                GatewayErrorCode.invalidSignature,
                "Signature expired: \(sent) is now earlier than \(earliest) (\(now) - 15 min.)"
            )
        }
        if date.secondsSinceEpoch > latest.secondsSinceEpoch {
            throw DynamoDBError(
                GatewayErrorCode.invalidSignature,
                "Signature not yet current: \(sent) is still later than \(latest) (\(now) + 15 min.)"
            )
        }
    }

    /// Every value of a signed header. HTTP/1.1's Host header arrives as the request's authority
    /// (HTTPTypes keeps it out of the header fields).
    private func values(of name: String, in head: HTTPRequest) -> [String] {
        if name == "host" {
            return head.authority.map { [$0] } ?? head.headerFields[values: .init("host")!]
        }
        guard let fieldName = HTTPField.Name(name) else { return [] }
        return head.headerFields[values: fieldName]
    }

    static let amzDate = HTTPField.Name("X-Amz-Date")!
    static let contentSHA256 = HTTPField.Name("X-Amz-Content-SHA256")!
}
