import Foundation
import Logging

/// Where the collector keeps its data, from `--database URL`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    public static let defaultURL = "sqlite:/var/lib/cellwatch/collector.sqlite"

    /// For logs: the URL with any password replaced.
    public var redacted: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): PostgresSettings.redacted(url)
        }
    }

    /// "sqlite:PATH", "sqlite://PATH", or "postgres://…"/"postgresql://…".
    public init(url: String) throws(ConfigError) {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: url)
        } else if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw ConfigError("database: \"\(url)\" has no file path") }
            self = .sqlite(path: path)
        } else if url.hasPrefix("sqlite:") {
            let path = String(url.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ConfigError("database: \"\(url)\" has no file path") }
            self = .sqlite(path: path)
        } else {
            throw ConfigError("database: \"\(url)\" is neither sqlite:PATH nor postgres://…")
        }
    }
}

public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// The optional JSON config file (`--config FILE`); every key optional, command-line options win.
///
///     { "listen": "0.0.0.0:8443", "database": "sqlite:/var/lib/cellwatch/collector.sqlite",
///       "sensorRatePerSecond": 5, "sensorBurst": 20, "maxBodyBytes": 8388608, "maxRecords": 10000,
///       "heartbeatSeconds": 15, "sessionLifetimeSeconds": 43200, "publicBaseURL": "https://…/api/v1",
///       "capSender": "cellwatch@police.example", "logLevel": "info" }
public struct CollectorConfigFile: Codable, Sendable, Equatable {
    public var listen: String?
    public var database: String?
    /// PostgreSQL: file whose first line is the password (else the URL's, else
    /// `CELLWATCH_DATABASE_PASSWORD` or `PGPASSWORD` from the environment).
    public var databasePasswordFile: String?
    public var sensorRatePerSecond: Double?
    public var sensorBurst: Int?
    public var maxBodyBytes: Int?
    public var maxDecompressedBytes: Int?
    public var maxRecords: Int?
    public var heartbeatSeconds: Double?
    public var sessionLifetimeSeconds: Double?
    public var publicBaseURL: String?
    public var capSender: String?
    public var logLevel: String?
    /// Alert webhooks: [{"url": "https://…", "secret": "…"}].
    public var webhooks: [WebhookTarget]?
    /// Web dashboard (see `DashboardSettings`).
    public var dashboard: DashboardConfigFile?
    /// HTTPS and sensor client certificates (see `TLSConfigFile`); without it the API is plain HTTP
    /// (put it behind a TLS-terminating proxy, or on loopback only).
    public var tls: TLSConfigFile?

    public init() {}

    public static func load(path: String) throws(ConfigError) -> CollectorConfigFile {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigError("\(path): cannot read (\(error.localizedDescription))")
        }
        do {
            return try JSONDecoder().decode(CollectorConfigFile.self, from: data)
        } catch let e as DecodingError {
            throw ConfigError("\(path): \(e.clearMessage)")
        } catch {
            throw ConfigError("\(path): \(error)")
        }
    }
}

