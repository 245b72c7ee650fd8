import ArgumentParser
import Foundation
import StrataGateway

@main
struct StrataServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata-server",
        abstract: "A DynamoDB endpoint on an embedded Strata database.",
        discussion: """
            Point any DynamoDB client at the printed endpoint, for example \
            aws dynamodb list-tables --endpoint-url http://127.0.0.1:8000. \
            SIGINT or SIGTERM stops the server after in-flight requests finish.

            Credentials file (--credentials): one 'ACCESS_KEY_ID SECRET' pair per line, separated by \
            spaces or tabs; blank lines and lines starting with '#' are ignored. With it, every \
            request must carry a valid AWS Signature Version 4 by one of those keys; without it, \
            any request is accepted, signed or not, as DynamoDB Local does.
            """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8000

    @Option(name: .customLong("data-dir"), help: "Database directory, created on first run.")
    var dataDirectory = "./strata-data"

    @Flag(name: .customLong("in-memory"), help: "Keep nothing on disk; --data-dir is ignored.")
    var inMemory = false

    @Flag(help: "Sync every write to disk before acknowledging it.")
    var sync = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: StrataServer.LogLevel = .info

    @Option(help: "File of 'ACCESS_KEY_ID SECRET' lines; when given, every request's SigV4 signature is verified.")
    var credentials: String?

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted (larger ones get 413).")
    var maxBodyBytes = GatewayConfiguration.defaultMaxBodyBytes

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
    }

    func run() async throws {
        var authentication = Authentication.acceptAll
        if let credentials {
            let store: CredentialStore
            do {
                store = try CredentialStore(contentsOfFile: credentials)
            } catch {
                throw ValidationError("--credentials \(credentials): \(error)")
            }
            authentication = .verify(store)
        }
        if !inMemory {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        }
        let service = try makeService(dataDirectory: inMemory ? nil : dataDirectory, inMemory: inMemory, sync: sync)
        let storage = inMemory ? "in memory" : "data directory \(dataDirectory)"
        let auth: String
        switch authentication {
        case .acceptAll: auth = "any client accepted"
        case .verify(let store): auth = "SigV4 verified for \(store.count) access key(s)"
        }
        try await StrataServer.run(
            service: service,
            host: host,
            port: port,
            configuration: GatewayConfiguration(maxBodyBytes: maxBodyBytes, authentication: authentication),
            logLevel: logLevel,
            onRunning: { endpoint in
                say("strata-server: DynamoDB endpoint \(endpoint) (\(storage); \(auth))")
            }
        )
        say("strata-server: stopped")
    }
}

/// One line on standard output, written at once (not held in a buffer when stdout is a pipe),
/// for the people and harnesses waiting for it.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

extension StrataServer.LogLevel: ExpressibleByArgument {}
