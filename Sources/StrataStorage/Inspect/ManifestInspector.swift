// Reads a manifest for strata-dump: its edits and the live version they add up to.
// Format: Docs/manifest_format.md. Edits are decoded by the engine's `VersionEdit` and applied by
// `VersionSet.apply`, so the live version shown is the one the engine would open.

/// One segment as a manifest names it.
public struct ManifestFileInfo: Sendable, Equatable, Encodable {
    public var level: Int
    public var number: UInt64
    public var name: String
    public var size: UInt64
    public var entries: UInt64
    public var smallest: InspectedKey
    public var largest: InspectedKey
    public var smallestSequence: UInt64
    public var largestSequence: UInt64

    init(level: Int, _ f: FileMetadata) {
        self.level = level
        number = f.number.rawValue
        name = DatabaseFile.segment(f.number).name
        size = f.size
        entries = f.entryCount
        // VersionEdit decoding guarantees at least the 8-byte trailer.
        smallest = InspectedKey(internal: f.smallest) ?? InspectedKey(internal: [UInt8](repeating: 0, count: 8))!
        largest = InspectedKey(internal: f.largest) ?? InspectedKey(internal: [UInt8](repeating: 0, count: 8))!
        smallestSequence = f.smallestSequence
        largestSequence = f.largestSequence
    }
}

/// The files of one level of the live version.
public struct LevelInfo: Sendable, Equatable, Encodable {
    public var level: Int
    public var bytes: UInt64
    public var entries: UInt64
    public var files: [ManifestFileInfo]
}

public struct CompactPointerInfo: Sendable, Equatable, Encodable {
    public var level: Int
    public var key: InspectedKey
}

public struct DeletedFileInfo: Sendable, Equatable, Encodable {
    public var level: Int
    public var number: UInt64
}

/// One manifest record: a version edit.
public struct EditInfo: Sendable, Equatable, Encodable {
    public var offset: Int64
    public var formatVersion: UInt64?
    public var logNumber: UInt64?
    public var nextFileNumber: UInt64?
    public var lastSequence: UInt64?
    public var compactPointers: [CompactPointerInfo]
    public var deletedFiles: [DeletedFileInfo]
    public var newFiles: [ManifestFileInfo]
}

/// A manifest and the live version it describes.
public struct ManifestReport: Sendable, Equatable, Encodable {
    public var directory: String?
    /// The manifest file read (CURRENT names it when a directory is inspected).
    public var manifest: String
    public var manifestSize: Int64
    public var formatVersion: UInt64
    /// Logs numbered below this are flushed; recovery replays this one and later ones.
    public var logNumber: UInt64
    public var nextFileNumber: UInt64
    public var lastSequence: UInt64
    /// Levels 0 through 6, empty ones included.
    public var levels: [LevelInfo]
    public var compactPointers: [CompactPointerInfo]
    public var edits: [EditInfo]
    /// Set when the manifest ends in a torn or damaged record (recovery drops it).
    public var tail: LogTailInfo?

    public var fileCount: Int { levels.reduce(0) { $0 + $1.files.count } }

    /// Reads CURRENT in `directory` and the manifest it names.
    public static func inspect(directory: String, fileSystem: any FileSystem = PosixFileSystem()) throws -> ManifestReport {
        let currentPath = DatabaseFile.current.path(in: directory)
        guard fileSystem.fileExists(directory) else {
            throw StorageError(.notFound, "no such directory", file: directory)
        }
        guard fileSystem.fileExists(currentPath) else {
            throw StorageError(.notADatabase, "not a Strata database: the directory has no CURRENT file", file: directory)
        }
        let file = try fileSystem.openReadable(currentPath)
        defer { file.close() }
        let size = try file.size()
        let text = String(decoding: try file.read(at: 0, count: Int(min(max(size, 0), 256))), as: UTF8.self)
        guard text.hasSuffix("\n"), let df = DatabaseFile(name: String(text.dropLast())), case .manifest = df else {
            throw StorageError.corruption("CURRENT does not name a manifest (it holds \(text.debugDescription))", file: currentPath, offset: 0)
        }
        let path = df.path(in: directory)
        guard fileSystem.fileExists(path) else {
            throw StorageError.corruption("CURRENT names \(df.name), which does not exist", file: currentPath, offset: 0)
        }
        var report = try inspect(manifestPath: path, fileSystem: fileSystem)
        report.directory = directory
        report.manifest = df.name
        return report
    }

