// The manifest: a log of version edits, named by CURRENT. Format: Docs/manifest_format.md.

import Synchronization

/// The sequence of versions, the file-number and sequence counters, and the manifest that
/// records them. Guarded by the engine's lock, except `writeManifestRecord`, which the
/// engine serializes with its manifest lock.
final class VersionSet {
    let dir: String
    let fs: any FileSystem
    let options: StorageOptions
    private(set) var current: Version
    var nextFileNumber: UInt64 = 2
    var lastSequence: UInt64 = 0
    /// Logs numbered below this are fully flushed and may be deleted.
    var logNumber = FileNumber(0)
    var manifestNumber = FileNumber(0)
    private var manifest: LogWriter?
    var compactPointers: [[UInt8]?] = Array(repeating: nil, count: Version.levelCount)
    private var live: [WeakVersion] = []
    /// What reading the manifest found at its end, if it was torn.
    private(set) var manifestTail: LogTail?

    struct WeakVersion { weak var version: Version? }

    /// Manifests grow by one record per edit; past this size the next edit starts a new one.
    static let manifestRollBytes: Int64 = 4 << 20

    init(dir: String, fs: any FileSystem, options: StorageOptions) {
        self.dir = dir
        self.fs = fs
        self.options = options
        current = Version(levels: Array(repeating: [], count: Version.levelCount), options: options)
    }

    func newFileNumber() -> FileNumber {
        defer { nextFileNumber += 1 }
        return FileNumber(nextFileNumber)
    }

    /// Reads CURRENT and replays the manifest it names.
    func recover() throws {
        let currentPath = DatabaseFile.current.path(in: dir)
        let currentFile = try fs.openReadable(currentPath)
        let size = try currentFile.size()
        let text = String(decoding: try currentFile.read(at: 0, count: Int(min(size, 256))), as: UTF8.self)
        guard text.hasSuffix("\n"), let df = DatabaseFile(name: String(text.dropLast())), case .manifest(let number) = df else {
            throw StorageError.corruption("CURRENT does not name a manifest (it holds \(text.debugDescription))", file: currentPath, offset: 0)
        }
        let path = df.path(in: dir)
        guard fs.fileExists(path) else {
            throw StorageError.corruption("CURRENT names \(df.name), which does not exist", file: currentPath, offset: 0)
        }
        let file = try fs.openReadable(path)
        let bytes = try file.read(at: 0, count: Int(try file.size()))
        var reader = LogReader(bytes: bytes)
        var levels: [[FileMetadata]] = Array(repeating: [], count: Version.levelCount)
        var sawVersion = false, sawLog = false, sawNext = false, sawSeq = false
        while let record = reader.next() {
            let edit = try VersionEdit(decoding: record, file: path, offset: Int64(reader.lastRecordOffset))
            if let v = edit.formatVersion {
                guard v <= VersionEdit.currentFormatVersion else {
                    throw StorageError(.unsupportedVersion, "the database was written by a newer format version (manifest version \(v); this build reads up to \(VersionEdit.currentFormatVersion))", file: path, offset: Int64(reader.lastRecordOffset))
                }
                sawVersion = true
            } else if !sawVersion {
                throw StorageError(.notADatabase, "manifest does not start with a format version", file: path, offset: 0)
            }
            Self.apply(edit, to: &levels)
            if let n = edit.logNumber { logNumber = n; sawLog = true }
            if let n = edit.nextFileNumber { nextFileNumber = n.rawValue; sawNext = true }
            if let s = edit.lastSequence { lastSequence = s; sawSeq = true }
            for (l, k) in edit.compactPointers { compactPointers[l] = k }
        }
        manifestTail = reader.tail
        if let tail = reader.tail, !sawVersion {
            throw StorageError(.notADatabase, "manifest has no readable records (\(tail.reason))", file: path, offset: tail.offset)
        }
        guard sawVersion, sawLog, sawNext, sawSeq else {
            throw StorageError.corruption("manifest lacks a log number, next file number or last sequence", file: path, offset: 0)
        }
        manifestNumber = number
        // Every segment it names must exist.
        let names = Set(try fs.listDirectory(dir))
        for f in levels.joined() where !names.contains(DatabaseFile.segment(f.number).name) {
            throw StorageError.corruption("segment \(DatabaseFile.segment(f.number).name) named by the manifest is missing", file: path)
        }
        if nextFileNumber <= number.rawValue { nextFileNumber = number.rawValue + 1 }
        install(Version(levels: levels, options: options))
    }

