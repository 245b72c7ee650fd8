import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import StrataGateway

/// Requests signed by botocore 1.43 (SigV4Auth, clock frozen at 20250102T030405Z, host "localhost",
/// the host the router test framework gives every request); see Tests/Conformance for live runs.
enum Vectors {
    static let accessKey = "AKIDEXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let amzDate = "20250102T030405Z"

    struct Signed: Sendable {
        var operation: String
        var body: [UInt8]
        var authorization: String
        var extra: HTTPFields = [:]

        var headers: HTTPFields {
            var headers = Wire.headers(operation, [Wire.amzDate: Vectors.amzDate, .authorization: authorization])
            headers.append(contentsOf: extra)
            return headers
        }
    }

    static let listTables = Signed(
        operation: "ListTables", body: Array("{}".utf8),
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-east-1/dynamodb/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            + "Signature=a0ce2d50126dd7cd04426597f73023a63313705e2af52d6ad107d7a43f20ab76"
    )

    static let describeTableInEurope = Signed(
        operation: "DescribeTable", body: Array(#"{"TableName":"Music"}"#.utf8),
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/eu-west-1/dynamodb/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            + "Signature=a159f16c4f6987f241707bc5035a018c972550c8498fa7c699e0b6ee39012632"
    )

    /// Signed over the gzip bytes, with Content-Encoding and X-Amz-Content-SHA256 among the signed headers.
    static let gzippedListTables = Signed(
        operation: "ListTables", body: GatewayBodyTests.listTablesGzip,
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-east-1/dynamodb/aws4_request, "
            + "SignedHeaders=content-encoding;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, "
            + "Signature=b7ace7ef13ce22b5c43df3b2337d8b5fa75d6c412da8365ac80782321fc981ef",
        extra: [
            .contentEncoding: "gzip",
            Wire.contentSHA256: "6187bb1f352719bc6c1c1758c9367f80a74c76ce26d7649b6fb004411fa8a933",
        ]
    )

    static let store = CredentialStore([accessKey: secret, "OTHERKEY": "other-secret"])
}

@Suite struct AuthenticationTests {
    let verifying = GatewayConfiguration(authentication: .verify(Vectors.store))

    /// Sends `request` (headers possibly edited) with the clock at `now`; returns status and JSON.
    func send(
        _ request: Vectors.Signed, _ configuration: GatewayConfiguration, now: Int64 = vectorTime,
        edit: @Sendable (inout HTTPFields) -> Void = { _ in }
    ) async throws -> (HTTPResponse.Status, [String: Any], TestService) {
        let service = TestService(json: "{}")
        var headers = request.headers
        edit(&headers)
        let sent = headers
        let (status, body) = try await withGateway(service, configuration, now: now) { client in
            try await client.execute(uri: "/", method: .post, headers: sent, body: ByteBuffer(bytes: request.body)) {
                ($0.status, $0.body)
            }
        }
        let json = status == .ok ? [:] : try Wire.json(body)
        return (status, json, service)
    }

    @Test(arguments: [Vectors.listTables, Vectors.describeTableInEurope, Vectors.gzippedListTables])
    func acceptsBotocoreSignatures(request: Vectors.Signed) async throws {
        let (status, _, service) = try await send(request, verifying)
        #expect(status == .ok)
        #expect(service.calls.map(\.operation) == [request.operation])
    }

    @Test func acceptsASignatureUpToFifteenMinutesOld() async throws {
        let (status, _, _) = try await send(Vectors.listTables, verifying, now: vectorTime + 15 * 60)
        #expect(status == .ok)
    }

    @Test func refusesAnUnsignedRequest() async throws {
        let (status, json, service) = try await send(Vectors.listTables, verifying) { $0[.authorization] = nil }
        #expect(status == .badRequest)
        #expect(json["__type"] as? String == "com.amazon.coral.service#MissingAuthenticationTokenException")
        #expect(json["message"] as? String == "Request is missing Authentication Token")
        #expect(service.calls.isEmpty)
    }

