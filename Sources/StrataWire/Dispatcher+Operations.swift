// Operations registered as they are built (Query/Scan, batches, transactions).

extension Dispatcher {
    static func registerMore(_ h: inout [String: Handler]) {
    }
}
