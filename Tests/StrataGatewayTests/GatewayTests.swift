import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import StrataGateway

@Suite struct GatewayProtocolTests {
    @Test func passesTheOperationAndBodyAndAnswersWithDynamoDBsHeaders() async throws {
        let service = TestService(json: #"{"TableNames":[]}"#)
        try await withGateway(service) { client in
            try await client.execute(uri: "/", method: .post, headers: Wire.headers("ListTables"), body: Wire.buffer(#"{"Limit":5}"#)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"TableNames":[]}"#)
                #expect(response.headers[.contentType] == "application/x-amz-json-1.0")
                #expect(response.headers[Wire.crc32] == "1315925753")
                #expect(response.headers[.contentLength] == "17")
                #expect(response.headers[.contentEncoding] == nil)
                let id = try #require(response.headers[Wire.requestID])
                #expect(UUID(uuidString: id) != nil)
            }
        }
        #expect(service.calls == [.init(operation: "ListTables", body: Array(#"{"Limit":5}"#.utf8))])
    }

    @Test func givesEveryRequestItsOwnRequestID() async throws {
        let ids = try await withGateway(TestService(json: "{}")) { client in
            var ids: Set<String> = []
            for _ in 0..<5 {
                try await client.execute(uri: "/", method: .post, headers: Wire.headers("ListTables"), body: Wire.buffer("{}")) { response in
                    ids.insert(response.headers[Wire.requestID] ?? "")
                }
            }
            return ids
        }
        #expect(ids.count == 5)
    }

    @Test(arguments: ["application/x-amz-json-1.0", "application/x-amz-json-1.1", "application/json"])
    func acceptsTheJSONContentTypes(contentType: String) async throws {
        try await withGateway(TestService(json: "{}")) { client in
            var headers = Wire.headers("ListTables")
            headers[.contentType] = contentType
            try await client.execute(uri: "/", method: .post, headers: headers, body: Wire.buffer("{}")) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test(arguments: [nil, "", "DynamoDB_20120810.", "DynamoDB_20111205.ListTables", "dynamodb_20120810.ListTables", "ListTables"])
    func refusesATargetWithoutDynamoDBsPrefix(target: String?) async throws {
        let service = TestService(json: "{}")
        try await withGateway(service) { client in
            var headers: HTTPFields = [.contentType: "application/x-amz-json-1.0"]
            if let target { headers[Wire.target] = target }
            try await client.execute(uri: "/", method: .post, headers: headers, body: Wire.buffer("{}")) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body) == #"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#)
                #expect(response.headers[Wire.crc32] == String(Wire.bitwiseCRC32(response.body.readableBytesView)))
            }
        }
        #expect(service.calls.isEmpty)
    }

    @Test func answersTheHealthCheck() async throws {
        try await withGateway(TestService(json: "{}")) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).hasPrefix("healthy"))
            }
        }
    }
}

@Suite struct GatewayErrorTests {
    /// Posts one request to a service that throws `error`; returns status, JSON body and text.
    func answer(to error: any Error & Sendable) async throws -> (HTTPResponse.Status, [String: Any], String) {
        let (status, body) = try await withGateway(TestService(throwing: error)) { client in
            try await client.execute(uri: "/", method: .post, headers: Wire.headers("PutItem"), body: Wire.buffer("{}")) { response in
                #expect(response.headers[Wire.crc32] == String(Wire.bitwiseCRC32(response.body.readableBytesView)))
                #expect(response.headers[Wire.requestID] != nil)
                #expect(response.headers[.contentType] == "application/x-amz-json-1.0")
                return (response.status, response.body)
            }
        }
        return (status, try Wire.json(body), String(buffer: body))
    }

