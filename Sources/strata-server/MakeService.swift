import StrataGateway
import StrataWire

/// The service behind the endpoint: an embedded Database (on `dataDirectory`, or in memory)
/// behind StrataWire's dispatcher. The server calls it once at startup and `shutdown()` once
/// at exit, which closes the database.
/// - Parameters:
///   - dataDirectory: where the database lives (already created); nil with `inMemory`.
///   - inMemory: keep nothing on disk.
///   - sync: fsync every write before acknowledging it.
func makeService(dataDirectory: String?, inMemory: Bool, sync: Bool) throws -> any DynamoDBService {
    var options = DatabaseOptions()
    options.inMemory = inMemory
    options.sync = sync
    options.timeToLiveSweepSeconds = 60
    let database = try Database.open(at: dataDirectory ?? "", options: options)
    return DatabaseService(database: database, sync: sync)
}
