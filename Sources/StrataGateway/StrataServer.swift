import Hummingbird
import Logging
import NIOCore

/// The `strata-server` process: a DynamoDB endpoint on a host and port, stopped by SIGINT or SIGTERM.
public enum StrataServer {
    public enum LogLevel: String, CaseIterable, Sendable {
        case trace, debug, info, notice, warning, error, critical

        var level: Logger.Level {
            switch self {
            case .trace: .trace
            case .debug: .debug
            case .info: .info
            case .notice: .notice
            case .warning: .warning
            case .error: .error
            case .critical: .critical
            }
        }
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully: in-flight requests finish, then
    /// `service.shutdown()` runs, then this returns.
    ///
    /// - Parameter onRunning: called once the socket is bound, with the endpoint URL (the actual
    ///   port when `port` is 0).
    public static func run(
        service: any DynamoDBService,
        host: String,
        port: Int,
        configuration: GatewayConfiguration,
        logLevel: LogLevel = .info,
        onRunning: @escaping @Sendable (_ endpoint: String) async -> Void = { _ in }
    ) async throws {
        var logger = Logger(label: "strata-server", factory: ServerLogHandler.init)
        logger.logLevel = logLevel.level
        let app = application(
            service: service, host: host, port: port, configuration: configuration,
            logger: logger, onRunning: onRunning
        )
        try await app.runService()
    }

    /// The application behind `run`, for tests that drive it directly: Hummingbird's server and
    /// service group around the gateway's own HTTP/1 pipeline (`GatewayChildChannel`).
    public static func application(
        service: any DynamoDBService,
        host: String,
        port: Int,
        configuration: GatewayConfiguration,
        logger: Logger,
        onRunning: @escaping @Sendable (_ endpoint: String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        application(
            gateway: DynamoDBGateway(service: service, configuration: configuration),
            host: host, port: port, logger: logger, onRunning: onRunning
        )
    }

    /// `application` for a gateway made by the caller (tests pin its clock).
    package static func application(
        gateway: DynamoDBGateway,
        host: String,
        port: Int,
        logger: Logger,
        onRunning: @escaping @Sendable (_ endpoint: String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            // Hummingbird's application wants a responder; no request reaches it, the gateway's
            // pipeline answers every one.
            router: Router(),
            server: .dynamoDB(gateway),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: [ServiceShutdown(service: gateway.service, logger: logger)],
            onServerRunning: { channel in
                let boundPort = channel.localAddress?.port ?? port
                let shownHost = host.contains(":") ? "[\(host)]" : host
                await onRunning("http://\(shownHost):\(boundPort)")
            },
            logger: logger
        )
    }
}
