// Names of the files in a database directory. Format: Docs/manifest_format.md.

/// What a file in the database directory is, by its name.
enum DatabaseFile: Equatable {
    case log(FileNumber)        // 000012.log
    case segment(FileNumber)    // 000013.seg
    case manifest(FileNumber)   // MANIFEST-000005
    case current                // CURRENT
    case lock                   // LOCK
    case temp(FileNumber)       // 000014.tmp
    case info                   // LOG (human-readable event log)

    init?(name: String) {
        switch name {
        case "CURRENT": self = .current
        case "LOCK": self = .lock
        case "LOG": self = .info
        default:
            if name.hasPrefix("MANIFEST-"), let n = UInt64(name.dropFirst(9)) {
                self = .manifest(FileNumber(n))
                return
            }
            guard let dot = name.lastIndex(of: "."), let n = UInt64(name[..<dot]) else { return nil }
            switch name[name.index(after: dot)...] {
            case "log": self = .log(FileNumber(n))
            case "seg": self = .segment(FileNumber(n))
            case "tmp": self = .temp(FileNumber(n))
            default: return nil
            }
        }
    }

    var name: String {
        func pad(_ n: FileNumber) -> String {
            let s = String(n.rawValue)
            return s.count >= 6 ? s : String(repeating: "0", count: 6 - s.count) + s
        }
        switch self {
        case .log(let n): return pad(n) + ".log"
        case .segment(let n): return pad(n) + ".seg"
        case .manifest(let n): return "MANIFEST-" + pad(n)
        case .current: return "CURRENT"
        case .lock: return "LOCK"
        case .temp(let n): return pad(n) + ".tmp"
        case .info: return "LOG"
        }
    }

    func path(in dir: String) -> String { joinPath(dir, name) }
}
