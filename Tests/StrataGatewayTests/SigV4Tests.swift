import Testing
@testable import StrataGateway

@Suite struct SignatureV4Tests {
    /// The signing-key example of the AWS General Reference ("Examples of how to derive a signing key").
    @Test func derivesTheDocumentedSigningKey() {
        let key = SignatureV4.signingKey(
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            scope: .init(date: "20120215", region: "us-east-1", service: "iam", terminator: "aws4_request")
        )
        let bytes = key.withUnsafeBytes { Array($0) }
        #expect(SignatureV4.hex(bytes) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    @Test func hashesTheEmptyPayload() {
        #expect(SignatureV4.hexSHA256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test(arguments: [("", "/"), ("/", "/"), ("/a b", "/a%20b"), ("/a%2Fb", "/a%252Fb"), ("/~x-_.", "/~x-_.")])
    func encodesThePathOnceMore(path: String, canonical: String) {
        #expect(SignatureV4.canonicalURI(path) == canonical)
    }

    @Test func sortsTheQuery() {
        #expect(SignatureV4.canonicalQuery("b=2&a=3&a=1&c") == "a=1&a=3&b=2&c=")
    }

    @Test func collapsesHeaderWhitespace() {
        #expect(SignatureV4.trimmedValue("  a   b\t c ") == "a b c")
    }
}

@Suite struct AuthorizationHeaderTests {
    @Test func parsesWhatBotocoreSends() throws {
        let header = try AuthorizationHeader(parsing:
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-east-1/dynamodb/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abc123")
        #expect(header.accessKeyID == "AKIDEXAMPLE")
        #expect(header.scope == .init(date: "20250102", region: "us-east-1", service: "dynamodb", terminator: "aws4_request"))
        #expect(header.signedHeaders == ["content-type", "host", "x-amz-date", "x-amz-target"])
        #expect(header.signature == "abc123")
    }

    @Test func acceptsCommasWithoutSpaces() throws {
        let header = try AuthorizationHeader(parsing:
            "AWS4-HMAC-SHA256 Signature=ff,Credential=K/20250102/r/dynamodb/aws4_request,SignedHeaders=host")
        #expect(header.accessKeyID == "K" && header.signature == "ff" && header.signedHeaders == ["host"])
    }

    @Test(arguments: [
        ("Bearer token", "Unsupported AWS 'algorithm': 'Bearer'"),
        ("AWS4-HMAC-SHA256", "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA256'"),
        ("AWS4-HMAC-SHA256 Credential=K/20250102/r/dynamodb/aws4_request, Signature=ff",
         "Authorization header requires 'SignedHeaders' parameter."),
        ("AWS4-HMAC-SHA256 Credential=K/20250102/dynamodb, SignedHeaders=host, Signature=ff",
         "Credential must have exactly 5 slash-delimited elements"),
        ("AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=ff", "missing equal-sign"),
    ])
    func rejectsAsIncomplete(value: String, messageStart: String) {
        #expect {
            try AuthorizationHeader(parsing: value)
        } throws: { error in
            guard let error = error as? DynamoDBError else { return false }
            return error.code.name == "IncompleteSignatureException" && error.message.contains(messageStart)
        }
    }
}

@Suite struct CredentialStoreTests {
    @Test func readsPairsAndSkipsCommentsAndBlankLines() throws {
        let store = try CredentialStore(parsing: """
            # strata credentials
            AKIDEXAMPLE wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY

              local\tsecret-2\r
            """)
        #expect(store.count == 2)
        #expect(store.secret(for: "AKIDEXAMPLE") == "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        #expect(store.secret(for: "local") == "secret-2")
        #expect(store.secret(for: "other") == nil)
    }

    @Test(arguments: [
        ("AKID\n", 1), ("a b\nc d e\n", 2), ("a b\na c\n", 2), ("# nothing\n", 2),
    ])
    func rejectsMalformedFiles(text: String, line: Int) {
        #expect {
            try CredentialStore(parsing: text)
        } throws: { error in
            (error as? CredentialStore.ParseError)?.line == line
        }
    }
}
