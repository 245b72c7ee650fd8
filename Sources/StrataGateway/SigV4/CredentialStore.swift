import Foundation

/// The access keys `strata-server --credentials FILE` accepts, each with its secret.
///
/// The file has one `ACCESS_KEY_ID SECRET` pair per line, separated by spaces or tabs. Blank lines
/// and lines whose first non-blank character is `#` are ignored. An access key may appear once.
///
/// ```
/// # strata credentials: access key id, secret access key
/// AKIDEXAMPLE wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
/// local-dev   local-dev-secret
/// ```
public struct CredentialStore: Sendable, Equatable {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        /// 1-based; 0 when the problem is the file as a whole.
        public var line: Int
        public var reason: String
        public var description: String { line == 0 ? reason : "line \(line): \(reason)" }
    }

    private var secrets: [String: String]

    public init(_ secrets: [String: String]) {
        self.secrets = secrets
    }

    /// Parses the text of a credentials file.
    public init(parsing text: String) throws {
        var secrets: [String: String] = [:]
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            guard fields.count == 2 else {
                throw ParseError(line: lineNumber, reason: "expected 'ACCESS_KEY_ID SECRET', found \(fields.count) fields")
            }
            let key = String(fields[0])
            guard secrets[key] == nil else {
                throw ParseError(line: lineNumber, reason: "access key '\(key)' appears twice")
            }
            secrets[key] = String(fields[1])
        }
        guard !secrets.isEmpty else {
            throw ParseError(line: lineNumber, reason: "no credentials in the file")
        }
        self.secrets = secrets
    }

    /// Reads and parses a credentials file.
    public init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ParseError(line: 0, reason: "cannot read the file")
        }
        try self.init(parsing: String(decoding: data, as: UTF8.self))
    }

    public var count: Int { secrets.count }

    func secret(for accessKeyID: String) -> String? {
        secrets[accessKeyID]
    }
}
