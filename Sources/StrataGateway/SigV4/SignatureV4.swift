import Crypto

/// AWS Signature Version 4 (header form, `AWS4-HMAC-SHA256`), the steps the AWS General Reference
/// describes:
///
/// 1. canonical request = method \n canonical URI \n canonical query \n canonical headers \n
///    signed headers \n hex(SHA256(payload)) — or the `x-amz-content-sha256` value when sent;
/// 2. string to sign = "AWS4-HMAC-SHA256" \n amz-date \n scope \n hex(SHA256(canonical request)),
///    scope = date/region/service/"aws4_request";
/// 3. signing key = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request");
/// 4. signature = hex(HMAC(signing key, string to sign)).
///
/// The verifier recomputes what the client computed, from the request as received.
enum SignatureV4 {
    static let algorithm = "AWS4-HMAC-SHA256"

    struct Scope: Equatable, Sendable {
        var date: String
        var region: String
        var service: String
        var terminator: String

        var description: String { "\(date)/\(region)/\(service)/\(terminator)" }
    }

    /// - Parameters:
    ///   - path: the path as it appeared on the request line (still percent-encoded), no query.
    ///   - query: the raw query string, without `?`.
    ///   - headers: the signed headers, names lowercased, in the order of SignedHeaders, each with
    ///     every value the request carried for it.
    static func canonicalRequest(
        method: String, path: String, query: String,
        headers: [(name: String, values: [String])], payloadHash: String
    ) -> String {
        var lines: [String] = []
        lines.append(method)
        lines.append(canonicalURI(path))
        lines.append(canonicalQuery(query))
        var canonicalHeaders = ""
        for header in headers {
            canonicalHeaders += header.name + ":" + header.values.map(trimmedValue).joined(separator: ",") + "\n"
        }
        lines.append(canonicalHeaders)
        lines.append(headers.map(\.name).joined(separator: ";"))
        lines.append(payloadHash)
        return lines.joined(separator: "\n")
    }

    static func stringToSign(amzDate: String, scope: Scope, canonicalRequest: String) -> String {
        [algorithm, amzDate, scope.description, hexSHA256(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    static func signingKey(secret: String, scope: Scope) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
        for part in [scope.date, scope.region, scope.service, scope.terminator] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    static func signature(signingKey: SymmetricKey, stringToSign: String) -> String {
        hex(Array(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey)))
    }

    static func hexSHA256(_ bytes: [UInt8]) -> String {
        hex(Array(SHA256.hash(data: bytes)))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The path percent-encoded once more, '/' kept, as every SDK signs for services other than S3
    /// (botocore quotes the already-encoded path with '/' and '~' safe). An empty path is "/".
    static func canonicalURI(_ path: String) -> String {
        if path.isEmpty { return "/" }
        return percentEncode(path, keepSlash: true)
    }

    /// `name=value` pairs sorted by name, then value, as they were sent; a bare name gets "=".
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { pair -> (String, String) in
            if let equals = pair.firstIndex(of: "=") {
                return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
            }
            return (String(pair), "")
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Leading and trailing whitespace dropped, inner runs of whitespace collapsed to one space.
    static func trimmedValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    static func percentEncode(_ text: String, keepSlash: Bool) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares two signatures in time independent of where they first differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
