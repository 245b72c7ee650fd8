import Foundation
import HTTPTypes
import Hummingbird
import StrataGateway
import Synchronization
import Testing

/// A DynamoDBService double: answers with a closure and records what it was asked.
final class TestService: DynamoDBService {
    struct Call: Sendable, Equatable {
        var operation: String
        var body: [UInt8]
    }

    private let answer: @Sendable (String, [UInt8]) async throws -> [UInt8]
    private let state = Mutex<(calls: [Call], shutdowns: Int)>(([], 0))

    init(_ answer: @escaping @Sendable (String, [UInt8]) async throws -> [UInt8]) {
        self.answer = answer
    }

    /// Answers every operation with the same JSON.
    convenience init(json: String) {
        self.init { _, _ in Array(json.utf8) }
    }

    /// Throws the same error for every operation.
    convenience init(throwing error: any Error & Sendable) {
        self.init { _, _ in throw error }
    }

    var calls: [Call] { state.withLock { $0.calls } }
    var shutdowns: Int { state.withLock { $0.shutdowns } }

    func handle(operation: String, body: [UInt8]) async throws -> [UInt8] {
        state.withLock { $0.calls.append(Call(operation: operation, body: body)) }
        return try await answer(operation, body)
    }

    func shutdown() async throws {
        state.withLock { $0.shutdowns += 1 }
    }
}

/// Headers and helpers shared by the suites.
enum Wire {
    static let target = HTTPField.Name("X-Amz-Target")!
    static let requestID = HTTPField.Name("x-amzn-RequestId")!
    static let crc32 = HTTPField.Name("x-amz-crc32")!
    static let amzDate = HTTPField.Name("X-Amz-Date")!
    static let contentSHA256 = HTTPField.Name("X-Amz-Content-SHA256")!

    static func headers(_ operation: String, _ extra: HTTPFields = [:]) -> HTTPFields {
        var headers: HTTPFields = [
            .contentType: "application/x-amz-json-1.0",
            target: "DynamoDB_20120810.\(operation)",
        ]
        headers.append(contentsOf: extra)
        return headers
    }

    static func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
        return try #require(object as? [String: Any])
    }

    /// zlib's crc32 of the bytes, computed here bit by bit (independent of the table the gateway uses).
    static func bitwiseCRC32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