    @Test(arguments: [
        ("ValidationException", "com.amazon.coral.validate#ValidationException", "message"),
        ("ResourceNotFoundException", "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message"),
        ("ConditionalCheckFailedException", "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "message"),
        ("SerializationException", "com.amazon.coral.service#SerializationException", "Message"),
        ("TransactionCanceledException", "com.amazonaws.dynamodb.v20120810#TransactionCanceledException", "Message"),
    ])
    func shapesErrorsAsDynamoDB(code: String, type: String, messageKey: String) async throws {
        let (status, json, _) = try await answer(to: DynamoDBError(DynamoDBError.Code(code), "the message"))
        #expect(status == .badRequest)
        #expect(json["__type"] as? String == type)
        #expect(json[messageKey] as? String == "the message")
        #expect(json.count == 2)
    }

    @Test func conditionalCheckFailedCarriesTheItem() async throws {
        let error = DynamoDBError(
            .conditionalCheckFailed, "The conditional request failed",
            item: ["pk": .s("a"), "n": .n(try Number("1.5"))]
        )
        let (_, json, _) = try await answer(to: error)
        let item = try #require(json["Item"] as? [String: [String: String]])
        #expect(item == ["pk": ["S": "a"], "n": ["N": "1.5"]])
    }

    @Test func transactionCanceledCarriesTheReasonsInOrder() async throws {
        let error = DynamoDBError(
            .transactionCanceled,
            "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",
            cancellationReasons: [
                .init(code: "None"),
                .init(code: "ConditionalCheckFailed", message: "The conditional request failed", item: ["pk": .s("b")]),
            ]
        )
        let (status, json, _) = try await answer(to: error)
        #expect(status == .badRequest)
        let reasons = try #require(json["CancellationReasons"] as? [[String: Any]])
        #expect(reasons.count == 2)
        #expect(reasons[0]["Code"] as? String == "None")
        #expect(reasons[0].count == 1)
        #expect(reasons[1]["Code"] as? String == "ConditionalCheckFailed")
        #expect(reasons[1]["Message"] as? String == "The conditional request failed")
        #expect(reasons[1]["Item"] as? [String: [String: String]] == ["pk": ["S": "b"]])
        #expect((json["Message"] as? String)?.hasPrefix("Transaction cancelled") == true)
    }

    @Test func anyOtherErrorIsAGeneric500() async throws {
        struct Leaky: Error { var path = "/secret/path/to/file.swift:42" }
        let (status, json, text) = try await answer(to: Leaky())
        #expect(status == .internalServerError)
        #expect(json["__type"] as? String == "com.amazonaws.dynamodb.v20120810#InternalServerError")
        #expect(json["message"] as? String == "Internal server error")
        #expect(!text.contains("secret") && !text.contains("Leaky"))
    }

    @Test func internalServerErrorFromTheServiceIs500() async throws {
        let (status, _, _) = try await answer(to: DynamoDBError(.internalServerError, "Internal server error"))
        #expect(status == .internalServerError)
    }
}

@Suite struct GatewayBodyTests {
    static let listTablesGzip: [UInt8] = Array(Data(base64Encoded: "H4sIAAAAAAACA6tW8snMzSxRsjKtBQBJAaRsCwAAAA==")!)  // gzip of {"Limit":5}

