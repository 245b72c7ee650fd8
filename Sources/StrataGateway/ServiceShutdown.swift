import Logging
import ServiceLifecycle

/// Runs the service's `shutdown()` once the HTTP server has finished.
///
/// It is the first service in the application's service group, and a service group shuts its
/// services down in reverse order: the HTTP server stops accepting, answers its in-flight requests
/// and closes its connections first; only then does this service's graceful shutdown begin.
struct ServiceShutdown: Service {
    let service: any DynamoDBService
    let logger: Logger

    func run() async throws {
        // Returns on graceful shutdown; throws CancellationError when the group is cancelled
        // instead. Either way the database is closed.
        try? await gracefulShutdown()
        logger.info("closing the service")
        try await service.shutdown()
        logger.info("service closed")
    }
}