    @Test func refusesAnUnknownAccessKey() async throws {
        let (status, json, _) = try await send(Vectors.listTables, verifying) {
            $0[.authorization] = $0[.authorization]!.replacingOccurrences(of: "AKIDEXAMPLE", with: "AKIDUNKNOWN")
        }
        #expect(status == .badRequest)
        #expect(json["__type"] as? String == "com.amazon.coral.service#UnrecognizedClientException")
        #expect(json["message"] as? String == "The security token included in the request is invalid.")
    }

    @Test func refusesAWrongSecret() async throws {
        let store = CredentialStore([Vectors.accessKey: "not-the-secret"])
        let (status, json, service) = try await send(Vectors.listTables, GatewayConfiguration(authentication: .verify(store)))
        #expect(status == .badRequest)
        #expect(json["__type"] as? String == "com.amazon.coral.service#InvalidSignatureException")
        #expect(json["message"] as? String == RequestAuthenticator.signatureMismatchMessage)
        #expect(service.calls.isEmpty)
    }

    @Test(arguments: [
        (Wire.target, "DynamoDB_20120810.DeleteTable"),  // a signed header changed
        (Wire.amzDate, "20250102T030406Z"),  // the date changed
        (HTTPField.Name.contentType, "application/json"),
    ])
    func refusesATamperedRequest(name: HTTPField.Name, value: String) async throws {
        let (status, json, service) = try await send(Vectors.listTables, verifying) { $0[name] = value }
        #expect(status == .badRequest)
        #expect(json["__type"] as? String == "com.amazon.coral.service#InvalidSignatureException")
        #expect(service.calls.isEmpty)
    }

    @Test func refusesATamperedBody() async throws {
        var request = Vectors.listTables
        request.body = Array(#"{"Limit":1}"#.utf8)
        let (status, json, _) = try await send(request, verifying)
        #expect(status == .badRequest)
        #expect(json["message"] as? String == RequestAuthenticator.signatureMismatchMessage)
    }

    @Test func refusesAStaleDate() async throws {
        let (status, json, _) = try await send(Vectors.listTables, verifying, now: vectorTime + 15 * 60 + 1)
        #expect(status == .badRequest)
        #expect(json["__type"] as? String == "com.amazon.coral.service#InvalidSignatureException")
        #expect(json["message"] as? String
            == "Signature expired: 20250102T030405Z is now earlier than 20250102T030406Z (20250102T031906Z - 15 min.)")
    }

    @Test func refusesADateInTheFuture() async throws {
        let (status, json, _) = try await send(Vectors.listTables, verifying, now: vectorTime - 3_600)
        #expect(status == .badRequest)
        #expect(json["message"] as? String
            == "Signature not yet current: 20250102T030405Z is still later than 20250102T021905Z (20250102T020405Z + 15 min.)")
    }

    @Test func refusesAMissingDate() async throws {
        let (status, json, _) = try await send(Vectors.listTables, verifying) { $0[Wire.amzDate] = nil }
        #expect(status == .badRequest)
        #expect(json["__type"] as? String == "com.amazon.coral.service#IncompleteSignatureException")
    }

    @Test func acceptsAnythingWellFormedByDefault() async throws {
        let open = GatewayConfiguration()
        #expect(try await send(Vectors.listTables, open) { $0[.authorization] = nil }.0 == .ok)
        #expect(try await send(Vectors.listTables, open, now: 0).0 == .ok)  // stale, unknown to nobody
        let wrongKey = try await send(Vectors.listTables, open) {
            $0[.authorization] = $0[.authorization]!.replacingOccurrences(of: "Signature=a0", with: "Signature=00")
        }
        #expect(wrongKey.0 == .ok)
        let malformed = try await send(Vectors.listTables, open) { $0[.authorization] = "AWS4-HMAC-SHA256 Credential=x" }
        #expect(malformed.0 == .badRequest)
        #expect(malformed.1["__type"] as? String == "com.amazon.coral.service#IncompleteSignatureException")
    }
}