    /// Applies an edit to a level table.
    static func apply(_ edit: VersionEdit, to levels: inout [[FileMetadata]]) {
        for (l, n) in edit.deletedFiles {
            levels[l].removeAll { $0.number == n }
        }
        for (l, f) in edit.newFiles {
            levels[l].removeAll { $0.number == f.number }
            levels[l].append(f)
        }
        levels[0].sort { $0.number < $1.number }
        for l in 1..<Version.levelCount {
            levels[l].sort { compareInternalKeys($0.smallest, $1.smallest) < 0 }
        }
    }

    func makeVersion(applying edit: VersionEdit, to base: Version) -> Version {
        var levels = base.levels
        Self.apply(edit, to: &levels)
        let v = Version(levels: levels, options: options)
        // A seek candidate the edit left in place stays one: a flush between the reads that used
        // up its budget and the compaction does not make them count for nothing.
        if let (level, file) = base.seekCandidate.withLock({ $0 }),
           levels[level].contains(where: { $0 === file }) {
            v.seekCandidate.withLock { $0 = (level, file) }
        }
        return v
    }

    func install(_ v: Version) {
        current = v
        live.removeAll { $0.version == nil }
        live.append(WeakVersion(version: v))
    }

    /// Files named by any version still in use (the current one and any a reader holds).
    func liveFiles() -> Set<FileNumber> {
        live.removeAll { $0.version == nil }
        var s = Set<FileNumber>()
        for w in live { if let v = w.version { s.formUnion(v.fileNumbers) } }
        s.formUnion(current.fileNumbers)
        return s
    }

    /// The edit that recreates the current state from nothing (a new manifest's first record).
    func snapshotEdit() -> VersionEdit { snapshotEdit(of: current, applying: VersionEdit()) }

    /// The full state after `edit` is applied to `version` (whose levels already include it).
    func snapshotEdit(of version: Version, applying edit: VersionEdit) -> VersionEdit {
        var e = VersionEdit()
        e.formatVersion = VersionEdit.currentFormatVersion
        e.logNumber = edit.logNumber ?? logNumber
        e.nextFileNumber = FileNumber(nextFileNumber)
        e.lastSequence = lastSequence
        var pointers = compactPointers
        for (l, k) in edit.compactPointers { pointers[l] = k }
        for (l, k) in pointers.enumerated() { if let k { e.compactPointers.append((l, k)) } }
        for (l, files) in version.levels.enumerated() { for f in files { e.newFiles.append((l, f)) } }
        return e
    }

    /// Records an installed edit's log number and compact pointers.
    func noteApplied(_ edit: VersionEdit) {
        if let l = edit.logNumber { logNumber = l }
        for (l, k) in edit.compactPointers { compactPointers[l] = k }
    }

    /// Where the next manifest record goes: nil means a new manifest must be started, with
    /// `newManifestNumber` reserved by the caller under the engine lock.
    var needsNewManifest: Bool { manifest == nil || manifest!.size >= Self.manifestRollBytes }

    /// Appends an edit to the manifest and syncs it. When `newManifest` is given, starts that
    /// manifest with `snapshot` (the full state, which already includes the edit), then points CURRENT at it.
    /// Runs without the engine lock; the engine's manifest lock serializes callers.
    func writeManifestRecord(_ edit: VersionEdit, newManifest: (number: FileNumber, snapshot: VersionEdit)?) throws {
        if let (number, snapshot) = newManifest {
            let path = DatabaseFile.manifest(number).path(in: dir)
            let file = try fs.openWritable(path, truncate: true)
            let writer = LogWriter(file: file)
            var renamed = false
            do {
                try writer.addRecord(snapshot.encode(), sync: true)
                try setCurrent(number, renamed: &renamed)
            } catch {
                if renamed {
                    // CURRENT already names the new manifest: keep it (the caller stops writes).
                    try? manifest?.close()
                    manifest = writer
                } else {
                    try? writer.close()
                    try? fs.remove(path)
                }
                throw error
            }
            try? manifest?.close()
            manifest = writer
        } else {
            try manifest!.addRecord(edit.encode(), sync: true)
        }
    }

    /// Points CURRENT at a manifest: temp file, sync, rename, directory sync.
    private func setCurrent(_ number: FileNumber, renamed: inout Bool) throws {
        let tmp = DatabaseFile.temp(number).path(in: dir)
        let f = try fs.openWritable(tmp, truncate: true)
        try f.append(Array((DatabaseFile.manifest(number).name + "\n").utf8))
        try f.sync()
        try f.close()
        try fs.rename(tmp, DatabaseFile.current.path(in: dir))
        renamed = true
        try fs.syncDirectory(dir)
    }

    func closeManifest() {
        try? manifest?.close()
        manifest = nil
    }
}