/// The resolved configuration of one `cellwatch-collector` process.
public struct CollectorConfig: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    public var databasePasswordFile: String?
    public var logLevel: String
    public var settings: CollectorSettingsValues
    public var webhooks: [WebhookTarget]
    /// HTTPS settings (files are read when the server starts, so errors name the file).
    public var tls: TLSConfigFile?

    /// Command-line values (nil = not given) over the file over defaults.
    public init(file: CollectorConfigFile?, listen: String?, database: String?) throws(ConfigError) {
        let f = file ?? CollectorConfigFile()
        (host, port) = try Self.parseListen(listen ?? f.listen ?? "127.0.0.1:8080")
        self.database = try DatabaseLocation(url: database ?? f.database ?? DatabaseLocation.defaultURL)
        databasePasswordFile = f.databasePasswordFile
        if case .postgres(let url) = self.database { _ = try PostgresSettings(url: url) }
        logLevel = f.logLevel ?? "info"
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw ConfigError("logLevel: \"\(logLevel)\" is not a log level")
        }
        var v = CollectorSettingsValues()
        if let x = f.sensorRatePerSecond { guard x > 0 else { throw ConfigError("sensorRatePerSecond: must be > 0") }; v.sensorRatePerSecond = x }
        if let x = f.sensorBurst { guard x >= 1 else { throw ConfigError("sensorBurst: must be ≥ 1") }; v.sensorBurst = x }
        if let x = f.maxBodyBytes { guard x >= 1024 else { throw ConfigError("maxBodyBytes: must be ≥ 1024") }; v.maxBodyBytes = x }
        if let x = f.maxDecompressedBytes { guard x >= 1024 else { throw ConfigError("maxDecompressedBytes: must be ≥ 1024") }; v.maxDecompressedBytes = x }
        if let x = f.maxRecords { guard x >= 1 else { throw ConfigError("maxRecords: must be ≥ 1") }; v.maxRecords = x }
        if let x = f.heartbeatSeconds { guard x > 0 else { throw ConfigError("heartbeatSeconds: must be > 0") }; v.heartbeatSeconds = x }
        if let x = f.sessionLifetimeSeconds { guard x > 0 else { throw ConfigError("sessionLifetimeSeconds: must be > 0") }; v.sessionLifetimeSeconds = x }
        v.publicBaseURL = f.publicBaseURL
        if let x = f.capSender {
            guard !x.isEmpty, !x.contains(where: { $0 == " " || $0 == "," || $0 == "<" || $0 == "&" }) else {
                throw ConfigError("capSender: must not be empty or contain spaces, commas, < or & (CAP 1.2 §3.2.1)")
            }
            v.capSender = x
        }
        v.dashboard = try DashboardSettings(file: f.dashboard)
        tls = f.tls
        try tls?.validate()
        v.sensorAuthentication = tls?.effectiveSensorAuthentication ?? .token
        settings = v
        webhooks = f.webhooks ?? []
        for (i, w) in webhooks.enumerated() {
            guard let url = URL(string: w.url), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ConfigError("webhooks[\(i)].url: \"\(w.url)\" is not an http(s) URL")
            }
            guard w.secret.utf8.count >= 16 else { throw ConfigError("webhooks[\(i)].secret: at least 16 bytes") }
        }
    }

    /// "HOST:PORT" or "[v6]:PORT".
    public static func parseListen(_ s: String) throws(ConfigError) -> (String, Int) {
        guard let colon = s.lastIndex(of: ":") else { throw ConfigError("listen: \"\(s)\" is not HOST:PORT") }
        var host = String(s[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigError("listen: \"\(s)\" is not HOST:PORT with a port 0…65535")
        }
        return (host, port)
    }

    public var collectorSettings: CollectorSettings {
        var limits = IngestLimits()
        limits.maxBodyBytes = settings.maxBodyBytes
        limits.maxDecompressedBytes = settings.maxDecompressedBytes
        limits.maxRecords = settings.maxRecords
        return CollectorSettings(limits: limits, sensorRatePerSecond: settings.sensorRatePerSecond,
                                 sensorBurst: settings.sensorBurst, sessionLifetime: settings.sessionLifetimeSeconds,
                                 heartbeatSeconds: settings.heartbeatSeconds, capSender: settings.capSender,
                                 publicBaseURL: settings.publicBaseURL, dashboard: settings.dashboard,
                                 sensorAuthentication: settings.sensorAuthentication)
    }
}

/// The tunable numbers, with their defaults.
public struct CollectorSettingsValues: Sendable, Equatable {
    public var sensorRatePerSecond = 5.0
    public var sensorBurst = 20
    public var maxBodyBytes = 8 << 20
    public var maxDecompressedBytes = 32 << 20
    public var maxRecords = 10_000
    public var heartbeatSeconds = 15.0
    public var sessionLifetimeSeconds = 12 * 3600.0
    public var publicBaseURL: String?
    public var capSender = "cellwatch-collector"
    public var dashboard = DashboardSettings()
    public var sensorAuthentication = SensorAuthentication.token
    public init() {}
}

/// Opens the store a `DatabaseLocation` names (PostgreSQL: connects and migrates).
public func openStore(_ location: DatabaseLocation, passwordFile: String? = nil,
                      environment: [String: String] = ProcessInfo.processInfo.environment,
                      logger: Logger = Logger(label: "cellwatch.collector")) async throws -> any CollectorStore {
    switch location {
    case .sqlite(let path):
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try SQLiteStore(path: path)
    case .postgres(let url):
        let settings = try PostgresSettings(url: url, password: try databasePassword(file: passwordFile, environment: environment))
        return try await PostgresStore.open(settings, logger: logger)
    }
}

/// The PostgreSQL password from `file` (its first line) or the environment; nil when neither has one.
public func databasePassword(file: String?, environment: [String: String]) throws(ConfigError) -> String? {
    if let file {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ConfigError("databasePasswordFile: cannot read \(file)")
        }
        let line = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        guard !line.isEmpty else { throw ConfigError("databasePasswordFile: \(file) is empty") }
        return line
    }
    return environment["CELLWATCH_DATABASE_PASSWORD"] ?? environment["PGPASSWORD"]
}

/// The alert hub for `store`: with PostgreSQL, changes published on it are announced to the other
/// instances of the same database.
public func makeAlertHub(for store: any CollectorStore) -> AlertHub {
    guard let pg = store as? PostgresStore else { return AlertHub() }
    return AlertHub(relay: { pg.announce(alertID: $0.alert.id, kind: $0.kind) })
}
