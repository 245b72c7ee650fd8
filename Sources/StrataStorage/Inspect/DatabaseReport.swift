// `strata-dump db DIR`: the live version plus a whole-database check.

/// A write-ahead log in the directory, summarized.
public struct LogSummary: Sendable, Equatable, Encodable {
    public var name: String
    public var size: Int64
    public var records: Int
    public var entries: Int
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?
    /// Records whose payload is not a well-formed batch (recovery refuses such a log).
    public var badRecords: Int
    public var tail: LogTailInfo?
}

/// The live version and everything a check of the whole directory found.
public struct DatabaseReport: Sendable, Equatable, Encodable {
    public var directory: String
    public var manifest: ManifestReport
    /// One check per live segment, in level order.
    public var segments: [SegmentCheck]
    /// Logs recovery would replay (numbered at or after the manifest's log number).
    public var logs: [LogSummary]
    /// Strata files no live state names: segments outside the live version, flushed logs,
    /// old manifests, temporary files. A running engine may hold some of these briefly.
    public var orphans: [String]
    /// Names that are not Strata files at all.
    public var foreign: [String]
    public var problems: [InspectionProblem]
    public var ok: Bool { problems.isEmpty }

    /// Reads the manifest, checks every live segment against itself and against the manifest,
    /// reads the live logs, and lists orphan and foreign files. Throws only when the directory
    /// or its manifest cannot be read at all.
    public static func inspect(directory: String, fileSystem: any FileSystem = PosixFileSystem()) throws -> DatabaseReport {
        let manifest = try ManifestReport.inspect(directory: directory, fileSystem: fileSystem)
        let names = try fileSystem.listDirectory(directory).sorted()
        let nameSet = Set(names)
        var report = DatabaseReport(directory: directory, manifest: manifest, segments: [], logs: [], orphans: [],
                                    foreign: [], problems: [])
        let manifestFile = joinPath(directory, manifest.manifest)
        func problem(_ file: String, _ message: String, offset: Int64? = nil) {
            report.problems.append(InspectionProblem(file: file, offset: offset, message: message))
        }

        // Live segments: present, sound, and as the manifest describes them.
        var live = Set<UInt64>()
        for level in manifest.levels {
            for (i, f) in level.files.enumerated() {
                live.insert(f.number)
                let path = joinPath(directory, f.name)
                if level.level > 0, i > 0 {
                    let prev = level.files[i - 1]
                    if compareBytes(prev.largest.userKey.bytes, f.smallest.userKey.bytes) >= 0 {
                        problem(manifestFile, "level \(level.level): \(prev.name) and \(f.name) overlap")
                    }
                }
                if f.largestSequence > manifest.lastSequence {
                    problem(manifestFile, "\(f.name) holds sequence \(f.largestSequence), past the manifest's last sequence \(manifest.lastSequence)")
                }
                guard nameSet.contains(f.name) else {
                    problem(path, "missing: the manifest lists it in level \(level.level)")
                    continue
                }
                let check = SegmentInspector.check(path: path, fileSystem: fileSystem)
                report.segments.append(check)
                if let p = check.problem {
                    report.problems.append(p)
                    continue
                }
                guard let seg = try? SegmentInspector(path: path, fileSystem: fileSystem) else { continue }
                let s = seg.summary
                if s.fileSize != f.size {
                    problem(path, "size is \(s.fileSize) bytes, the manifest says \(f.size)")
                }
                if s.entries != f.entries {
                    problem(path, "holds \(s.entries) entries, the manifest says \(f.entries)")
                }
                if s.smallestKey != f.smallest || s.largestKey != f.largest {
                    problem(path, "key range differs from the manifest's")
                }
            }
        }

        // Everything else in the directory.
        for name in names {
            guard let df = DatabaseFile(name: name) else {
                report.foreign.append(name)
                continue
            }
            switch df {
            case .segment(let n):
                if !live.contains(n.rawValue) { report.orphans.append(name) }
            case .log(let n):
                if n.rawValue < manifest.logNumber {
                    report.orphans.append(name)
                    continue
                }
                let path = joinPath(directory, name)
                do {
                    let log = try LogReport.inspect(path: path, fileSystem: fileSystem)
                    report.logs.append(LogSummary(name: name, size: log.fileSize, records: log.records.count, entries: log.entries,
                                                  firstSequence: log.firstSequence, lastSequence: log.lastSequence,
                                                  badRecords: log.badRecords, tail: log.tail))
                    if let bad = log.records.first(where: { $0.problem != nil }) {
                        problem(path, "record at offset \(bad.offset): \(bad.problem!)", offset: bad.offset)
                    } else if let t = log.tail, !t.isTornWrite {
                        problem(path, "damaged record: \(t.reason); recovery drops the last \(t.droppedBytes) bytes", offset: t.offset)
                    }
                } catch let e as StorageError {
                    report.problems.append(InspectionProblem(e, file: path))
                }
            case .manifest:
                if name != manifest.manifest { report.orphans.append(name) }
            case .temp:
                report.orphans.append(name)
            case .current, .lock, .info:
                break
            }
        }
        return report
    }
}
