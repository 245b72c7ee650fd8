import CompressNIO
import NIOCore

/// gzip for request bodies sent with `Content-Encoding: gzip` (botocore's request compression)
/// and for responses to clients that send `Accept-Encoding: gzip`.
enum Gzip {
    enum Failure: Error {
        /// The decompressed body would pass the limit.
        case tooLarge
        /// Not a gzip stream, or a truncated one.
        case corrupt
    }

    static func decompress(_ buffer: ByteBuffer, limit: Int) throws(Failure) -> ByteBuffer {
        var input = buffer
        do {
            return try input.decompress(with: .gzip(), maxSize: limit)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw .tooLarge
        } catch {
            throw .corrupt
        }
    }

    static func compress(_ buffer: ByteBuffer) throws -> ByteBuffer {
        var input = buffer
        return try input.compress(with: .gzip())
    }

    /// True when `Accept-Encoding` lists gzip with a non-zero quality (`gzip`, `gzip;q=0.5`,
    /// `deflate, gzip`); false for `gzip;q=0`, `identity`, or no header.
    static func isAccepted(by acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        for entry in acceptEncoding.split(separator: ",") {
            let parameters = entry.split(separator: ";").map { $0.trimmingSpaces.lowercased() }
            guard parameters.first == "gzip" || parameters.first == "x-gzip" else { continue }
            for parameter in parameters.dropFirst() where parameter.hasPrefix("q=") {
                if let quality = Double(parameter.dropFirst(2)), quality <= 0 { return false }
            }
            return true
        }
        return false
    }
}
