import Testing
@testable import StrataGateway

/// Accept-all mode checks the Authorization header with `isWellFormed` over its bytes and parses
/// it only when that says no; so `isWellFormed` must never accept what the parser rejects.
@Suite struct AuthorizationShapeTests {
    @Test(arguments: [
        ("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd", true),
        ("AWS4-HMAC-SHA256 Signature=ff,Credential=K/20250102/r/dynamodb/aws4_request,SignedHeaders=host", true),
        ("   AWS4-HMAC-SHA256   Credential=K/d/r/s/t ,, SignedHeaders=  , Signature=", true),
        ("AWS4-HMAC-SHA256 Credential=/d/r/s/t, SignedHeaders=host, Signature=ff", false),
        ("AWS4-HMAC-SHA256 Credential=K/d/r/s, SignedHeaders=host, Signature=ff", false),
        ("AWS4-HMAC-SHA256 Credential=K/d/r/s/t/u, SignedHeaders=host, Signature=ff", false),
        ("AWS4-HMAC-SHA256 Credential=K/d/r/s/t, SignedHeaders=host", false),
        ("AWS4-HMAC-SHA256 Credential=K/d/r/s/t, Signature=ff", false),
        ("AWS4-HMAC-SHA256 Credential=K/d/r/s/t, SignedHeaders=host, Signature=ff, x", false),
        ("AWS4-HMAC-SHA256 Credential=K/d/r/s/t, SignedHeaders=host, Signature=ff, ", false),
        ("AWS4-HMAC-SHA256 Credential =K/d/r/s/t, SignedHeaders=host, Signature=ff", false),
        ("AWS4-HMAC-SHA256", false),
        ("AWS4-HMAC-SHA256 ", false),
        ("AWS4-HMAC-SHA2560 Credential=K/d/r/s/t, SignedHeaders=host, Signature=ff", false),
        ("Bearer token", false),
        ("", false),
        ("AWS4-HMAC-SHA256 Credential=K/d/r/s/t,\tSignedHeaders=host, Signature=ff", false),
        ("AWS4-HMAC-SHA256 Credential=K/d/r/s/t, SignedHeaders=host, Signature=fé", false),
    ])
    func agreesWithTheParser(value: String, wellFormed: Bool) {
        #expect(AuthorizationHeader.isWellFormed(value) == wellFormed)
        let parses = (try? AuthorizationHeader(parsing: value)) != nil
        // Accepted by the byte check implies accepted by the parser; a false answer is then parsed.
        if wellFormed { #expect(parses) }
    }
}
