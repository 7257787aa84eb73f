import ArgumentParser
import CellwatchModel
import Dispatch
import Foundation
import Logging
import Sensor

struct SensorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensor",
        abstract: "The sensor daemon: survey, decode, detect, spool and upload to the collector.",
        discussion: """
            Reads its settings from a YAML file (deploy/sensor.example.yaml documents every key). Every observation,
            suspect and signed evidence goes to the spool (SQLite, state directory) before it is uploaded, so a crash,
            power cut or days offline lose nothing. Under systemd (Type=notify) it reports READY/STATUS/STOPPING and
            pings the watchdog from the survey loop. SIGTERM or SIGINT: the current dwell is finished and spooled,
            then it stops.

            Examples:
              cellwatch sensor --config /etc/cellwatch/sensor.yaml
              cellwatch sensor --config sensor.yaml --device file:capture.sigmf-meta
              cellwatch sensor --config sensor.yaml --print-public-key
            """
    )

    @Option(name: .long, help: ArgumentHelp("Configuration file (YAML).", valueName: "FILE"))
    var config: String = "/etc/cellwatch/sensor.yaml"

    @Option(name: .long, help: ArgumentHelp("Radio to use instead of sensor.device: hackrf[:SERIAL], rtlsdr[:N], file:PATH, sim:SCENARIO.", valueName: "SPEC"))
    var device: String?

    @Option(name: .customLong("log-format"), help: ArgumentHelp("plain, json or journald (default: journald under systemd's journal, else plain).", valueName: "FORMAT"))
    var logFormat: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "LEVEL"))
    var logLevel: String = "info"

    @Flag(name: .customLong("print-public-key"), help: "Print the sensor's Ed25519 public key (base64; created on first use) for registration at the collector, and exit.")
    var printPublicKey = false

    @Flag(name: .customLong("as-fast-as-possible"), help: "With sim:SCENARIO, run the scene as fast as the CPU allows instead of in real time.")
    var asFastAsPossible = false

    @Flag(name: .customLong("check-config"), help: "Validate the configuration file, print the settings, and exit.")
    var checkConfig = false

    /// Test helper: appends observation records to a spool in DIR forever, printing each ID once its
    /// commit has returned (the crash-safety test kills this with SIGKILL).
    @Option(name: .customLong("spool-stress"), help: .hidden)
    var spoolStress: String?

    func validate() throws {
        if let logFormat, SensorLogHandler.Format(rawValue: logFormat) == nil {
            throw ValidationError("--log-format: \"\(logFormat)\" is not plain, json or journald")
        }
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level: \"\(logLevel)\" is not a log level")
        }
    }

    func run() throws {
        if let spoolStress { SpoolStress.run(directory: spoolStress) }
        let format = SensorLogHandler.format(requested: logFormat.flatMap(SensorLogHandler.Format.init(rawValue:)))
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in SensorLogHandler(label: label, format: format, level: level) }
        let logger = Logger(label: "cellwatch.sensor")

        let result = blockingAwait { () async -> Result<Void, any Error> in
            do {
                let cfg = try await SensorConfig.load(path: config, deviceOverride: device)
                if printPublicKey {
                    print(try SensorKey.loadOrCreate(path: cfg.keyFile).publicKeyBase64)
                    return .success(())
                }
                if checkConfig {
                    print(describe(cfg))
                    return .success(())
                }
                let daemon = try SensorDaemon(config: cfg, logger: logger, simulationRealTime: !asFastAsPossible)
                try await daemon.run()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let e) = result { fail("\(e)") }
    }

    private func describe(_ c: SensorConfig) -> String {
        var lines = ["sensor.id: \(c.sensorID)", "sensor.device: \(c.device)",
                     "sensor.bands: \(c.bands.map(\.name).joined(separator: ", "))",
                     "sensor.dwell_seconds: \(c.dwellSeconds)", "sensor.look_seconds: \(c.lookSeconds)",
                     "collector.url: \(c.collectorURL.absoluteString)",
                     "collector.token_file: \(c.tokenFile ?? "none")", "storage.state_dir: \(c.stateDirectory)",
                     "storage.key_file: \(c.keyFile)", "storage.spool_max_bytes: \(c.spoolMaxBytes)",
                     "upload.batch_size: \(c.uploadBatchSize)", "upload.interval_seconds: \(c.uploadIntervalSeconds)"]
        if let cert = c.clientCertificateFile { lines.append("collector.client_certificate: \(cert)") }
        if let ca = c.collectorCAFile { lines.append("collector.ca_file: \(ca)") }
        switch c.gps {
        case .gpsd(let h, let p, let s): lines.append("gps: gpsd \(h):\(p), stale after \(s) s")
        case .fixed(let lat, let lon, let alt, let acc): lines.append("gps: fixed \(lat), \(lon)\(alt.map { ", \($0) m" } ?? "") ±\(acc) m")
        case .none: lines.append("gps: none")
        }
        lines.append("sensor.calibration: \(c.calibration)")
        if let m = c.metricsTextfile { lines.append("metrics.textfile: \(m)") }
        if let g = c.gsmtap { lines.append("gsmtap.destination: \(g)") }
        return lines.joined(separator: "\n")
    }
}

/// Runs async work from the synchronous command and waits for it.
private func blockingAwait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// `--spool-stress DIR`: the child side of the spool crash-safety test.
enum SpoolStress {
    static func run(directory: String) -> Never {
        do {
            let spool = try Spool(path: (directory as NSString).appendingPathComponent("spool.sqlite"), maxBytes: 1 << 30)
            let random = SharedRandom(seed: UInt64(getpid()))
            let ids = UUIDv7Generator(clock: Date.init, random: { random.next() })
            var n = 0
            while true {
                n += 1
                let kind: SpoolKind = n % 10 == 0 ? .suspect : .observation
                let id = ids.next()
                let payload = Data("{\"n\":\(n),\"pad\":\"\(String(repeating: "x", count: 200))\"}".utf8)
                try spool.append(SpoolRecord(id: id, kind: kind, createdAt: Date(), payload: payload))
                // Unbuffered: the line is out of the process the moment the commit has returned.
                let line = Array((id + "\n").utf8)
                _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            }
        } catch {
            fail("\(error)")
        }
    }
}
