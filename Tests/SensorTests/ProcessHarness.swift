import CellwatchModel
import Foundation
import GRDB
import TestSupport

/// Process-level test harness: the built `cellwatch sensor` and `cellwatch-collector serve` as
/// separate processes on loopback, their logs in files, the collector's database read directly.

/// A child process started from a built binary; standard error goes to a file (read while it runs).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let logPath: String

    init(_ binary: String, _ arguments: [String], log logPath: String) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGKILL and reap.
    func kill9() {
        guard process.isRunning else { return }
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait for a clean exit; SIGKILL after `timeout`. True when it exited by itself.
    @discardableResult
    func terminate(timeout: Double) -> Bool {
        guard process.isRunning else { return true }
        kill(pid, SIGTERM)
        if waitForExit(timeout: timeout) { return true }
        kill9()
        return false
    }

    func waitForExit(timeout: Double) -> Bool {
        Harness.until(timeout) { !process.isRunning }
    }

    private let lock = NSLock()
    private var readOffset: UInt64 = 0
    private var partial = Data()
    private var parsed: [LogLine] = []

    /// The JSON log lines written so far (`--log-format json`), read incrementally; torn or foreign
    /// lines are skipped.
    func jsonLog() -> [LogLine] {
        lock.withLock {
            guard let h = FileHandle(forReadingAtPath: logPath) else { return parsed }
            defer { try? h.close() }
            try? h.seek(toOffset: readOffset)
            let data = h.readDataToEndOfFile()
            readOffset += UInt64(data.count)
            partial.append(data)
            while let nl = partial.firstIndex(of: 10) {
                if let line = LogLine(String(decoding: partial[partial.startIndex..<nl], as: UTF8.self)) { parsed.append(line) }
                partial.removeSubrange(partial.startIndex...nl)
            }
            return parsed
        }
    }
}

/// One `--log-format json` line of the sensor.
struct LogLine {
    var level: String
    var message: String
    var metadata: [String: String]

    init?(_ line: String) {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let message = obj["message"] as? String else { return nil }
        self.message = message
        level = obj["level"] as? String ?? ""
        metadata = obj["metadata"] as? [String: String] ?? [:]
    }

    /// The record IDs of a `dwell` line: logged after the dwell's spool commit returned.
    var committedIDs: [String] {
        guard message == "dwell", let ids = metadata["ids"], !ids.isEmpty else { return [] }
        return ids.split(separator: ",").map(String.init)
    }

    /// Scene (or wall) time of a `dwell` line.
    var dwellTime: Date? {
        guard message == "dwell", let t = metadata["time"] else { return nil }
        return try? ReportCoding.decoder().decode(Date.self, from: Data("\"\(t)\"".utf8))
    }
}

enum Harness {
    static var collectorBinary: String {
        (SensorBinary.path as NSString).deletingLastPathComponent + "/cellwatch-collector"
    }

    static func until(_ timeout: Double, poll: Double = 0.1, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition() { return true }
            usleep(UInt32(poll * 1e6))
        }
        return condition()
    }

    /// True once something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// `cellwatch-collector` on loopback with a temporary SQLite database.
final class CollectorHarness: @unchecked Sendable {
    let directory: URL
    let port: Int
    var databasePath: String { directory.appendingPathComponent("collector.sqlite").path }
    /// `--config` file for `serve` (e.g. with a `tls` object), and whether it serves HTTPS.
    let configFile: String?
    let https: Bool
    var url: String { "\(https ? "https" : "http")://127.0.0.1:\(port)" }
    private(set) var child: ChildProcess?
    private var runs = 0

    init(directory: URL, configFile: String? = nil, https: Bool = false) {
        self.directory = directory
        self.configFile = configFile
        self.https = https
        port = TestSupport.freeLoopbackPort()
    }

    /// `cellwatch-collector sensors add`: the bearer token for `sensorID`.
    func register(sensorID: String, publicKey: String) throws -> String {
        try TestSupport.trimmedOutput(of: Harness.collectorBinary,
                           ["sensors", "add", sensorID, "--public-key", publicKey, "--database", "sqlite:" + databasePath])
    }

