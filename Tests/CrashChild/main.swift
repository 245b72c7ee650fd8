// A child process for crash tests: opens a database, writes synced batches forever, and prints
// "ack N" after batch N is acknowledged. The parent kills it with SIGKILL at a random moment,
// reopens the database and checks that every acknowledged batch is there, whole.
//
// Batch N writes keys "b<N>-k<0..<width>" with value "v<N>" and sets "last" to N.
import StrataStorage
#if canImport(Glibc)
import Glibc
#endif

let args = CommandLine.arguments
guard args.count >= 3, let start = Int(args[2]) else {
    print("usage: strata-crash-child DIR START [WIDTH] [MEMTABLE_BYTES]")
    exit(2)
}
let width = args.count > 3 ? Int(args[3]) ?? 5 : 5
var options = StorageOptions()
options.memtableBytes = args.count > 4 ? Int(args[4]) ?? 64 << 10 : 64 << 10
options.targetSegmentBytes = 32 << 10
options.level1Bytes = 128 << 10
/// Writes a line straight to stdout (no buffering, so the parent sees every acknowledgement).
func say(_ line: String) {
    var s = line + "\n"
    s.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
}
do {
    let db = try StorageEngine.open(at: args[1], options: options)
    say("open")
    var n = start
    while true {
        var b = WriteBatch()
        let v = Array("v\(n)".utf8) + [UInt8](repeating: UInt8(n % 251), count: 100)
        for k in 0..<width { b.put(Array("b\(n)-k\(k)".utf8), v) }
        b.put(Array("last".utf8), Array(String(n).utf8))
        if n % 7 == 3 { b.delete(Array("b\(n - 3)-k0".utf8)) }
        try db.write(b, options: WriteOptions(sync: true))
        say("ack \(n)")
        n += 1
    }
} catch {
    say("error \(error)")
    exit(1)
}
