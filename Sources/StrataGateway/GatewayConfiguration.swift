/// How the DynamoDB endpoint treats requests, apart from what the service does with them.
public struct GatewayConfiguration: Sendable {
    /// Request bodies larger than this, as sent or after gzip decompression, get 413. DynamoDB's own
    /// largest request (a 25-item BatchWriteItem or a 100-item transaction of 400 KB items) fits
    /// well inside the default of 16 MiB.
    public var maxBodyBytes: Int
    /// Who may call; `.acceptAll` by default, as DynamoDB Local.
    public var authentication: Authentication
    /// Responses at least this long are gzip-compressed for clients that send
    /// `Accept-Encoding: gzip`; shorter ones cost more to compress than they save.
    public var gzipThresholdBytes: Int

    public static let defaultMaxBodyBytes = 16 * 1024 * 1024

    public init(
        maxBodyBytes: Int = GatewayConfiguration.defaultMaxBodyBytes,
        authentication: Authentication = .acceptAll,
        gzipThresholdBytes: Int = 1024
    ) {
        precondition(maxBodyBytes > 0, "maxBodyBytes must be positive")
        self.maxBodyBytes = maxBodyBytes
        self.authentication = authentication
        self.gzipThresholdBytes = gzipThresholdBytes
    }
}
