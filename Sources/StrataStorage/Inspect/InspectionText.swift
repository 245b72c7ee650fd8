// The human-readable form of the inspection reports (strata-dump's default output).

/// Renders inspection reports as text: one fact per line, labels aligned, keys and values in the
/// chosen `ByteFormat`. Every function returns lines without a final newline.
public enum InspectionText {
    static func line(_ label: String, _ value: String) -> String {
        label + String(repeating: " ", count: max(1, 16 - label.count)) + value
    }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return right ? fill + s : s + fill
    }

    /// `x` with two decimals, without Foundation.
    static func fixed2(_ x: Double) -> String {
        guard x.isFinite, abs(x) < 1e15 else { return "\(x)" }
        let hundredths = Int((x * 100).rounded())
        let frac = abs(hundredths) % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    static func range(_ a: InspectedKey?, _ b: InspectedKey?, _ f: ByteFormat) -> String {
        guard let a, let b else { return "(empty)" }
        return "\(a.render(f)) .. \(b.render(f))"
    }

    public static func segment(_ s: SegmentSummary, format f: ByteFormat = .printable) -> String {
        var out = [
            line("segment", s.file),
            line("format version", "\(s.formatVersion)"),
            line("file size", "\(s.fileSize) bytes"),
            line("entries", "\(s.entries) (\(s.deletions) deletions)"),
            line("key range", range(s.smallestKey, s.largestKey, f)),
        ]
        if let a = s.smallestSequence, let b = s.largestSequence {
            out.append(line("sequences", "\(a)...\(b)"))
        }
        out += [
            line("data blocks", "\(s.dataBlocks) (\(s.compressedBlocks) LZ4-compressed)"),
            line("data bytes", "\(s.rawDataBytes) raw, \(s.storedDataBytes) stored, compression ratio \(fixed2(s.compressionRatio))"),
            line("raw keys", "\(s.rawKeyBytes) bytes"),
            line("raw values", "\(s.rawValueBytes) bytes"),
            line("bloom filter", s.bloomBitsPerKey == 0 ? "none"
                 : "\(s.bloomBitsPerKey) bits/key, \(s.bloomProbes.map(String.init) ?? "?") probes (\(s.bloomKind ?? "unknown kind")), \(s.filterBytes) bytes"),
            line("index block", "\(s.indexBytes) bytes"),
            line("properties", "\(s.propertiesBytes) bytes"),
        ]
        return out.joined(separator: "\n")
    }

    public static func layout(_ blocks: [SegmentBlockInfo], format f: ByteFormat = .printable) -> String {
        var out = [
            [pad("block", 12), pad("offset", 10, right: true), pad("stored", 9, right: true), pad("raw", 9, right: true),
             "  " + pad("compr.", 7), pad("restarts", 8, right: true), pad("entries", 8, right: true), "  checksum"].joined()
        ]
        for b in blocks {
            let name = b.number.map { "\(b.kind) \($0)" } ?? b.kind
            var row = [pad(name, 12), pad("\(b.offset)", 10, right: true), pad("\(b.storedSize)", 9, right: true),
                       pad(b.rawSize.map(String.init) ?? "-", 9, right: true), "  " + pad(b.compression, 7),
                       pad(b.restartCount.map(String.init) ?? "-", 8, right: true), pad(b.entries.map(String.init) ?? "-", 8, right: true),
                       "  0x" + SegmentInspector.hex32(b.checksum) + (b.checksumValid ? " ok" : " BAD")].joined()
            if let k = b.indexKey { row += "  last " + k.render(f) }
            if let p = b.problem { row += "  PROBLEM: " + p }
            out.append(row)
        }
        return out.joined(separator: "\n")
    }

    /// One entry per line: `key @sequence kind => value` (no value for a deletion).
    public static func entry(_ e: SegmentEntry, format f: ByteFormat = .printable) -> String {
        "\(f.render(e.key.bytes)) @\(e.sequence) \(e.kind)" + (e.value.map { " => " + f.render($0.bytes) } ?? "")
    }

    public static func check(_ c: SegmentCheck) -> String {
        if let p = c.problem { return "FAILED \(p)" }
        return "OK \(c.file): \(c.dataBlocks) data blocks, \(c.entries) entries, \(c.userKeys) user keys; checksums, key order, index and bloom filter consistent"
    }

    public static func tail(_ t: LogTailInfo) -> String {
        "dropped \(t.droppedBytes) bytes at offset \(t.offset): \(t.reason)" + (t.isTornWrite ? "" : " (damage, not a torn write)")
    }

    public static func wal(_ r: LogReport, format f: ByteFormat = .printable, frames: Bool = false) -> String {
        var out = [
            line("log", r.file),
            line("file size", "\(r.fileSize) bytes"),
            line("records", "\(r.records.count) (\(r.frames.count) frame\(r.frames.count == 1 ? "" : "s")), \(r.entries) operations"),
        ]
        if let a = r.firstSequence, let b = r.lastSequence { out.append(line("sequences", "\(a)...\(b)")) }
        out.append(line("torn tail", r.tail.map(tail) ?? "none"))
        if frames {
            for fr in r.frames { out.append("frame @\(fr.offset) \(fr.type) length \(fr.length)") }
        }
        for rec in r.records {
            var head = "record @\(rec.offset) length \(rec.length) (\(rec.fragments) frame\(rec.fragments == 1 ? "" : "s"))"
            if let b = rec.batch {
                head += ": batch sequence \(b.sequence), \(b.count) operation\(b.count == 1 ? "" : "s")"
                out.append(head)
                for op in b.operations {
                    out.append("  \(op.sequence) \(op.kind == "value" ? "put" : "delete") \(f.render(op.key.bytes))"
                               + (op.value.map { " => " + f.render($0.bytes) } ?? ""))
                }
            } else {
                out.append(head + ": NOT A BATCH: \(rec.problem ?? "?")")
            }
        }
        return out.joined(separator: "\n")
    }

    static func file(_ m: ManifestFileInfo, _ f: ByteFormat) -> String {
        "  \(m.name)  \(m.size) bytes  \(m.entries) entries  sequences \(m.smallestSequence)...\(m.largestSequence)  \(m.smallest.render(f)) .. \(m.largest.render(f))"
    }

    public static func manifest(_ m: ManifestReport, format f: ByteFormat = .printable, edits: Bool = true) -> String {
        var out = [
            line("manifest", m.manifest + (m.directory.map { " (CURRENT in \($0))" } ?? "")),
            line("file size", "\(m.manifestSize) bytes"),
            line("format version", "\(m.formatVersion)"),
            line("log number", "\(m.logNumber)"),
            line("next file", "\(m.nextFileNumber)"),
            line("last sequence", "\(m.lastSequence)"),
            line("live files", "\(m.fileCount), \(m.levels.reduce(0) { $0 + $1.bytes }) bytes"),
        ]
        for l in m.levels where !l.files.isEmpty {
            out.append("level \(l.level): \(l.files.count) file\(l.files.count == 1 ? "" : "s"), \(l.bytes) bytes, \(l.entries) entries")
            for m in l.files { out.append(file(m, f)) }
        }
        for p in m.compactPointers { out.append(line("compact pointer", "level \(p.level) at \(p.key.render(f))")) }
        out.append(line("torn tail", m.tail.map(tail) ?? "none"))
        if edits {
            out.append(line("edits", "\(m.edits.count)"))
            for e in m.edits {
                var parts: [String] = []
                if let v = e.formatVersion { parts.append("format version \(v)") }
                if let v = e.logNumber { parts.append("log number \(v)") }
                if let v = e.nextFileNumber { parts.append("next file \(v)") }
                if let v = e.lastSequence { parts.append("last sequence \(v)") }
                for p in e.compactPointers { parts.append("compact pointer L\(p.level) \(p.key.render(f))") }
                for d in e.deletedFiles { parts.append("-L\(d.level) \(DatabaseFile.segment(FileNumber(d.number)).name)") }
                for n in e.newFiles { parts.append("+L\(n.level) \(n.name)") }
                out.append("edit @\(e.offset): " + (parts.isEmpty ? "(empty)" : parts.joined(separator: ", ")))
            }
        }
        return out.joined(separator: "\n")
    }

    public static func database(_ d: DatabaseReport, format f: ByteFormat = .printable) -> String {
        var out = [manifest(d.manifest, format: f, edits: false), ""]
        out.append("segments checked: \(d.segments.count)")
        for c in d.segments {
            let name = c.file.split(separator: "/").last.map(String.init) ?? c.file
            out.append("  \(name)  " + (c.problem == nil ? "ok (\(c.dataBlocks) data blocks, \(c.entries) entries)" : "FAILED"))
        }
        out.append("live logs: \(d.logs.count)")
        for l in d.logs {
            var s = "  \(l.name)  \(l.size) bytes  \(l.records) records  \(l.entries) operations"
            if let a = l.firstSequence, let b = l.lastSequence { s += "  sequences \(a)...\(b)" }
            s += "  torn tail: " + (l.tail.map(tail) ?? "none")
            out.append(s)
        }
        out.append("orphan files: " + (d.orphans.isEmpty ? "none" : d.orphans.joined(separator: ", ")))
        out.append("foreign files: " + (d.foreign.isEmpty ? "none" : d.foreign.joined(separator: ", ")))
        if d.problems.isEmpty {
            out.append("status: OK")
        } else {
            out.append("status: \(d.problems.count) problem\(d.problems.count == 1 ? "" : "s")")
            for p in d.problems { out.append("  \(p)") }
        }
        return out.joined(separator: "\n")
    }
}