    /// Reads one manifest file and replays its edits.
    public static func inspect(manifestPath path: String, fileSystem: any FileSystem = PosixFileSystem()) throws -> ManifestReport {
        let bytes = try LogInspector.readFile(path, fileSystem: fileSystem)
        let (records, _, tail) = LogInspector.read(bytes)
        var levels: [[FileMetadata]] = Array(repeating: [], count: Version.levelCount)
        var edits: [EditInfo] = []
        var formatVersion: UInt64?, logNumber: UInt64?, nextFile: UInt64?, lastSequence: UInt64?
        var pointers: [[UInt8]?] = Array(repeating: nil, count: Version.levelCount)
        for (offset, payload) in records {
            let edit = try located("record at offset \(offset)", file: path) {
                try VersionEdit(decoding: payload, file: path, offset: offset)
            }
            if let v = edit.formatVersion {
                guard v <= VersionEdit.currentFormatVersion else {
                    throw StorageError(.unsupportedVersion, "record at offset \(offset): manifest format version \(v) is newer than this build reads (up to \(VersionEdit.currentFormatVersion))", file: path, offset: offset)
                }
                formatVersion = v
            } else if formatVersion == nil {
                throw StorageError(.notADatabase, "not a Strata manifest: the first record has no format version", file: path, offset: offset)
            }
            VersionSet.apply(edit, to: &levels)
            if let n = edit.logNumber { logNumber = n.rawValue }
            if let n = edit.nextFileNumber { nextFile = n.rawValue }
            if let s = edit.lastSequence { lastSequence = s }
            for (l, k) in edit.compactPointers { pointers[l] = k }
            edits.append(EditInfo(
                offset: offset, formatVersion: edit.formatVersion, logNumber: edit.logNumber?.rawValue,
                nextFileNumber: edit.nextFileNumber?.rawValue, lastSequence: edit.lastSequence,
                compactPointers: edit.compactPointers.compactMap { p in InspectedKey(internal: p.key).map { CompactPointerInfo(level: p.level, key: $0) } },
                deletedFiles: edit.deletedFiles.map { DeletedFileInfo(level: $0.level, number: $0.number.rawValue) },
                newFiles: edit.newFiles.map { ManifestFileInfo(level: $0.level, $0.file) }))
        }
        guard let formatVersion else {
            let why = tail.map { " (\($0.reason) at offset \($0.offset))" } ?? ""
            throw StorageError(.notADatabase, "not a Strata manifest: no readable records\(why)", file: path, offset: tail?.offset ?? 0)
        }
        guard let logNumber, let nextFile, let lastSequence else {
            throw StorageError.corruption("manifest lacks a log number, next file number or last sequence", file: path, offset: 0)
        }
        let levelInfos = levels.enumerated().map { l, files in
            LevelInfo(level: l, bytes: files.reduce(0) { $0 + $1.size }, entries: files.reduce(0) { $0 + $1.entryCount },
                      files: files.map { ManifestFileInfo(level: l, $0) })
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return ManifestReport(
            directory: nil, manifest: name, manifestSize: Int64(bytes.count), formatVersion: formatVersion,
            logNumber: logNumber, nextFileNumber: nextFile, lastSequence: lastSequence, levels: levelInfos,
            compactPointers: pointers.enumerated().compactMap { l, k in k.flatMap { InspectedKey(internal: $0) }.map { CompactPointerInfo(level: l, key: $0) } },
            edits: edits, tail: tail.map(LogTailInfo.init))
    }
}
