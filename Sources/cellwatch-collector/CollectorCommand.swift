import ArgumentParser
import CellwatchModel
import Collector
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

// cellwatch-collector: argument parsing, configuration and service wiring only (DESIGN.md).

@main
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cellwatch-collector",
        abstract: "Central Cellwatch service: sensor report ingest, alerts, exports.",
        subcommands: [Serve.self, Sensors.self, Users.self],
        defaultSubcommand: Serve.self)
}

struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "JSON config file (keys: see docs/collector.md).")
    var config: String?

    @Option(name: .long, help: "sqlite:PATH (default \(DatabaseLocation.defaultURL)) or postgres://…")
    var database: String?

    func resolve(listen: String? = nil) throws -> CollectorConfig {
        do {
            let file = try config.map { path throws(ConfigError) in try CollectorConfigFile.load(path: path) }
            return try CollectorConfig(file: file, listen: listen, database: database)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func service(_ config: CollectorConfig, logger: Logger) async throws -> CollectorService {
        let store = try await openStore(config.database, passwordFile: config.databasePasswordFile, logger: logger)
        return CollectorService(store: store, settings: config.collectorSettings,
                                estimator: DefaultEstimator.make(), hub: makeAlertHub(for: store), logger: logger)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API (default).")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "HOST:PORT to listen on (default 127.0.0.1:8080).")
    var listen: String?

    func run() async throws {
        let config = try global.resolve(listen: listen)
        var logger = Logger(label: "cellwatch.collector")
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        let service = try await global.service(config, logger: logger)
        let app = try CollectorAPI(service: service).application(host: config.host, port: config.port, tls: config.tls,
                                                                  logger: logger)
        var services: [any Service] = [app]
        // PostgreSQL fleets: alert changes made on the other instances reach this one's stream.
        if let pg = service.store as? PostgresStore {
            services.append(AlertFanOutService(store: pg, hub: service.hub))
        }
        // A service that returns ends the group, so the dispatcher runs only when there are targets.
        if !config.webhooks.isEmpty {
            services.append(WebhookDispatcher(targets: config.webhooks, hub: service.hub, logger: logger))
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        logger.info("cellwatch-collector listening", metadata: ["listen": "\(config.tls == nil ? "http" : "https")://\(config.host):\(config.port)",
                                                               "sensor_auth": "\(config.settings.sensorAuthentication.rawValue)",
                                                               "database": "\(config.database.redacted)"])
        try await group.run()
        (service.store as? PostgresStore)?.close()
    }
}

struct Sensors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage sensors.", subcommands: [Add.self, List.self, Disable.self, Enable.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a sensor; prints its token once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Sensor ID (as in the sensor's config).") var id: String
        @Option(name: .long, help: "The sensor's raw 32-byte Ed25519 public key, base64.") var publicKey: String

        func run() async throws {
            guard let key = Data(base64Encoded: publicKey) else { throw ValidationError("--public-key is not base64") }
            let service = try await global.service(try global.resolve(), logger: Logger(label: "cellwatch.collector"))
            do {
                let token = try await service.registerSensor(id: id, publicKey: key, actor: "cli")
                print(token)
            } catch let e as APIFailure {
                throw ValidationError(e.message)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sensors.")
        @OptionGroup var global: GlobalOptions
        func run() async throws {
            let service = try await global.service(try global.resolve(), logger: Logger(label: "cellwatch.collector"))
            for s in try await service.store.sensors() {
                let seen = s.lastSeen.map(ReportCoding.formatDate) ?? "never"
                print("\(s.id)\t\(s.enabled ? "enabled" : "disabled")\tlast seen \(seen)\t\(s.recordsAccepted) records")
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a sensor's access.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String
        func run() async throws {
            let service = try await global.service(try global.resolve(), logger: Logger(label: "cellwatch.collector"))
            try await service.store.setSensorEnabled(id: id, enabled: false)
            try await service.audit("cli", "sensor.disable", target: id)
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore a sensor's access.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String
        func run() async throws {
            let service = try await global.service(try global.resolve(), logger: Logger(label: "cellwatch.collector"))
            try await service.store.setSensorEnabled(id: id, enabled: true)
            try await service.audit("cli", "sensor.enable", target: id)
        }
    }
}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage users.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user; the password is read from --password-file or the first line of stdin.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Option(name: .long, help: "viewer, operator or admin.") var role: String
        @Option(name: .long, help: "File whose first line is the password.") var passwordFile: String?

        func run() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("--role must be viewer, operator or admin") }
            let password: String
            if let passwordFile {
                guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                    throw ValidationError("cannot read \(passwordFile)")
                }
                password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            } else {
                guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on stdin") }
                password = line
            }
            let service = try await global.service(try global.resolve(), logger: Logger(label: "cellwatch.collector"))
            do {
                try await service.addUser(name: name, role: role, password: password, actor: "cli")
            } catch let e as APIFailure {
                throw ValidationError(e.message)
            }
        }
    }
}

/// The position estimator the collector runs: the Localization target's robust fit and tracker.
enum DefaultEstimator {
    static func make() -> (any PositionEstimator)? { LocalizationEstimator() }
}
