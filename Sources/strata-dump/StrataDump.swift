// strata-dump: inspect the files of a Strata database (segments, write-ahead logs, manifests).
// Thin: flags are parsed here, StrataStorage's inspection API does the reading, this file prints.

import ArgumentParser
import Foundation
import StrataStorage

@main
struct StrataDump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata-dump",
        abstract: "Inspect the files of a Strata database: segments, write-ahead logs, manifests.",
        discussion: """
            Exit status: 0 when the input is sound, 1 when it is damaged, foreign or unreadable \
            (the message names the file, the block or record, and the offset), 64 on bad usage.
            """,
        subcommands: [SegmentCommand.self, WALCommand.self, ManifestCommand.self, DatabaseCommand.self]
    )
}

extension ByteFormat: ExpressibleByArgument {}

struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (stable keys, sorted) instead of text.")
    var json = false

    @Option(help: "How keys and values are shown, and how --from/--to are read: printable, hex or base64.")
    var format: ByteFormat = .printable
}

/// Prints a value as JSON with the byte format applied to keys and values.
func printJSON<T: Encodable>(_ value: T, format: ByteFormat) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.userInfo[.strataByteFormat] = format
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Runs `body`; a StorageError (damaged, foreign or missing file) becomes a message on stderr
/// and exit status 1.
func reporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as StorageError {
        fail("\(e)")
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("strata-dump: \(message)\n".utf8))
    Foundation.exit(1)
}

struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Show a segment file's properties; with flags, its blocks, entries, or a full check.")

    @Argument(help: "The segment file (NNNNNN.seg).")
    var file: String

    @Flag(help: "List every block: offset, stored and raw size, compression, restarts, checksum.")
    var layout = false

    @Flag(help: "List entries: key, sequence number, kind, value.")
    var scan = false

    @Option(help: "Scan from this user key (inclusive).")
    var from: String?

    @Option(help: "Scan up to this user key (exclusive).")
    var to: String?

    @Option(help: "Scan at most this many entries.")
    var limit: Int?

    @Flag(help: "Verify checksums, key order, index and bloom consistency, properties; exit 1 on the first problem.")
    var check = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if (from != nil || to != nil || limit != nil) && !scan {
            throw ValidationError("--from, --to and --limit go with --scan")
        }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        for (name, key) in [("--from", from), ("--to", to)] {
            if let key, output.format.parse(key) == nil {
                throw ValidationError("\(name) is not a valid \(output.format.rawValue) key")
            }
        }
    }

    struct JSONOutput: Encodable {
        var summary: SegmentSummary?
        var layout: [SegmentBlockInfo]?
        var entries: [SegmentEntry]?
        var check: SegmentCheck?
    }

    func run() throws {
        let f = output.format
        let checked = check ? SegmentInspector.check(path: file) : nil
        if let checked, !output.json {
            print(InspectionText.check(checked))
            if !checked.ok { throw ExitCode(1) }
            if !layout && !scan { return }
            print("")
        }
        try reporting {
            let fromKey = from.flatMap(f.parse), toKey = to.flatMap(f.parse)
            if output.json {
                var out = JSONOutput(check: checked)
                if checked?.ok ?? true {
                    let seg = try SegmentInspector(path: file)
                    out.summary = seg.summary
                    if layout { out.layout = try seg.layout() }
                    if scan { out.entries = try seg.entries(from: fromKey, to: toKey, limit: limit) }
                }
                try printJSON(out, format: f)
                if checked?.ok == false { throw ExitCode(1) }
                return
            }
            let seg = try SegmentInspector(path: file)
            // Properties alone by default; with --layout or --scan, just what was asked for.
            if !check && !layout && !scan { print(InspectionText.segment(seg.summary, format: f)) }
            if layout { print(InspectionText.layout(try seg.layout(), format: f)) }
            if scan {
                if let limit, limit == 0 { return }
                var n = 0
                try seg.scan(from: fromKey, to: toKey) { e in
                    print(InspectionText.entry(e, format: f))
                    n += 1
                    return limit.map { n < $0 } ?? true
                }
            }
        }
    }
}

struct WALCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal",
        abstract: "Show a write-ahead log: records, batches, operations, and a torn tail if there is one.")

    @Argument(help: "The log file (NNNNNN.log).")
    var file: String

    @Flag(help: "Also list every physical record (frame): offset, type, length.")
    var frames = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting {
            let report = try LogReport.inspect(path: file)
            if output.json { try printJSON(report, format: output.format) } else {
                print(InspectionText.wal(report, format: output.format, frames: frames))
            }
            if report.isDamaged {
                let what = report.records.isEmpty ? "not a Strata log, or damaged from its first record" : "damaged"
                fail("\(file): \(what)" + (report.tail.map { " (\(InspectionText.tail($0)))" } ?? ""))
            }
        }
    }
}

struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Show the live version (levels, files, key ranges, sizes, counters) and the manifest's edits.")

    @Argument(help: "A database directory (its CURRENT names the manifest) or a MANIFEST-NNNNNN file.")
    var path: String

    @Flag(name: .customLong("no-edits"), help: "Leave out the list of edits.")
    var noEdits = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting {
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            let report = exists && !isDir.boolValue
                ? try ManifestReport.inspect(manifestPath: path)
                : try ManifestReport.inspect(directory: path)
            if output.json { try printJSON(report, format: output.format) } else {
                print(InspectionText.manifest(report, format: output.format, edits: !noEdits))
            }
        }
    }
}

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Show the live version and check the whole database: every live segment, orphan files, log tails.")

    @Argument(help: "The database directory.")
    var directory: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting {
            let report = try DatabaseReport.inspect(directory: directory)
            if output.json { try printJSON(report, format: output.format) } else {
                print(InspectionText.database(report, format: output.format))
            }
            if !report.ok { throw ExitCode(1) }
        }
    }
}