    @Test func gunzipsRequestBodies() async throws {
        let service = TestService(json: "{}")
        try await withGateway(service) { client in
            let headers = Wire.headers("ListTables", [.contentEncoding: "gzip"])
            try await client.execute(uri: "/", method: .post, headers: headers, body: ByteBuffer(bytes: Self.listTablesGzip)) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(service.calls.map(\.body) == [Array(#"{"Limit":5}"#.utf8)])
    }

    @Test func refusesCorruptGzipAsSerializationException() async throws {
        let service = TestService(json: "{}")
        try await withGateway(service) { client in
            let headers = Wire.headers("ListTables", [.contentEncoding: "gzip"])
            try await client.execute(uri: "/", method: .post, headers: headers, body: Wire.buffer("{}")) { response in
                #expect(response.status == .badRequest)
                let json = try Wire.json(response.body)
                #expect(json["__type"] as? String == "com.amazon.coral.service#SerializationException")
            }
        }
        #expect(service.calls.isEmpty)
    }

    static let largeJSON = #"{"Items":["# + (0..<200).map { #"{"pk":{"S":"item-\#($0)"}}"# }.joined(separator: ",") + "]}"

    @Test func gzipsLargeResponsesWhenAskedAndChecksumsTheCompressedBytes() async throws {
        try await withGateway(TestService(json: Self.largeJSON)) { client in
            let headers = Wire.headers("Scan", [.acceptEncoding: "gzip, deflate"])
            try await client.execute(uri: "/", method: .post, headers: headers, body: Wire.buffer("{}")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentEncoding] == "gzip")
                #expect(response.body.readableBytes < Self.largeJSON.utf8.count)
                #expect(response.headers[.contentLength] == String(response.body.readableBytes))
                // botocore checks the CRC-32 of the bytes as received, before any decompression.
                #expect(response.headers[Wire.crc32] == String(Wire.bitwiseCRC32(response.body.readableBytesView)))
                let plain = try Gzip.decompress(response.body, limit: 1 << 20)
                #expect(String(buffer: plain) == Self.largeJSON)
            }
        }
    }

    @Test(arguments: [nil, "identity", "gzip;q=0", "br"])
    func sendsPlainResponsesOtherwise(acceptEncoding: String?) async throws {
        try await withGateway(TestService(json: Self.largeJSON)) { client in
            var headers = Wire.headers("Scan")
            if let acceptEncoding { headers[.acceptEncoding] = acceptEncoding }
            try await client.execute(uri: "/", method: .post, headers: headers, body: Wire.buffer("{}")) { response in
                #expect(response.headers[.contentEncoding] == nil)
                #expect(String(buffer: response.body) == Self.largeJSON)
                #expect(response.headers[Wire.crc32] == String(Wire.bitwiseCRC32(response.body.readableBytesView)))
            }
        }
    }

    @Test func leavesSmallResponsesUncompressed() async throws {
        try await withGateway(TestService(json: #"{"TableNames":[]}"#)) { client in
            let headers = Wire.headers("ListTables", [.acceptEncoding: "gzip"])
            try await client.execute(uri: "/", method: .post, headers: headers, body: Wire.buffer("{}")) { response in
                #expect(response.headers[.contentEncoding] == nil)
                #expect(response.headers[Wire.crc32] == "1315925753")
            }
        }
    }

    @Test func refusesBodiesOverTheLimitWith413() async throws {
        let service = TestService(json: "{}")
        try await withGateway(service, GatewayConfiguration(maxBodyBytes: 100)) { client in
            let body = Wire.buffer(#"{"TableName":""# + String(repeating: "x", count: 200) + #""}"#)
            try await client.execute(uri: "/", method: .post, headers: Wire.headers("PutItem"), body: body) { response in
                #expect(response.status == .contentTooLarge)
                let message = try #require(try Wire.json(response.body)["message"] as? String)
                #expect(message.contains("at most 100 bytes"))
            }
            // A body at the limit still passes.
            let exact = Wire.buffer(String(repeating: " ", count: 98) + "{}")
            try await client.execute(uri: "/", method: .post, headers: Wire.headers("PutItem"), body: exact) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(service.calls.count == 1)
    }

    @Test func refusesAGzipBodyThatInflatesPastTheLimit() async throws {
        var plain = ByteBuffer(string: String(repeating: " ", count: 10_000) + "{}")
        let compressed = try Gzip.compress(plain)
        plain.clear()
        #expect(compressed.readableBytes < 200)
        let service = TestService(json: "{}")
        try await withGateway(service, GatewayConfiguration(maxBodyBytes: 1_000)) { client in
            let headers = Wire.headers("PutItem", [.contentEncoding: "gzip"])
            try await client.execute(uri: "/", method: .post, headers: headers, body: compressed) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
        #expect(service.calls.isEmpty)
    }
}