    /// `serve`, returning once it accepts connections.
    func start() throws {
        runs += 1
        let c = try ChildProcess(Harness.collectorBinary,
                                 ["serve", "--listen", "127.0.0.1:\(port)", "--database", "sqlite:" + databasePath]
                                    + (configFile.map { ["--config", $0] } ?? []),
                                 log: directory.appendingPathComponent("collector-\(runs).log").path)
        child = c
        guard Harness.until(60, { Harness.accepts(port: port) || !c.isRunning }), c.isRunning else {
            throw HarnessError("collector did not come up on port \(port): \(c.log.suffix(600))")
        }
    }

    /// SIGTERM, clean exit expected.
    @discardableResult
    func stop() -> Bool {
        defer { child = nil }
        return child?.terminate(timeout: 30) ?? true
    }

    /// Every record ID the collector stored for `sensorID`, with how many rows hold it, by kind.
    func storedRecords(sensorID: String) throws -> StoredRecords {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        let db = try DatabaseQueue(path: databasePath, configuration: config)
        return try db.read { db in
            func counts(_ table: String) throws -> [String: Int] {
                var out: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT record_id, COUNT(*) AS n FROM \(table) WHERE sensor_id = ? GROUP BY record_id",
                                            arguments: [sensorID]) {
                    out[row["record_id"], default: 0] += row["n"] as Int
                }
                return out
            }
            return StoredRecords(observations: try counts("observations"), suspects: try counts("suspect_records"),
                                 evidence: try counts("evidence"))
        }
    }
}

struct StoredRecords {
    var observations: [String: Int]
    var suspects: [String: Int]
    var evidence: [String: Int]

    /// Rows per ID over all kinds (an ID is one record of one kind).
    var all: [String: Int] {
        var out = observations
        for (k, v) in suspects { out[k, default: 0] += v }
        for (k, v) in evidence { out[k, default: 0] += v }
        return out
    }
}

/// `cellwatch sensor` with a config written by the test.
final class SensorHarness: @unchecked Sendable {
    let directory: URL
    let sensorID: String
    var configPath: String { directory.appendingPathComponent("sensor.yaml").path }
    var spoolPath: String { directory.appendingPathComponent("state/spool.sqlite").path }
    private(set) var runs = 0

    /// Writes the config (`extraYAML` is appended verbatim) and the token file after registering the
    /// sensor's key at `collector`. `collectorYAML` replaces the `collector:` keys after `url`
    /// (default: the token file).
    init(directory: URL, sensorID: String, device: String, bands: [String], dwellSeconds: Double,
         suspectDwellSeconds: Double? = nil, collector: CollectorHarness, collectorYAML: String = "token_file: token",
         extraYAML: String = "") throws {
        self.directory = directory
        self.sensorID = sensorID
        try """
            sensor:
              id: \(sensorID)
              device: \(device)
              bands: [\(bands.joined(separator: ", "))]
              dwell_seconds: \(dwellSeconds)
              suspect_dwell_seconds: \(suspectDwellSeconds ?? 4)
            collector:
              url: \(collector.url)
              \(collectorYAML)
            storage:
              state_dir: state
            \(extraYAML)
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let key = try TestSupport.trimmedOutput(of: SensorBinary.path, ["sensor", "--config", configPath, "--print-public-key"])
        guard Data(base64Encoded: key)?.count == 32 else { throw HarnessError("no public key from the sensor: \(key)") }
        let token = try collector.register(sensorID: sensorID, publicKey: key)
        guard !token.isEmpty else { throw HarnessError("the collector did not register \(sensorID)") }
        try token.write(toFile: directory.appendingPathComponent("token").path, atomically: true, encoding: .utf8)
    }

    /// Starts the daemon (simulation as fast as possible, JSON debug logs); log file per run.
    func start() throws -> ChildProcess {
        runs += 1
        return try ChildProcess(SensorBinary.path,
                                ["sensor", "--config", configPath, "--as-fast-as-possible", "--log-format", "json", "--log-level", "debug"],
                                log: directory.appendingPathComponent("sensor-\(runs).log").path)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
