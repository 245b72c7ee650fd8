// A problem an inspection found, and helpers that locate errors in a file.

/// One problem a check found: the file, where in it, and what is wrong. The message starts with
/// the part of the file ("footer", "data block 3", "index block", "record at offset 4096"...).
public struct InspectionProblem: Sendable, Equatable, Encodable, CustomStringConvertible {
    public var file: String
    public var offset: Int64?
    /// The `StorageError` code: corruption, notADatabase, unsupportedVersion, io...
    public var code: String
    public var message: String

    public init(file: String, offset: Int64?, code: String = "corruption", message: String) {
        self.file = file
        self.offset = offset
        self.code = code
        self.message = message
    }

    init(_ e: StorageError, file: String) {
        self.init(file: e.file ?? file, offset: e.offset, code: e.code.name, message: e.message)
    }

    public var description: String {
        "\(file)" + (offset.map { " at offset \($0)" } ?? "") + ": \(message)"
    }
}

/// Runs `body`, prefixing the message of a `StorageError` it throws with `location` and filling
/// in the file when the error lacks one; any other error becomes an `.io` StorageError.
func located<T>(_ location: String, file: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch var e as StorageError {
        e.message = "\(location): \(e.message)"
        if e.file == nil { e.file = file }
        throw e
    } catch {
        throw StorageError(.io, "\(location): \(error)", file: file)
    }
}

/// `e` with its message prefixed by `location` and its file filled in when it lacks one.
func relocated(_ e: StorageError, _ location: String, file: String) -> StorageError {
    var e = e
    e.message = "\(location): \(e.message)"
    if e.file == nil { e.file = file }
    return e
}
